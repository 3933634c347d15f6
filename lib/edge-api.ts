import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuthorizerConfig } from '../lambdas/shared/config/authorizer-config';
import { accessLogFormatString } from './access-log-format';
import { isPublicMethod, type ApiConfig } from './config/api-config';
import {
  GATEWAY_RESPONSE_TYPES,
  gatewayResponseSpec,
  gatewayProblemTemplate,
  gatewayResponseHeaders,
} from './gateway-responses-spec';
import { BEARER_VALIDATION_REGEX } from './identity-validation';
import { JwtAuthorizer, type JwtAuthorizerFunctionProps } from './jwt-authorizer';
import { retentionDays } from './log-retention';
import { acknowledge, NAG_ACKNOWLEDGEMENTS } from './nag-acknowledgements';

/** One method of the API and the Lambda that serves it (a backend, or the request guard). */
export interface EdgeRoute {
  readonly method: string;
  readonly path: string;
  readonly target: lambda.IFunction;
}

/** Properties of {@link EdgeApi}. */
export interface EdgeApiProps {
  /** The validated `api` section. */
  readonly config: ApiConfig;
  /** The validated `auth` section (route rules decide what is public; the authorizer gets it whole). */
  readonly authConfig: AuthorizerConfig;
  /** The methods to create. Public ones are those marked public in `authConfig.routes`. */
  readonly routes: readonly EdgeRoute[];
  /** Sizing of the authorizer function. @default - see JwtAuthorizerFunctionProps */
  readonly authorizerFunctionProps?: JwtAuthorizerFunctionProps;
  /** The revocation table, for `authConfig.revocation`. @default - see JwtAuthorizerProps.revocationTable */
  readonly revocationTable?: dynamodb.ITable;
}

/** Route key as config writes it: `GET /orders/{id}`. */
export const routeKey = (method: string, path: string): string => `${method} ${path}`;

/**
 * The regional REST API of the edge with its stage, the JWT authorizer on every non-public method,
 * CORS preflight from the allowlist, gateway responses (problem+json, RFC 6750 headers), JSON access
 * logs without tokens, execution logs at ERROR with data trace off, stage and per-method throttling,
 * usage plans with API keys, and an optional custom domain with a TLS 1.2+ policy.
 */
export class EdgeApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  readonly authorizer: JwtAuthorizer;
  readonly accessLogGroup: logs.LogGroup;
  /** Methods by route key (`GET /orders`). */
  readonly methods: ReadonlyMap<string, apigateway.Method>;
  readonly usagePlans: ReadonlyMap<string, apigateway.UsagePlan>;
  readonly domain?: apigateway.DomainName;
  /**
   * The URL clients use, without a trailing slash (`${url}/orders` is then a canonical path; WAF
   * refuses `//`): the custom domain when set, else the execute-api stage URL.
   */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EdgeApiProps) {
    super(scope, id);
    const { config, authConfig } = props;
    const retention = retentionDays(config.logging.retentionDays);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Stage-wide settings (`/*/*`) come from deployOptions; these override single methods.
    const methodOptions: Record<string, apigateway.MethodDeploymentOptions> = Object.fromEntries(
      config.methodThrottles.map((t) => [
        // CDK's key is `{resource path}/{method}`; the root resource's path is `/`, hence `//GET`.
        `${t.path}/${t.method === 'ANY' ? '*' : t.method}`,
        {
          loggingLevel: apigateway.MethodLoggingLevel.ERROR,
          dataTraceEnabled: false,
          metricsEnabled: true,
          throttlingRateLimit: t.rateLimit,
          throttlingBurstLimit: t.burstLimit,
        },
      ]),
    );

    const cors = config.cors;
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: config.description ?? 'API security edge',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      apiKeySourceType:
        config.apiKeys.source === 'AUTHORIZER'
          ? apigateway.ApiKeySourceType.AUTHORIZER
          : apigateway.ApiKeySourceType.HEADER,
      disableExecuteApiEndpoint:
        config.customDomain !== undefined && !config.customDomain.keepExecuteApiEndpoint,
      cloudWatchRole: config.logging.manageAccountCloudWatchRole,
      cloudWatchRoleRemovalPolicy: config.logging.manageAccountCloudWatchRole
        ? RemovalPolicy.RETAIN
        : undefined,
      failOnWarnings: true,
      deployOptions: {
        stageName: config.stageName,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(accessLogFormatString()),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        methodOptions,
      },
      defaultCorsPreflightOptions:
        cors.allowOrigins.length === 0
          ? undefined
          : {
              allowOrigins: [...cors.allowOrigins],
              allowHeaders: [...cors.allowHeaders],
              allowMethods: [
                ...new Set(
                  props.routes
                    .map((r) => (r.method === 'ANY' ? apigateway.Cors.ALL_METHODS : [r.method]))
                    .flat(),
                ),
              ],
              allowCredentials: cors.allowCredentials,
              exposeHeaders: [...cors.exposeHeaders],
              maxAge: Duration.seconds(cors.maxAgeSeconds),
              disableCache: false,
            },
    });
    this.stage = this.api.deploymentStage;
    acknowledge(this.api.node.defaultChild ?? this.api, NAG_ACKNOWLEDGEMENTS.bodyValidationInGuard);
    if (config.logging.manageAccountCloudWatchRole) {
      const role = this.api.node.tryFindChild('CloudWatchRole');
      if (role !== undefined) acknowledge(role, NAG_ACKNOWLEDGEMENTS.apiGatewayCloudWatchRole);
    }

    this.authorizer = new JwtAuthorizer(this, 'Authorizer', {
      restApi: this.api,
      authConfig,
      functionProps: props.authorizerFunctionProps,
      ...(props.revocationTable === undefined ? {} : { revocationTable: props.revocationTable }),
    });

    // Authorizer and gateway-response changes need a new deployment; the CDK only hashes what it manages itself.
    this.api.latestDeployment?.addToLogicalId({
      authorizer: { ttl: this.authorizer.resultsCacheTtlSeconds, regex: BEARER_VALIDATION_REGEX },
      gatewayResponses: GATEWAY_RESPONSE_TYPES.map((t) => [
        t,
        gatewayResponseHeaders(gatewayResponseSpec(t), cors),
      ]),
    });

    for (const type of GATEWAY_RESPONSE_TYPES) {
      const spec = gatewayResponseSpec(type);
      const headers = gatewayResponseHeaders(spec, cors);
      this.api.addGatewayResponse(`Response${type}`, {
        type: apigateway.ResponseType.of(type),
        statusCode: spec.statusCode?.toString(),
        responseHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, `'${v}'`])),
        templates: { 'application/json': gatewayProblemTemplate(spec) },
      });
    }

    const validator = this.api.addRequestValidator('ParameterValidator', {
      validateRequestParameters: true,
      validateRequestBody: false,
    });

    const methods = new Map<string, apigateway.Method>();
    for (const route of props.routes) {
      const resource = route.path === '/' ? this.api.root : this.api.root.resourceForPath(route.path);
      const isPublic = isPublicMethod(authConfig.routes, route.method, route.path);
      const requestParameters = Object.fromEntries(
        [...route.path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => [
          `method.request.path.${m[1] ?? ''}`,
          true,
        ]),
      );
      const method = resource.addMethod(
        route.method,
        new apigateway.LambdaIntegration(route.target, { proxy: true, allowTestInvoke: false }),
        {
          ...(isPublic
            ? { authorizationType: apigateway.AuthorizationType.NONE }
            : { authorizer: this.authorizer, authorizationType: apigateway.AuthorizationType.CUSTOM }),
          apiKeyRequired: !isPublic && config.apiKeys.required,
          requestValidator: validator,
          requestParameters,
        },
      );
      if (isPublic)
        acknowledge(
          method,
          NAG_ACKNOWLEDGEMENTS.publicMethodAuthorization,
          NAG_ACKNOWLEDGEMENTS.publicMethodCognito,
        );
      else acknowledge(method, NAG_ACKNOWLEDGEMENTS.lambdaJwtAuthorizer);
      methods.set(routeKey(route.method, route.path), method);
    }
    this.methods = methods;

    // CORS preflight methods are public by design.
    for (const child of this.api.node.findAll()) {
      if (child instanceof apigateway.Method && child.httpMethod === 'OPTIONS') {
        acknowledge(
          child,
          NAG_ACKNOWLEDGEMENTS.publicMethodAuthorization,
          NAG_ACKNOWLEDGEMENTS.publicMethodCognito,
        );
      }
    }

    const plans = new Map<string, apigateway.UsagePlan>();
    for (const planConfig of config.usagePlans) {
      const plan = this.api.addUsagePlan(`UsagePlan-${planConfig.name}`, {
        name: `${Stack.of(this).stackName}-${planConfig.name}`,
        description: planConfig.description,
        throttle: { rateLimit: planConfig.throttle.rateLimit, burstLimit: planConfig.throttle.burstLimit },
        quota:
          planConfig.quota === undefined
            ? undefined
            : { limit: planConfig.quota.limit, period: apigateway.Period[planConfig.quota.period] },
      });
      plan.addApiStage({
        stage: this.stage,
        throttle: planConfig.methodThrottles.map((t) => {
          const method = methods.get(routeKey(t.method, t.path));
          if (method === undefined)
            throw new Error(`${this.node.path}: no method ${routeKey(t.method, t.path)}`);
          return { method, throttle: { rateLimit: t.rateLimit, burstLimit: t.burstLimit } };
        }),
      });
      for (const key of planConfig.apiKeys) {
        const apiKey = this.api.addApiKey(`ApiKey-${planConfig.name}-${key.name}`, {
          apiKeyName: `${Stack.of(this).stackName}-${key.name}`,
          description: `Usage plan ${planConfig.name}`,
        });
        plan.addApiKey(apiKey);
      }
      plans.set(planConfig.name, plan);
    }
    this.usagePlans = plans;

    if (config.customDomain !== undefined) {
      const d = config.customDomain;
      const securityPolicy = Object.values(apigateway.SecurityPolicy).find(
        (p: string) => p === d.securityPolicy,
      );
      if (securityPolicy === undefined)
        throw new Error(`${this.node.path}: unknown security policy ${d.securityPolicy}`);
      const enhanced = d.securityPolicy.startsWith('SecurityPolicy_');
      this.domain = new apigateway.DomainName(this, 'Domain', {
        domainName: d.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', d.certificateArn),
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy,
        endpointAccessMode: enhanced ? apigateway.EndpointAccessMode[d.endpointAccessMode] : undefined,
      });
      // A multi-level base path (`orders/v1`) needs an API mapping; a single-level one keeps the
      // classic base path mapping.
      if (d.basePath?.includes('/') === true) this.domain.addApiMapping(this.stage, { basePath: d.basePath });
      else this.domain.addBasePathMapping(this.api, { basePath: d.basePath, stage: this.stage });
      this.url = `https://${d.domainName}${d.basePath === undefined ? '' : `/${d.basePath}`}`;
    } else {
      // `RestApi.url` ends in a slash; the stage URL is built without it.
      const stack = Stack.of(this);
      this.url = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${this.stage.stageName}`;
    }
  }
}
