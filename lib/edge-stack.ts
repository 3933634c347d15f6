import * as path from 'node:path';
import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ConfigError, type ConfigIssue } from '../lambdas/shared/config/config-error';
import { guardRoutesWithoutAuthRule } from '../lambdas/shared/config/guard-config';
import { CORS_CONFIG_ENV } from '../lambdas/shared/contracts/backend-env';
import { checkApiAgainstAuth, isPublicMethod, type ApiConfig } from './config/api-config';
import { clientRegistryWarnings } from './config/client-registry-checks';
import { deploymentAuthIssues } from './config/deployment-checks';
import type { EdgeConfig } from './config/edge-config';
import { EdgeApi, routeKey, type EdgeRoute } from './edge-api';
import { EdgeFunction } from './edge-function';
import { EdgeMonitoring } from './edge-monitoring';
import { EdgeTables } from './edge-tables';
import { EdgeWaf } from './edge-waf';
import { retentionDays } from './log-retention';
import { acknowledge, NAG_ACKNOWLEDGEMENTS } from './nag-acknowledgements';
import { RequestGuard } from './request-guard';

/** The sample backends the stack can deploy, by the name `api.routes[].backend` uses. */
export const SAMPLE_BACKENDS: ReadonlyMap<string, { entry: string; description: string }> = new Map(
  Object.entries({
    orders: {
      entry: path.join(__dirname, '..', 'lambdas', 'orders', 'handler.ts'),
      description: 'Sample backend: orders (per-role visibility)',
    },
    profile: {
      entry: path.join(__dirname, '..', 'lambdas', 'profile', 'handler.ts'),
      description: 'Sample backend: caller profile and permissions',
    },
    health: {
      entry: path.join(__dirname, '..', 'lambdas', 'health', 'handler.ts'),
      description: 'Sample backend: public health check',
    },
  }),
);

/** Properties of {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  /** The validated edge configuration; its `api` section is required. */
  readonly config: EdgeConfig;
  /**
   * Backend functions by name, replacing or adding to the sample backends.
   * @default - the sample backends of {@link SAMPLE_BACKENDS}
   */
  readonly backends?: Readonly<Record<string, lambda.IFunction>>;
}

/** The `api` section, or a ConfigError naming it. */
export function requireApiSection(config: EdgeConfig, source = 'edge config'): ApiConfig {
  if (config.api === undefined) {
    throw new ConfigError(source, [
      { path: 'api', message: 'is required to build the stack (routes, WAF, logging…)' },
    ]);
  }
  return config.api;
}

/**
 * The whole edge: REST API with the JWT authorizer, sample backends (or yours), the request guard
 * in front of the routes its config covers, usage plans, WAF, logging, alarms, dashboard and the
 * DynamoDB tables. Fails at synth with a ConfigError naming the field when the sections disagree.
 */
export class EdgeStack extends Stack {
  readonly edgeApi: EdgeApi;
  readonly tables: EdgeTables;
  readonly waf: EdgeWaf;
  readonly monitoring: EdgeMonitoring;
  readonly guard?: RequestGuard;
  /** Backend functions by name. */
  readonly backends: ReadonlyMap<string, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const config = props.config;
    const api = requireApiSection(config);
    const auth = config.auth;
    const retention = retentionDays(api.logging.retentionDays);
    const givenBackends = new Map(Object.entries(props.backends ?? {}));
    const knownBackends = new Set([...SAMPLE_BACKENDS.keys(), ...givenBackends.keys()]);

    const issues: ConfigIssue[] = [...deploymentAuthIssues(auth), ...checkApiAgainstAuth(api, auth.routes)];
    for (const [i, route] of api.routes.entries()) {
      if (!knownBackends.has(route.backend)) {
        issues.push({
          path: `api.routes[${i}].backend`,
          message: `unknown backend "${route.backend}" (known: ${[...knownBackends].join(', ')})`,
        });
      }
    }
    const guardConfig = config.guard;
    if (guardConfig !== undefined) {
      const served = new Set(api.routes.map((r) => routeKey(r.method, r.path)));
      for (const key of Object.keys(guardConfig.routes)) {
        if (!served.has(key)) {
          issues.push({
            path: `guard.routes["${key}"]`,
            message: 'is not a route of api.routes; the guard would never see it',
          });
        }
      }
      for (const key of guardRoutesWithoutAuthRule(guardConfig, auth.routes)) {
        issues.push({ path: `guard.routes["${key}"]`, message: 'has no auth.routes rule' });
      }
      if (!isPublicMethod(auth.routes, 'GET', guardConfig.jwksPath)) {
        issues.push({
          path: 'guard.jwksPath',
          message: `add { "method": "GET", "path": "${guardConfig.jwksPath}", "public": true } to auth.routes: the response-signing JWKS is public`,
        });
      }
      if (api.routes.some((r) => r.path === guardConfig.jwksPath)) {
        issues.push({ path: 'guard.jwksPath', message: 'is also a path of api.routes' });
      }
    } else if (api.responseSigning !== undefined) {
      issues.push({
        path: 'api.responseSigning',
        message: 'configures the request guard, but there is no guard section: remove it or add `guard`',
      });
    }
    if (issues.length > 0) throw new ConfigError('edge config', issues);
    for (const warning of clientRegistryWarnings(config)) {
      Annotations.of(this).addWarningV2('api-security-edge:client-registry', warning);
    }

    this.tables = new EdgeTables(this, 'Tables', {
      deletionProtection: api.tables.deletionProtection,
      retainOnStackDelete: api.tables.retainOnStackDelete,
    });

    const corsEnv = {
      [CORS_CONFIG_ENV]: JSON.stringify({
        allowOrigins: api.cors.allowOrigins,
        exposeHeaders: api.cors.exposeHeaders,
        allowCredentials: api.cors.allowCredentials,
      }),
    };
    const backends = new Map<string, lambda.IFunction>();
    const ownFunctions = new Map<string, lambda.IFunction>();
    for (const name of new Set(api.routes.map((r) => r.backend))) {
      const given = givenBackends.get(name);
      if (given !== undefined) {
        backends.set(name, given);
        continue;
      }
      const sample = SAMPLE_BACKENDS.get(name);
      if (sample === undefined) continue;
      const fn = new EdgeFunction(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Backend`, {
        entry: sample.entry,
        description: sample.description,
        memorySize: api.functions.backendMemoryMb,
        timeout: Duration.seconds(api.functions.backendTimeoutSeconds),
        logRetention: retention,
        environment: corsEnv,
      });
      acknowledge(fn.role ?? fn, NAG_ACKNOWLEDGEMENTS.xrayWildcard);
      backends.set(name, fn);
      ownFunctions.set(name, fn);
    }
    this.backends = backends;

    const targetOf = (backend: string): lambda.IFunction => {
      const fn = backends.get(backend);
      if (fn === undefined) throw new Error(`no backend ${backend}`);
      return fn;
    };
    const routes: EdgeRoute[] = [];
    if (guardConfig !== undefined) {
      const guarded = new Map<string, lambda.IFunction>();
      for (const r of api.routes) {
        const key = routeKey(r.method, r.path);
        if (Object.hasOwn(guardConfig.routes, key)) guarded.set(key, targetOf(r.backend));
      }
      const signing = api.responseSigning;
      const guard = new RequestGuard(this, 'RequestGuard', {
        config: guardConfig,
        ...(signing?.keyArn === undefined
          ? {}
          : { signingKey: kms.Key.fromKeyArn(this, 'ResponseSigningKey', signing.keyArn) }),
        previousSigningKeys: (signing?.previousKeyArns ?? []).map((arn, i) =>
          kms.Key.fromKeyArn(this, `PreviousResponseSigningKey${i + 1}`, arn),
        ),
        backends: guarded,
        nonceTable: this.tables.nonces,
        clientKeyTable: this.tables.clientKeys,
        environment: corsEnv,
        logRetention: retention,
        // The guard waits for the backend it invokes; API Gateway gives up at 29 s anyway.
        timeout: Duration.seconds(Math.min(29, api.functions.backendTimeoutSeconds + 3)),
      });
      acknowledge(guard.function.role ?? guard.function, NAG_ACKNOWLEDGEMENTS.xrayWildcard);
      this.guard = guard;
      ownFunctions.set('guard', guard.function);
      for (const r of api.routes) {
        const key = routeKey(r.method, r.path);
        routes.push({
          method: r.method,
          path: r.path,
          target: guarded.has(key) ? guard.function : targetOf(r.backend),
        });
      }
      routes.push({ method: 'GET', path: guardConfig.jwksPath, target: guard.function });
    } else {
      for (const r of api.routes)
        routes.push({ method: r.method, path: r.path, target: targetOf(r.backend) });
    }

    this.edgeApi = new EdgeApi(this, 'Edge', {
      config: api,
      authConfig: auth,
      routes,
      revocationTable: this.tables.revocations,
      authorizerFunctionProps: {
        memorySize: api.functions.authorizerMemoryMb,
        timeout: Duration.seconds(api.functions.authorizerTimeoutSeconds),
        reservedConcurrentExecutions: api.functions.authorizerReservedConcurrency,
        logRetention: retention,
      },
    });
    const authorizerFn = this.edgeApi.authorizer.function;
    if (authorizerFn !== undefined)
      acknowledge(authorizerFn.role ?? authorizerFn, NAG_ACKNOWLEDGEMENTS.xrayWildcard);

    this.waf = new EdgeWaf(this, 'Waf', {
      config: api.waf,
      maxAuthorizationHeaderBytes:
        api.waf.maxAuthorizationHeaderBytes ?? auth.tokenLimits.maxTokenBytes + 'Bearer '.length,
      stageArn: this.edgeApi.stage.stageArn,
      logRetention: retention,
    });

    this.monitoring = new EdgeMonitoring(this, 'Monitoring', {
      api: this.edgeApi.api,
      stageName: api.stageName,
      accessLogGroup: this.edgeApi.accessLogGroup,
      authorizerFunction: this.edgeApi.authorizer.handler,
      functions: ownFunctions,
      webAclName: this.waf.webAclName,
      alarms: api.alarms,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.edgeApi.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'AuthorizerFunctionArn', {
      value: this.edgeApi.authorizer.handler.functionArn,
      description: 'ARN of the JWT authorizer Lambda',
    });
    new CfnOutput(this, 'AuthorizerId', {
      value: this.edgeApi.authorizer.authorizerId,
      description: 'API Gateway authorizer id',
    });
    new CfnOutput(this, 'NonceTableName', { value: this.tables.nonces.tableName });
    new CfnOutput(this, 'ClientKeyTableName', { value: this.tables.clientKeys.tableName });
    new CfnOutput(this, 'RevocationTableName', { value: this.tables.revocations.tableName });
    new CfnOutput(this, 'DashboardUrl', {
      value: this.monitoring.dashboardUrl,
      description: 'CloudWatch dashboard',
    });
    if (this.guard !== undefined) {
      new CfnOutput(this, 'ResponseSigningKeyArn', { value: this.guard.signingKey.keyArn });
    }
    // The operator CLI (npm run clients) needs each tier's usage plan id to add API keys to it.
    const planKeys = usagePlanOutputKeys([...this.edgeApi.usagePlans.keys()]);
    for (const [tier, plan] of this.edgeApi.usagePlans) {
      new CfnOutput(this, `UsagePlanId-${tier}`, {
        key: planKeys.get(tier),
        value: plan.usagePlanId,
        description: `Usage plan id of tier "${tier}"`,
      });
    }
    if (this.edgeApi.usagePlans.size > 0) {
      new CfnOutput(this, 'UsagePlanIds', {
        value: [...this.edgeApi.usagePlans].map(([tier, plan]) => `${tier}=${plan.usagePlanId}`).join(','),
        description:
          'Every tier and its usage plan id, as npm run clients takes them (--usage-plans or USAGE_PLAN_IDS)',
      });
    }
  }
}

/**
 * CloudFormation output keys for the usage plan ids: `UsagePlanId` + the tier name without the
 * characters output keys may not hold (`-`, `_`); the tier's position is appended when two names
 * would collide (`free-tier` and `free_tier`).
 */
export function usagePlanOutputKeys(tiers: readonly string[]): Map<string, string> {
  const base = (tier: string): string => `UsagePlanId${tier.replace(/[^A-Za-z0-9]/g, '')}`;
  const counts = new Map<string, number>();
  for (const tier of tiers) counts.set(base(tier), (counts.get(base(tier)) ?? 0) + 1);
  return new Map(
    tiers.map((tier, i) => [
      tier,
      (counts.get(base(tier)) ?? 0) > 1 ? `${base(tier)}${String(i)}` : base(tier),
    ]),
  );
}
