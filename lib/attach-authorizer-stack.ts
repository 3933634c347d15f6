import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { ConfigError } from '../lambdas/shared/config/config-error';
import { REVOCATION_TABLE } from '../lambdas/shared/contracts/tables';
import { alarmsConfigSchema } from './config/api-config';
import { AuthorizerMonitoring } from './authorizer-monitoring';
import { deploymentAuthIssues } from './config/deployment-checks';
import type { EdgeConfig } from './config/edge-config';
import { createEdgeTable } from './edge-tables';
import { JwtAuthorizer } from './jwt-authorizer';
import { retentionDays } from './log-retention';
import { acknowledge, NAG_ACKNOWLEDGEMENTS } from './nag-acknowledgements';

/** API Gateway ids: 10 lower-case letters and digits. */
const REST_API_ID = /^[a-z0-9]{10}$/;

/** Properties of {@link AttachAuthorizerStack}. */
export interface AttachAuthorizerStackProps extends StackProps {
  /** The validated edge configuration (its `auth` section; `api.functions` and `api.logging` if present). */
  readonly config: EdgeConfig;
  /** Id of the existing REST API. */
  readonly restApiId: string;
  /** Id of its root resource. @default - not needed to register an authorizer */
  readonly rootResourceId?: string;
}

/**
 * Attach-only mode: deploys the authorizer Lambda and registers it as a TOKEN authorizer on an
 * existing REST API given by id. Outputs the authorizer id to set on the API's methods
 * (`AuthorizationType: CUSTOM`, `AuthorizerId`) — redeploy the API's stage after that. Adds the
 * authorizer's own alarms and dashboard (`api.alarms`, or its defaults).
 */
export class AttachAuthorizerStack extends Stack {
  readonly authorizer: JwtAuthorizer;
  /** Alarms and a dashboard for the authorizer (the API's own monitoring stays its owner's). */
  readonly monitoring: AuthorizerMonitoring;

  constructor(scope: Construct, id: string, props: AttachAuthorizerStackProps) {
    super(scope, id, props);
    if (!REST_API_ID.test(props.restApiId)) {
      throw new ConfigError('context', [
        {
          path: 'restApiId',
          message: 'must be a REST API id (10 lower-case letters and digits), e.g. -c restApiId=a1b2c3d4e5',
        },
      ]);
    }
    if (props.rootResourceId !== undefined && !REST_API_ID.test(props.rootResourceId)) {
      throw new ConfigError('context', [
        { path: 'rootResourceId', message: 'must be a resource id (10 lower-case letters and digits)' },
      ]);
    }
    // A loopback issuer or JWKS URL works only for the local edge: refuse it before anything is built.
    const deploymentIssues = deploymentAuthIssues(props.config.auth);
    if (deploymentIssues.length > 0) throw new ConfigError('edge config', deploymentIssues);
    const restApi =
      props.rootResourceId === undefined
        ? apigateway.RestApi.fromRestApiId(this, 'ExistingApi', props.restApiId)
        : apigateway.RestApi.fromRestApiAttributes(this, 'ExistingApi', {
            restApiId: props.restApiId,
            rootResourceId: props.rootResourceId,
          });
    const api = props.config.api;
    // Revocation or the client registry on without a named table: this stack creates the revocation
    // table (which also holds the registry).
    const { revocation, clients } = props.config.auth;
    const needsTable =
      (revocation !== undefined && revocation.tableName === undefined) ||
      (clients !== undefined && clients.tableName === undefined);
    const revocationTable = needsTable
      ? createEdgeTable(this, REVOCATION_TABLE, {
          ...(api === undefined
            ? {}
            : {
                deletionProtection: api.tables.deletionProtection,
                retainOnStackDelete: api.tables.retainOnStackDelete,
              }),
        })
      : undefined;
    if (revocationTable !== undefined) {
      new CfnOutput(this, 'RevocationTableName', { value: revocationTable.tableName });
    }
    this.authorizer = new JwtAuthorizer(this, 'Authorizer', {
      restApi,
      authConfig: props.config.auth,
      ...(revocationTable === undefined ? {} : { revocationTable }),
      functionProps: {
        memorySize: api?.functions.authorizerMemoryMb,
        timeout: api === undefined ? undefined : Duration.seconds(api.functions.authorizerTimeoutSeconds),
        reservedConcurrentExecutions: api?.functions.authorizerReservedConcurrency,
        logRetention: api === undefined ? undefined : retentionDays(api.logging.retentionDays),
      },
    });
    const fn = this.authorizer.function;
    if (fn !== undefined) acknowledge(fn.role ?? fn, NAG_ACKNOWLEDGEMENTS.xrayWildcard);

    new CfnOutput(this, 'AuthorizerId', {
      value: this.authorizer.authorizerId,
      description:
        'Set this authorizer id (type CUSTOM) on the methods of the existing API, then redeploy its stage',
    });
    new CfnOutput(this, 'AuthorizerFunctionArn', { value: this.authorizer.handler.functionArn });

    this.monitoring = new AuthorizerMonitoring(this, 'Monitoring', {
      authorizerFunction: this.authorizer.handler,
      // Without an `api` section, the documented default thresholds (no SNS topic).
      alarms: api?.alarms ?? alarmsConfigSchema.parse({}),
    });
    new CfnOutput(this, 'DashboardUrl', { value: this.monitoring.dashboardUrl });
  }
}
