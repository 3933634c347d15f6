import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AccessLogRecord } from '../../lib/access-log-format';
import {
  renderGatewayResponse,
  type GatewayCorsSettings,
  type GatewayResponseType,
} from '../../lib/gateway-responses-spec';
import { isCanonicalPath } from '../../lambdas/shared/contracts/canonical-path';
import { rawHeaderPairs } from '../own-property';
import { renderAccessLog, type ContextValues } from './access-log';
import { AuthorizerResultCache } from './authorizer-cache';
import {
  MalformedAuthorizerResponseError,
  parseAuthorizerAnswer,
  type AuthorizerAnswer,
} from './authorizer-response';
import { corsEnabled, preflightHeaders, type PreflightSettings } from './cors';
import { checkIdentitySource, type IdentitySourceSettings } from './identity-source';
import { parseIntegrationResponse, type IntegrationResponse } from './integration-response';
import { invokeAsLambda } from './lambda-payload';
import { buildMethodArn, type ApiIdentity } from './method-arn';
import { buildProxyEvent } from './proxy-event';
import { compileRoutes, matchRoute, type ApiMethod } from './route-table';
import { UsageMeter, type MeterSettings } from './usage-plans';

/** What a method of the emulated API runs. */
export interface RouteTarget {
  /** The method has the TOKEN authorizer (false only for routes the config marks public). */
  readonly authorized: boolean;
  /** The method requires a usage-plan API key. */
  readonly apiKeyRequired: boolean;
  /** Integration name handed to `invokeIntegration` (e.g. `guard` or `backend:orders`). */
  readonly integration: string;
}

/** The TOKEN authorizer event API Gateway sends. */
export interface TokenAuthorizerEvent {
  readonly type: 'TOKEN';
  readonly authorizationToken: string;
  readonly methodArn: string;
}

/** Result of evaluating a cached or fresh policy against one method ARN (`invalid` → 500). */
export type PolicyVerdict = 'allow' | 'deny' | 'invalid';

/** Everything the gateway is built from; all effects are injected. */
export interface GatewayDeps {
  readonly api: ApiIdentity;
  readonly routes: readonly ApiMethod<RouteTarget>[];
  readonly identitySource: IdentitySourceSettings;
  /** Authorizer result cache TTL in seconds (0 = off). */
  readonly resultCacheTtlSeconds: number;
  /** Authorizer timeout; exceeding it is a 500 (`AUTHORIZER_FAILURE`). */
  readonly authorizerTimeoutMs: number;
  readonly invokeAuthorizer: (event: TokenAuthorizerEvent) => Promise<unknown>;
  /** IAM policy evaluation as API Gateway does it (explicit deny wins, else an allow must match). */
  readonly evaluatePolicy: (policyDocument: unknown, methodArn: string) => PolicyVerdict;
  readonly invokeIntegration: (integration: string, event: APIGatewayProxyEvent) => Promise<unknown>;
  /**
   * How long an integration may take, and the status when it does not answer in time: a Lambda
   * timeout is a function error (502); API Gateway's own 29 s integration timeout is a 504.
   */
  readonly integrationTimeout: { readonly ms: number; readonly status: 502 | 504 };
  /** API key source: the `x-api-key` header or the authorizer's `usageIdentifierKey`. */
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  readonly usage: MeterSettings;
  readonly cors: PreflightSettings & GatewayCorsSettings;
  readonly nowMs: () => number;
  readonly newRequestId: () => string;
  readonly accessLog: (record: AccessLogRecord) => void;
}

/** A request as the HTTP server hands it over. */
export interface GatewayRequest {
  readonly method: string;
  /** Request target as sent: path plus optional query. */
  readonly url: string;
  /** Node's `rawHeaders`: `[name, value, …]`. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** The port the client connected to (for `X-Forwarded-Port`). */
  readonly localPort: number;
}

/** What the HTTP server writes back. */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

/** How an authorization attempt ended (for the access log and the response). */
interface AuthTrace {
  principalId?: string;
  error?: string;
  status?: number;
  latencyMs?: number;
  integrationLatencyMs?: number;
}

/** The `x-amzn-ErrorType` API Gateway sends with each gateway response type. */
const ERROR_TYPES = new Map<GatewayResponseType, string>([
  ['UNAUTHORIZED', 'UnauthorizedException'],
  ['ACCESS_DENIED', 'AccessDeniedException'],
  ['AUTHORIZER_FAILURE', 'AuthorizerFailureException'],
  ['AUTHORIZER_CONFIGURATION_ERROR', 'AuthorizerConfigurationException'],
  ['MISSING_AUTHENTICATION_TOKEN', 'MissingAuthenticationTokenException'],
  ['INVALID_API_KEY', 'ForbiddenException'],
  ['WAF_FILTERED', 'ForbiddenException'],
  ['THROTTLED', 'TooManyRequestsException'],
  ['QUOTA_EXCEEDED', 'LimitExceededException'],
  ['DEFAULT_4XX', 'BadRequestException'],
  ['DEFAULT_5XX', 'InternalServerErrorException'],
]);

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new TimeoutError(`no answer within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error('non-error rejection'));
      },
    );
  });
}

function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (const [header, headerText] of rawHeaderPairs(rawHeaders)) {
    if (header.toLowerCase() === name) value = headerText;
  }
  return value;
}

/** The local gateway: one `handle` per HTTP request, decisions in API Gateway's order. */
export interface Gateway {
  handle(request: GatewayRequest): Promise<GatewayResponse>;
  /**
   * The answer to a request `handle` failed on unexpectedly: the `DEFAULT_5XX` gateway response
   * (500) with a request id, logged like any other request.
   */
  failure(request: Pick<GatewayRequest, 'method' | 'sourceIp'>): GatewayResponse;
  /** The authorizer result cache (tests inspect and flush it). */
  readonly authorizerCache: AuthorizerResultCache<AuthorizerAnswer>;
}

/**
 * Builds the local gateway. Order per request, as API Gateway (REST) does it: CORS preflight
 * (mock, public, stage-throttled) → resource and method lookup (unknown →
 * MISSING_AUTHENTICATION_TOKEN) → stage throttle of the method → identity source and validation
 * regex (401, no invocation) → authorizer (cached per token, policy evaluated against this method
 * ARN) → API key and usage plan (403/429) → proxy integration (guard or backend) → access log.
 * The authorizer and the integrations are invoked as Lambda does: JSON in, JSON out.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const table = compileRoutes(deps.routes);
  const cache = new AuthorizerResultCache<AuthorizerAnswer>(deps.resultCacheTtlSeconds, deps.nowMs);
  const meter = new UsageMeter(deps.usage);

  async function authorize(
    token: string,
    methodArn: string,
    trace: AuthTrace,
  ): Promise<{ answer: AuthorizerAnswer } | { response: GatewayResponseType }> {
    let answer = cache.get(token);
    if (answer === undefined) {
      const started = deps.nowMs();
      let raw: unknown;
      try {
        raw = await withTimeout(
          invokeAsLambda(deps.invokeAuthorizer, { type: 'TOKEN', authorizationToken: token, methodArn }),
          deps.authorizerTimeoutMs,
        );
      } catch (error) {
        trace.latencyMs = deps.nowMs() - started;
        trace.integrationLatencyMs = trace.latencyMs;
        if (error instanceof Error && error.message === 'Unauthorized') {
          trace.status = 401;
          trace.error = 'Unauthorized';
          return { response: 'UNAUTHORIZED' };
        }
        trace.status = 500;
        if (error instanceof TimeoutError) {
          trace.error = 'Authorizer timed out';
          return { response: 'AUTHORIZER_FAILURE' };
        }
        trace.error = 'Authorizer error';
        return { response: 'AUTHORIZER_CONFIGURATION_ERROR' };
      }
      trace.latencyMs = deps.nowMs() - started;
      trace.integrationLatencyMs = trace.latencyMs;
      try {
        answer = parseAuthorizerAnswer(raw);
      } catch (error) {
        if (!(error instanceof MalformedAuthorizerResponseError)) throw error;
        trace.status = 500;
        trace.error = `Invalid authorizer response (${error.reason})`;
        return { response: 'AUTHORIZER_CONFIGURATION_ERROR' };
      }
      if (deps.evaluatePolicy(answer.policyDocument, methodArn) === 'invalid') {
        trace.status = 500;
        trace.error = 'Invalid authorizer response (bad_policy)';
        return { response: 'AUTHORIZER_CONFIGURATION_ERROR' };
      }
      cache.set(token, answer);
    }
    trace.principalId = answer.principalId;
    trace.status = 200;
    const verdict = deps.evaluatePolicy(answer.policyDocument, methodArn);
    if (verdict !== 'allow') {
      trace.status = verdict === 'deny' ? 403 : 500;
      return { response: verdict === 'deny' ? 'ACCESS_DENIED' : 'AUTHORIZER_CONFIGURATION_ERROR' };
    }
    return { answer };
  }

  /** One request's id, access-log record and response writers. */
  function exchange(request: Pick<GatewayRequest, 'method' | 'sourceIp'>) {
    const startedMs = deps.nowMs();
    const requestId = deps.newRequestId();
    const log: ContextValues = {
      '$context.requestId': requestId,
      '$context.extendedRequestId': requestId,
      '$context.requestTimeEpoch': startedMs,
      '$context.identity.sourceIp': request.sourceIp,
      '$context.httpMethod': request.method,
      '$context.stage': deps.api.stage,
      '$context.protocol': 'HTTP/1.1',
    };
    const trace: AuthTrace = {};

    const finish = (response: GatewayResponse): GatewayResponse => {
      log['$context.status'] = response.statusCode;
      log['$context.responseLength'] = response.body.length;
      log['$context.responseLatency'] = deps.nowMs() - startedMs;
      log['$context.authorizer.principalId'] = trace.principalId;
      log['$context.authorizer.error'] = trace.error;
      log['$context.authorizer.status'] = trace.status;
      log['$context.authorizer.latency'] = trace.latencyMs;
      log['$context.authorizer.integrationLatency'] = trace.integrationLatencyMs;
      deps.accessLog(renderAccessLog(log));
      return { ...response, headers: { ...response.headers, 'x-amzn-RequestId': requestId } };
    };

    const gatewayError = (type: GatewayResponseType, fallbackStatus?: number): GatewayResponse => {
      const rendered = renderGatewayResponse(type, {
        requestId,
        cors: deps.cors,
        ...(fallbackStatus === undefined ? {} : { fallbackStatus }),
      });
      log['$context.error.responseType'] = type;
      return finish({
        statusCode: rendered.statusCode,
        headers: {
          ...rendered.headers,
          'x-amzn-ErrorType': ERROR_TYPES.get(type) ?? 'InternalServerErrorException',
        },
        body: Buffer.from(rendered.body),
      });
    };
    return { startedMs, requestId, log, trace, finish, gatewayError };
  }

  async function handle(request: GatewayRequest): Promise<GatewayResponse> {
    const { startedMs, requestId, log, trace, finish, gatewayError } = exchange(request);

    const queryAt = request.url.indexOf('?');
    const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : request.url.slice(queryAt + 1);
    if (!path.startsWith('/')) return gatewayError('DEFAULT_4XX', 400);
    // The stack's WAF rule NonCanonicalPath, the one WAF rule the local gateway applies.
    if (!isCanonicalPath(path)) {
      log['$context.waf.status'] = 403;
      return gatewayError('WAF_FILTERED');
    }

    const method = request.method.toUpperCase();
    const lookup = matchRoute(table, method, path);
    if (lookup.kind === 'bad-path') return gatewayError('DEFAULT_4XX', 400);

    // CORS preflight: an OPTIONS mock method on every resource when an allowlist is configured.
    // Like every method it has its own stage throttle bucket.
    if (method === 'OPTIONS' && corsEnabled(deps.cors) && lookup.kind !== 'no-resource') {
      log['$context.resourcePath'] = lookup.resourcePath;
      if (!meter.stageAllows('OPTIONS', lookup.resourcePath, deps.nowMs())) return gatewayError('THROTTLED');
      return finish({
        statusCode: 204,
        headers: preflightHeaders(deps.cors, headerValue(request.rawHeaders, 'origin')),
        body: Buffer.alloc(0),
      });
    }
    if (lookup.kind !== 'method') {
      if (lookup.kind === 'no-method') log['$context.resourcePath'] = lookup.resourcePath;
      return gatewayError('MISSING_AUTHENTICATION_TOKEN');
    }
    log['$context.resourcePath'] = lookup.resourcePath;
    const route = lookup.method.target;
    // Throttles belong to the declared method (an ANY method's bucket serves every verb).
    const declared = lookup.method.httpMethod.toUpperCase();

    if (!meter.stageAllows(declared, lookup.method.resourcePath, deps.nowMs()))
      return gatewayError('THROTTLED');

    let answer: AuthorizerAnswer | undefined;
    if (route.authorized) {
      const identity = checkIdentitySource(request.rawHeaders, deps.identitySource);
      if (!identity.ok) {
        trace.error = 'Unauthorized';
        return gatewayError('UNAUTHORIZED');
      }
      const methodArn = buildMethodArn(deps.api, method, path);
      const outcome = await authorize(identity.token, methodArn, trace);
      if ('response' in outcome) return gatewayError(outcome.response);
      answer = outcome.answer;
    }

    let apiKey: { value: string; id: string } | undefined;
    if (route.apiKeyRequired) {
      const keyValue =
        deps.apiKeySource === 'HEADER'
          ? headerValue(request.rawHeaders, 'x-api-key')
          : answer?.usageIdentifierKey;
      const metered = meter.meterKey(
        await meter.lookupKey(keyValue),
        declared,
        lookup.method.resourcePath,
        deps.nowMs(),
      );
      if (metered.key !== undefined) log['$context.identity.apiKeyId'] = metered.key.id;
      if (!metered.ok) return gatewayError(metered.response);
      if (metered.key !== undefined) apiKey = { value: metered.key.value, id: metered.key.id };
    }

    const event = buildProxyEvent({
      api: deps.api,
      requestId,
      httpMethod: method,
      path,
      rawQuery,
      resourcePath: lookup.resourcePath,
      pathParameters: lookup.pathParameters,
      rawHeaders: request.rawHeaders,
      body: request.body,
      sourceIp: request.sourceIp,
      requestTimeEpochMs: startedMs,
      authorizer:
        answer === undefined
          ? undefined
          : {
              principalId: answer.principalId,
              context: answer.context,
              integrationLatencyMs: trace.integrationLatencyMs ?? 0,
            },
      apiKey,
      forwarded: { proto: 'http', port: request.localPort },
    });

    const integrationStarted = deps.nowMs();
    let result: IntegrationResponse;
    try {
      const raw = await withTimeout(
        invokeAsLambda(
          (copy: APIGatewayProxyEvent) => deps.invokeIntegration(route.integration, copy),
          event,
        ),
        deps.integrationTimeout.ms,
      );
      log['$context.integration.status'] = 200;
      result = parseIntegrationResponse(raw);
    } catch (error) {
      // A Lambda error (a throw, a result JSON cannot carry) or a malformed proxy response: 502;
      // no answer in time: see integrationTimeout.
      log['$context.integration.latency'] = deps.nowMs() - integrationStarted;
      return gatewayError(
        'DEFAULT_5XX',
        error instanceof TimeoutError ? deps.integrationTimeout.status : 502,
      );
    }
    log['$context.integration.latency'] = deps.nowMs() - integrationStarted;
    return finish(result);
  }

  return {
    handle,
    failure: (request) => exchange(request).gatewayError('DEFAULT_5XX', 500),
    authorizerCache: cache,
  };
}
