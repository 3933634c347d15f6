import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { AuthorizerConfig } from '../shared/config/authorizer-config';
import type { AuthorizerContext } from '../shared/contracts/authorizer-context';
import { isCanonicalPath } from '../shared/contracts/canonical-path';
import { AUTHORIZER_DECISION_METRIC, type DecisionOutcome } from '../shared/contracts/metrics';
import { DecisionCounter, type MetricsSink, type StructuredLogger } from '../shared/logging/powertools';
import { assertToken68, extractBearerCredential } from './bearer';
import { buildAuthorizerContext, principalFromClaims, type Principal } from './claims';
import { DecisionCache, tokenCacheKey } from './decision-cache';
import type { ClientIdentity, ClientRegistry } from './client-registry';
import {
  AuthorizerError,
  ClientRegistryUnavailableError,
  InternalAuthorizerError,
  RevocationUnavailableError,
  TokenRejectedError,
  type ReasonCode,
} from './errors';
import { parseAuthorizerEvent, type AuthorizerRequest } from './events';
import { gatewaySignal } from './gateway-signal';
import { stackFrames } from '../shared/logging/stack-frames';
import type { RevocationCheck, RevocationSubject } from './revocation-check';
import { HttpFetcher } from './http-fetcher';
import { loggableUrl } from '../shared/logging/loggable-url';
import { toAuthorizerError } from './library-errors';
import { PolicyBuilder, type PolicyDocument } from './policy';
import { RestTargetResolver } from './rest-target';
import { compileRoutes, matchRoute, matchRouteKey, type CompiledRoute } from './route-matcher';
import { allowedRoutes, allowedRoutesKey, entitlementsOf } from './rules';
import { TokenVerifier, type TokenTrace, type VerifiedToken } from './verifier';

/** Everything the authorizer takes from its surroundings; all optional, injected by tests and embedders. */
export interface AuthorizerDeps {
  /** Current time in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Fetches JWKS and OIDC discovery documents. @default an http(s) fetcher with the configured timeout */
  readonly fetcher?: Fetcher;
  /** Receives one line per decision. @default a Powertools Logger (see handler.ts) */
  readonly logger?: StructuredLogger;
  /** Receives the EMF decision counts. @default an `EmfMetrics` (see handler.ts) */
  readonly metrics?: MetricsSink;
  /**
   * Decision counts are aggregated and published at most this often; 0 publishes every decision.
   * @default 1000
   */
  readonly metricsFlushIntervalMs?: number;
  /**
   * DynamoDB client of the revocation store and the client registry (when `revocation` or `clients` is
   * configured). @default a new client (handler.ts)
   */
  readonly dynamo?: DynamoDBClient;
}

/** REST API (TOKEN or REQUEST) authorizer answer. */
export interface PolicyAuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  readonly context: AuthorizerContext;
  readonly usageIdentifierKey?: string;
}

/** HTTP API payload 2.0 simple response. */
export interface SimpleAuthorizerResult {
  readonly isAuthorized: boolean;
  readonly context: AuthorizerContext | Readonly<Record<string, never>>;
}

export type AuthorizerResult = PolicyAuthorizerResult | SimpleAuthorizerResult;

/** What a verified token is remembered as in the decision cache. */
interface VerifiedPrincipal {
  readonly principal: Principal;
  readonly context: AuthorizerContext;
  readonly allowed: readonly boolean[];
  readonly allowedKey: string;
  readonly kid: string;
  /** The token as the revocation check sees it, with its keys (built once per verified token). */
  readonly revocation: { readonly subject: RevocationSubject; readonly keys: readonly string[] } | undefined;
}

/** The message API Gateway turns into a 401. Exactly this, nothing else. */
export const UNAUTHORIZED = 'Unauthorized';

/** The message thrown (API Gateway: 500) when the revocation store cannot be read under `deny`. */
export const REVOCATION_UNAVAILABLE = 'Revocation check unavailable';

/** The message thrown (API Gateway: 500) when the client registry cannot be read. */
export const CLIENT_REGISTRY_UNAVAILABLE = 'Client registry unavailable';

/**
 * The authorizer's decision logic, independent of Lambda: verify the bearer token (or find it in the
 * decision cache), map its claims to roles and scopes, decide the route, build the cacheable policy,
 * and write one log line and one metric per decision.
 */
export class Authorizer {
  private readonly verifier: TokenVerifier;
  private readonly routes: readonly CompiledRoute[];
  private readonly targets: RestTargetResolver;
  private readonly policies: PolicyBuilder;
  private readonly cache: DecisionCache<VerifiedPrincipal>;
  private readonly maxTokenBytes: number;
  private readonly logger: StructuredLogger;
  private readonly counter: DecisionCounter;
  private readonly cacheEnabled: boolean;
  private readonly preloaded: Promise<void>;
  private readonly revocation: RevocationCheck | undefined;
  private readonly clients: ClientRegistry | undefined;
  /** No route allowed: the policy of an unknown client. */
  private readonly denyAll: readonly boolean[];
  private readonly denyAllKey: string;

  constructor(
    config: AuthorizerConfig,
    deps: AuthorizerDeps & {
      logger: StructuredLogger;
      metrics: MetricsSink;
      revocation?: RevocationCheck;
      clients?: ClientRegistry;
    },
  ) {
    if (config.revocation !== undefined && deps.revocation === undefined) {
      throw new InternalAuthorizerError('revocation is configured but no revocation check was given');
    }
    if (config.clients !== undefined && deps.clients === undefined) {
      throw new InternalAuthorizerError('clients is configured but no client registry was given');
    }
    this.revocation = deps.revocation;
    this.clients = deps.clients;
    const clock = deps.clock ?? Date.now;
    this.logger = deps.logger;
    this.counter = new DecisionCounter(deps.metrics, {
      metricName: AUTHORIZER_DECISION_METRIC,
      clock,
      ...(deps.metricsFlushIntervalMs === undefined ? {} : { flushIntervalMs: deps.metricsFlushIntervalMs }),
    });
    this.cacheEnabled = config.decisionCache.maxEntries > 0;
    this.maxTokenBytes = config.tokenLimits.maxTokenBytes;
    this.routes = compileRoutes(config.routes);
    this.targets = new RestTargetResolver(this.routes);
    this.policies = new PolicyBuilder(this.routes);
    this.denyAll = this.routes.map(() => false);
    this.denyAllKey = allowedRoutesKey(this.denyAll);
    this.cache = new DecisionCache({
      maxEntries: config.decisionCache.maxEntries,
      maxAgeSeconds: config.decisionCache.maxAgeSeconds,
      clock,
    });
    this.verifier = new TokenVerifier(config, {
      clock,
      fetcher: deps.fetcher ?? new HttpFetcher({ timeoutMs: config.jwks.fetchTimeoutMs }),
    });
    this.preloaded = this.verifier.preload().then((failures) => {
      for (const failure of failures) {
        this.logger.warn('JWKS pre-load failed; keys will be fetched on demand', {
          reason: 'jwks_unavailable',
          // Origin and path only: no query string, fragment or user info reaches the log.
          jwksSource: loggableUrl(failure.cacheKey),
          errorName: failure.error instanceof Error ? failure.error.name : 'unknown',
        });
      }
    });
  }

  /** Resolves when the cold-start JWKS pre-load has finished (successfully or not). Never rejects. */
  ready(): Promise<void> {
    return this.preloaded;
  }

  /**
   * Answers one authorizer event.
   * @throws Error `Unauthorized` (exactly) for a REST event with a missing, malformed or invalid token,
   *   or on any internal failure (fail closed)
   */
  async handle(event: unknown, requestId?: string): Promise<AuthorizerResult> {
    const started = performance.now();
    const trace: TokenTrace = {};
    const request = parseAuthorizerEvent(event);
    let route: CompiledRoute | undefined;
    let cached = false;
    try {
      if (request === undefined) throw new InternalAuthorizerError('unsupported authorizer event');
      const target = request.kind === 'rest' ? this.targets.resolve(request.methodArn) : undefined;
      if (request.kind === 'rest' && target === undefined) {
        throw new InternalAuthorizerError('methodArn is not an execute-api method ARN');
      }
      const token = extractBearerCredential(request.authorization, this.maxTokenBytes);
      const cacheKey = this.cacheEnabled ? tokenCacheKey(token) : undefined;
      let verified = cacheKey === undefined ? undefined : this.cache.get(cacheKey);
      cached = verified !== undefined;
      if (verified === undefined) {
        // Only a miss needs the syntax check: the cache holds only tokens that passed it and every other check.
        assertToken68(token);
        verified = this.principalOf(await this.verifier.verify(token, trace));
        if (cacheKey !== undefined) this.cache.set(cacheKey, verified, verified.principal.exp);
      } else {
        traceFromPrincipal(trace, verified);
      }
      if (this.revocation !== undefined && verified.revocation !== undefined) {
        await this.revocation.check(verified.revocation.subject, verified.revocation.keys);
      }
      let client: ClientIdentity | undefined;
      if (this.clients !== undefined) {
        trace.clientId = verified.principal.clientId;
        client = await this.clients.identify(verified.principal.clientId);
      }
      route = request.kind === 'rest' ? target?.route : this.selectHttpRoute(request);
      const reason: ReasonCode =
        this.clients !== undefined && client === undefined
          ? 'unknown_client'
          : route === undefined
            ? 'no_matching_rule'
            : verified.allowed[route.index] === true
              ? 'ok'
              : 'missing_role';
      const outcome: DecisionOutcome = reason === 'ok' ? 'allow' : 'deny';
      this.record(outcome, reason, trace, started, request, route, cached, requestId);
      if (target === undefined) {
        return outcome === 'allow'
          ? { isAuthorized: true, context: withClientTier(verified.context, client) }
          : { isAuthorized: false, context: {} };
      }
      if (this.clients !== undefined) return this.clientResult(target.arnPrefix, verified, client);
      return {
        principalId: verified.principal.sub,
        policyDocument: this.policies.build(target.arnPrefix, verified.allowed, verified.allowedKey),
        context: verified.context,
      };
    } catch (caught) {
      const error = toAuthorizerError(caught);
      const outcome: DecisionOutcome =
        error instanceof InternalAuthorizerError ||
        error instanceof RevocationUnavailableError ||
        error instanceof ClientRegistryUnavailableError
          ? 'error'
          : 'unauthorized';
      try {
        this.record(outcome, error.reason, trace, started, request, route, cached, requestId, error);
      } catch {
        // Logging must never turn a refusal into anything but a refusal.
      }
      // The revocation store failed under the `deny` policy: API Gateway answers 500, never an allow.
      if (error instanceof RevocationUnavailableError) throw gatewaySignal(REVOCATION_UNAVAILABLE);
      // The client registry failed (or holds a garbled item): 500 as well, whatever unknownClients says.
      if (error instanceof ClientRegistryUnavailableError) throw gatewaySignal(CLIENT_REGISTRY_UNAVAILABLE);
      if (request?.kind === 'http-v2') return { isAuthorized: false, context: {} };
      throw gatewaySignal(UNAUTHORIZED);
    }
  }

  /**
   * The REST answer with the client registry on. A known client's answer always carries its tier and
   * `usageIdentifierKey`, whatever the route: API Gateway caches the whole answer per token and
   * evaluates the cached policy for the token's later routes. An unknown client's answer allows no
   * route at all (403 everywhere, and cacheable as such).
   */
  private clientResult(
    arnPrefix: string,
    verified: VerifiedPrincipal,
    client: ClientIdentity | undefined,
  ): PolicyAuthorizerResult {
    if (client === undefined) {
      return {
        principalId: verified.principal.sub,
        policyDocument: this.policies.build(arnPrefix, this.denyAll, this.denyAllKey),
        context: verified.context,
      };
    }
    return {
      principalId: verified.principal.sub,
      policyDocument: this.policies.build(arnPrefix, verified.allowed, verified.allowedKey),
      context: withClientTier(verified.context, client),
      usageIdentifierKey: client.apiKeyValue,
    };
  }

  /** What a verified token is remembered as: its principal, context, allowed routes and revocation keys. */
  private principalOf(verified: VerifiedToken): VerifiedPrincipal {
    const principal = principalFromClaims(verified.payload, verified.issuer);
    const allowed = allowedRoutes(this.routes, entitlementsOf(principal));
    let revocation: VerifiedPrincipal['revocation'];
    if (this.revocation !== undefined) {
      const { sub, iss, jti, clientId } = principal;
      const subject: RevocationSubject = { sub, iss, jti, clientId, iat: verified.payload.iat ?? 0 };
      revocation = { subject, keys: this.revocation.keysOf(subject) };
    }
    return {
      principal,
      context: buildAuthorizerContext(principal),
      allowed,
      allowedKey: allowedRoutesKey(allowed),
      kid: verified.kid,
      revocation,
    };
  }

  /** The rule for an HTTP API request (REST requests resolve theirs from the method ARN). */
  private selectHttpRoute(
    request: Extract<AuthorizerRequest, { kind: 'http-v2' }>,
  ): CompiledRoute | undefined {
    if (request.routeTemplate !== undefined) {
      return matchRouteKey(this.routes, request.routeTemplate, request.method);
    }
    // `$default` route: the rule comes from the raw path. HTTP APIs have no WAF to refuse another
    // spelling of a literal segment (`/orders/%65xport`, `/orders//export`), which a backend that
    // decodes before routing could treat as the literal route: such a path matches no rule (deny).
    if (!isCanonicalPath(request.path)) return undefined;
    return matchRoute(this.routes, request.method, request.path);
  }

  private record(
    outcome: DecisionOutcome,
    reason: ReasonCode,
    trace: TokenTrace,
    started: number,
    request: AuthorizerRequest | undefined,
    route: CompiledRoute | undefined,
    cached: boolean,
    requestId: string | undefined,
    error?: AuthorizerError,
  ): void {
    const attributes: Record<string, unknown> = {
      outcome,
      reason,
      sub: trace.sub,
      iss: trace.iss,
      kid: trace.kid,
      jti: trace.jti,
      clientId: trace.clientId,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      route: route === undefined ? undefined : `${route.method} ${route.template}`,
      eventType: request?.kind,
      cached,
      requestId,
    };
    if (error instanceof TokenRejectedError && error.claim !== undefined) attributes.claim = error.claim;
    if (outcome === 'error') {
      const cause = error?.cause;
      attributes.errorName = cause instanceof Error ? cause.name : error?.name;
      // Where an unexpected failure came from (frames only, never its message).
      attributes.errorFrames = stackFrames(cause);
      this.logger.error('authorizer decision', attributes);
    } else {
      this.logger.info('authorizer decision', attributes);
    }
    this.counter.record(outcome, reason);
  }
}

/** The context with the client's tier added (unchanged when the registry is off). */
function withClientTier(context: AuthorizerContext, client: ClientIdentity | undefined): AuthorizerContext {
  return client === undefined ? context : { ...context, clientTier: client.tier };
}

function traceFromPrincipal(trace: TokenTrace, verified: VerifiedPrincipal): void {
  trace.sub = verified.principal.sub;
  trace.iss = verified.principal.iss;
  trace.kid = verified.kid;
  if (verified.principal.jti !== '') trace.jti = verified.principal.jti;
}
