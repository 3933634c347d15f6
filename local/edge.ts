import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AccessLogRecord } from '../lib/access-log-format';
import type { EdgeConfig } from '../lib/config/edge-config';
import { BEARER_VALIDATION_REGEX, IDENTITY_HEADER } from '../lib/identity-validation';
import { CLIENT_KEY_TABLE, NONCE_TABLE, REVOCATION_TABLE } from '../lambdas/shared/contracts/tables';
import { CORS_CONFIG_ENV } from '../lambdas/shared/backend-http/cors';
import { silentLogger } from '../lambdas/shared/logging/powertools';
import { createGuard, type GuardHandler } from '../lambdas/guard/create-guard';
import { LocalResponseSigner } from '../lambdas/guard/response-signer';
import { loadBackends, type BackendHandler, type BackendModule } from './backends';
import { startLocalDynamo, type LocalDynamo } from './dynamo/local-dynamo';
import { createGateway, type Gateway, type TokenAuthorizerEvent } from './gateway/gateway';
import { buildGatewayRoutes, GUARD_INTEGRATION, routeKey } from './gateway/gateway-routes';
import { startGatewayServer, type GatewayServer } from './gateway/gateway-server';
import { LOCAL_API } from './gateway/method-arn';
import { preflightMethods } from './gateway/cors';
import { invokeAsLambda } from './gateway/lambda-payload';
import { evaluatePolicy } from './gateway/policy-evaluator';
import { LocalApiKeyResolver } from './gateway/local-api-key-store';
import { generateApiKey, type LocalApiKey } from './gateway/usage-plans';
import { startLocalIdp, type LocalIdp } from './idp/idp-server';
import { generateSigningKeys, loadOrCreateSigningKeys, type SigningKeys } from './idp/signing-keys';
import { loadLocalAuthorizer, type LocalAuthorizer } from './local-authorizer';
import { buildLocalEdgeConfig, defaultLocalAudience } from './local-config';
import { quietSdkNodeVersionNotice } from './quiet-warnings';
import type { LocalState } from './state-file';

/** Ports of the three local services (0 picks a free one). */
export interface LocalPorts {
  readonly gateway: number;
  readonly idp: number;
  readonly dynamo: number;
}

/** How to start the local edge. */
export interface LocalEdgeOptions {
  /** The edge configuration as `cdk synth` reads it (the issuer is replaced by the local IdP). */
  readonly baseConfig: EdgeConfig;
  readonly ports: LocalPorts;
  /** Where the IdP keys live (`.local/`); undefined keeps keys in memory only (tests). */
  readonly stateDir: string | undefined;
  /** Clock in ms (tests inject one to move the authorizer cache and token buckets). */
  readonly nowMs?: () => number;
  /** Access-log sink (one record per request). @default no logging */
  readonly accessLog?: (record: AccessLogRecord) => void;
  /** A last change to the local configuration, e.g. tiny throttles for a test. */
  readonly adjustConfig?: (config: EdgeConfig) => EdgeConfig;
  /** Wraps the authorizer handler, e.g. to count invocations in a test. */
  readonly wrapAuthorizer?: (authorizer: LocalAuthorizer) => LocalAuthorizer;
  /** Let the authorizer and guard write their JSON log lines to stdout. @default false */
  readonly lambdaLogs?: boolean;
  /** Your own backend handler modules (`npm start -- --backend name=module`). @default none: the samples */
  readonly backendModules?: readonly BackendModule[];
}

/** A running local edge. */
export interface LocalEdge {
  readonly gatewayUrl: string;
  readonly idp: LocalIdp;
  readonly dynamo: LocalDynamo;
  /** The configuration in force (local issuer). */
  readonly config: EdgeConfig;
  /** API keys generated for the usage plans' named keys. */
  readonly apiKeys: readonly LocalApiKey[];
  readonly gateway: Gateway;
  readonly signingKeys: SigningKeys;
  close(): Promise<void>;
}

/**
 * Starts dynalite with the edge's tables, the local identity provider and the local gateway in
 * front of the real authorizer, guard and backend handlers. On any failure everything already
 * started is stopped again before the error propagates.
 */
export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  quietSdkNodeVersionNotice();
  const nowMs = options.nowMs ?? Date.now;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // keep closing the rest
      }
    }
    closers.length = 0;
  };
  try {
    const dynamo = await startLocalDynamo(options.ports.dynamo);
    closers.push(() => dynamo.close());

    const signingKeys =
      options.stateDir === undefined
        ? generateSigningKeys()
        : await loadOrCreateSigningKeys(options.stateDir);
    const idp = await startLocalIdp({
      keys: signingKeys,
      port: options.ports.idp,
      audience: defaultLocalAudience(options.baseConfig),
      nowSeconds: () => Math.floor(nowMs() / 1000),
    });
    closers.push(() => idp.close());

    let config = buildLocalEdgeConfig(options.baseConfig, { issuer: idp.issuer });
    if (options.adjustConfig !== undefined) config = options.adjustConfig(config);
    const apiSection = config.api;
    if (apiSection === undefined)
      throw new Error('the configuration has no "api" section: the local gateway needs apiSection.routes');

    // The environment the stack gives its Lambdas, set before their modules load.
    Object.assign(process.env, dynamo.tableEnv, {
      [CORS_CONFIG_ENV]: JSON.stringify({
        allowOrigins: apiSection.cors.allowOrigins,
        exposeHeaders: apiSection.cors.exposeHeaders,
        allowCredentials: apiSection.cors.allowCredentials,
      }),
    });

    const loaded = await loadLocalAuthorizer(config.auth, {
      clock: nowMs,
      logDecisions: options.lambdaLogs === true,
      dynamo: dynamo.client,
    });
    const authorizer = options.wrapAuthorizer?.(loaded) ?? loaded;
    const backends = loadBackends(
      apiSection.routes.map((r) => r.backend),
      options.backendModules,
    );
    const backendByRoute = new Map<string, BackendHandler>();
    for (const route of apiSection.routes) {
      const handler = backends.get(route.backend);
      if (handler !== undefined) backendByRoute.set(routeKey(route.method, route.path), handler);
    }

    let guard: GuardHandler | undefined;
    if (config.guard !== undefined) {
      guard = createGuard(config.guard, {
        dynamo: dynamo.client,
        tables: { nonces: NONCE_TABLE.logicalName, clientKeys: CLIENT_KEY_TABLE.logicalName },
        backend: {
          // A Lambda invocation, as LambdaBackendInvoker makes it: JSON in, JSON out.
          invoke: async (key: string, event: APIGatewayProxyEvent) => {
            const handler = backendByRoute.get(key);
            if (handler === undefined) throw new Error(`no backend for guarded route ${key}`);
            return (await invokeAsLambda(handler, event)) as never;
          },
        },
        responseSigner: LocalResponseSigner.generate(),
        clock: nowMs,
        ...(options.lambdaLogs === true ? {} : { logger: silentLogger }),
      });
    }

    const routes = buildGatewayRoutes(config);
    const apiKeys = apiSection.usagePlans.flatMap((plan) =>
      plan.apiKeys.map((k) => generateApiKey(plan.name, k.name)),
    );
    // Keys `npm run clients` issues at run time live in the local key store (the registry's table).
    const issuedKeys = new LocalApiKeyResolver(dynamo.client, REVOCATION_TABLE.logicalName, nowMs);
    const gateway = createGateway({
      api: { ...LOCAL_API, stage: apiSection.stageName },
      routes,
      identitySource: {
        headerName: IDENTITY_HEADER,
        // eslint-disable-next-line security/detect-non-literal-regexp -- the stack's constant, not input
        validationRegex: new RegExp(BEARER_VALIDATION_REGEX),
      },
      resultCacheTtlSeconds: config.auth.resultCacheTtlSeconds,
      authorizerTimeoutMs: apiSection.functions.authorizerTimeoutSeconds * 1000,
      // The gateway invokes these as Lambda does (a JSON copy of the event in, of the result out).
      invokeAuthorizer: (event: TokenAuthorizerEvent) => authorizer(event),
      evaluatePolicy,
      invokeIntegration: async (integration, event) => {
        if (integration === GUARD_INTEGRATION) {
          if (guard === undefined) throw new Error('no guard configured');
          return guard(event);
        }
        const handler = backends.get(integration.replace(/^backend:/, ''));
        if (handler === undefined) throw new Error(`no backend ${integration}`);
        return handler(event);
      },
      // The backend's Lambda timeout ends it first (a function error → 502), within API Gateway's 29 s.
      integrationTimeout: { ms: apiSection.functions.backendTimeoutSeconds * 1000, status: 502 },
      apiKeySource: apiSection.apiKeys.source,
      usage: {
        plans: apiSection.usagePlans,
        keys: apiKeys,
        stageThrottle: apiSection.throttle,
        stageMethodThrottles: apiSection.methodThrottles,
        resolveKey: (value) => issuedKeys.resolve(value),
      },
      cors: { ...apiSection.cors, allowMethods: preflightMethods(routes.map((r) => r.httpMethod)) },
      nowMs,
      newRequestId: randomUUID,
      accessLog: options.accessLog ?? (() => undefined),
    });
    const server: GatewayServer = await startGatewayServer(gateway, options.ports.gateway);
    closers.push(() => server.close());

    return {
      gatewayUrl: server.url,
      idp,
      dynamo,
      config,
      apiKeys,
      gateway,
      signingKeys,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** What a running local edge tells the other tools: where each part listens. */
export function localEdgeState(edge: LocalEdge, pid = process.pid): LocalState {
  return {
    pid,
    gatewayUrl: edge.gatewayUrl,
    issuer: edge.idp.issuer,
    tokenEndpoint: edge.idp.tokenEndpoint,
    dynamoEndpoint: edge.dynamo.endpoint,
    audience: defaultLocalAudience(edge.config),
    usagePlans: (edge.config.api?.usagePlans ?? []).map((plan) => plan.name),
  };
}
