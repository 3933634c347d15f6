/**
 * The gateway responses of the edge (what API Gateway answers itself: 401, 403, 429, 4XX/5XX
 * defaults), as plain data with no CDK import. The stack turns them into `AWS::ApiGateway::
 * GatewayResponse` resources and the local gateway renders exactly the same status, headers and
 * problem+json body (RFC 9457). No response echoes internals: bodies are fixed texts plus the
 * request id.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */

/** Gateway response types the edge customizes. */
export const GATEWAY_RESPONSE_TYPES = [
  'UNAUTHORIZED',
  'ACCESS_DENIED',
  'AUTHORIZER_FAILURE',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'MISSING_AUTHENTICATION_TOKEN',
  'INVALID_API_KEY',
  'WAF_FILTERED',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
] as const;
export type GatewayResponseType = (typeof GATEWAY_RESPONSE_TYPES)[number];

/** The media type of every gateway response body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem document of a gateway response (RFC 9457), without the per-request `requestId`. */
export interface ProblemSpec {
  /** Problem type URI; `about:blank` when the title is the HTTP status phrase. */
  readonly type: string;
  /** Short, fixed summary. */
  readonly title: string;
  /** The HTTP status, when the response fixes it. */
  readonly status?: number;
  /** Fixed, client-safe explanation. */
  readonly detail: string;
}

/** One gateway response. */
export interface GatewayResponseSpec {
  readonly type: GatewayResponseType;
  /**
   * Status code API Gateway answers with. Undefined for the defaults, which keep the status of the
   * error they replace (e.g. 413, 415, 502, 504).
   */
  readonly statusCode?: number;
  /** Headers besides CORS and `Content-Type` (static values). */
  readonly headers: Readonly<Record<string, string>>;
  readonly problem: ProblemSpec;
}

/** Headers on every gateway response: errors are never cached and never sniffed. */
export const COMMON_GATEWAY_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

const blank = (status: number, title: string, detail: string): ProblemSpec => ({
  type: 'about:blank',
  title,
  status,
  detail,
});

/** The gateway responses, keyed by type. */
export const GATEWAY_RESPONSES: Readonly<Record<GatewayResponseType, GatewayResponseSpec>> = {
  UNAUTHORIZED: {
    type: 'UNAUTHORIZED',
    statusCode: 401,
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    problem: blank(401, 'Unauthorized', 'A valid bearer token is required.'),
  },
  ACCESS_DENIED: {
    type: 'ACCESS_DENIED',
    statusCode: 403,
    headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
    problem: blank(403, 'Forbidden', 'The token does not grant access to this resource.'),
  },
  AUTHORIZER_FAILURE: {
    type: 'AUTHORIZER_FAILURE',
    statusCode: 500,
    headers: {},
    problem: blank(500, 'Internal Server Error', 'The request could not be authorized.'),
  },
  AUTHORIZER_CONFIGURATION_ERROR: {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    statusCode: 500,
    headers: {},
    problem: blank(500, 'Internal Server Error', 'The request could not be authorized.'),
  },
  MISSING_AUTHENTICATION_TOKEN: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    headers: {},
    problem: blank(404, 'Not Found', 'No such resource or method.'),
  },
  INVALID_API_KEY: {
    type: 'INVALID_API_KEY',
    statusCode: 403,
    headers: {},
    problem: blank(403, 'Forbidden', 'A valid API key is required.'),
  },
  WAF_FILTERED: {
    type: 'WAF_FILTERED',
    statusCode: 403,
    headers: {},
    problem: blank(
      403,
      'Forbidden',
      'The request was blocked by the web application firewall (for example a path with "//" or a percent-encoded letter, digit or -._~, an oversized header, or a rate limit).',
    ),
  },
  THROTTLED: {
    type: 'THROTTLED',
    statusCode: 429,
    headers: {},
    problem: blank(429, 'Too Many Requests', 'The request rate limit was exceeded; retry later.'),
  },
  QUOTA_EXCEEDED: {
    type: 'QUOTA_EXCEEDED',
    statusCode: 429,
    headers: {},
    problem: blank(429, 'Too Many Requests', 'The request quota for this period is used up.'),
  },
  DEFAULT_4XX: {
    type: 'DEFAULT_4XX',
    headers: {},
    problem: {
      type: 'urn:api-security-edge:problem:request-rejected',
      title: 'Request rejected',
      detail: 'The request was rejected by the API gateway.',
    },
  },
  DEFAULT_5XX: {
    type: 'DEFAULT_5XX',
    headers: {},
    problem: {
      type: 'urn:api-security-edge:problem:gateway-error',
      title: 'Gateway error',
      detail: 'The API gateway could not complete the request.',
    },
  },
};

const BY_TYPE: ReadonlyMap<string, GatewayResponseSpec> = new Map(Object.entries(GATEWAY_RESPONSES));

/** The gateway response of a type. */
export function gatewayResponseSpec(type: GatewayResponseType): GatewayResponseSpec {
  const spec = BY_TYPE.get(type);
  if (spec === undefined) throw new RangeError(`unknown gateway response type ${type}`);
  return spec;
}

/** The CORS part of the `api` config that gateway responses use. */
export interface GatewayCorsSettings {
  readonly allowOrigins: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
}

/**
 * CORS headers of gateway responses. A gateway response can only carry static header values, so
 * `Access-Control-Allow-Origin` is set only when the allowlist has exactly one origin; with several,
 * it is left out rather than reflecting an unchecked `Origin` (browsers then cannot read gateway
 * errors cross-origin, which fails closed). No allowlist: no CORS headers at all.
 */
export function gatewayCorsHeaders(cors: GatewayCorsSettings): Record<string, string> {
  if (cors.allowOrigins.length === 0) return {};
  const headers: Record<string, string> = { Vary: 'Origin' };
  const [only] = cors.allowOrigins;
  if (cors.allowOrigins.length === 1 && only !== undefined) {
    headers['Access-Control-Allow-Origin'] = only;
    if (cors.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
    if (cors.exposeHeaders.length > 0)
      headers['Access-Control-Expose-Headers'] = cors.exposeHeaders.join(',');
  }
  return headers;
}

/** Every header of a gateway response: type-specific, common, CORS and `Content-Type`. */
export function gatewayResponseHeaders(
  spec: GatewayResponseSpec,
  cors: GatewayCorsSettings,
): Record<string, string> {
  return {
    ...spec.headers,
    ...COMMON_GATEWAY_RESPONSE_HEADERS,
    ...gatewayCorsHeaders(cors),
    'Content-Type': PROBLEM_CONTENT_TYPE,
  };
}

/** The problem document of a response for one request (`requestId` as an extension member). */
export function gatewayProblemBody(spec: GatewayResponseSpec, requestId: string): Record<string, unknown> {
  return { ...spec.problem, requestId };
}

/**
 * The body template API Gateway renders: the problem document with `$context.requestId` in place
 * of the request id. Texts contain no `$` or `#`, so nothing else is interpreted by the template engine.
 */
export function gatewayProblemTemplate(spec: GatewayResponseSpec): string {
  return JSON.stringify(gatewayProblemBody(spec, '$context.requestId'));
}

/** A gateway response rendered for one request, as the local gateway sends it. */
export interface RenderedGatewayResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Renders a gateway response for one request.
 * @param fallbackStatus the status of the underlying error, used by the defaults (`DEFAULT_4XX`/`5XX`)
 */
export function renderGatewayResponse(
  type: GatewayResponseType,
  options: {
    readonly requestId: string;
    readonly cors: GatewayCorsSettings;
    readonly fallbackStatus?: number;
  },
): RenderedGatewayResponse {
  const spec = gatewayResponseSpec(type);
  const statusCode = spec.statusCode ?? options.fallbackStatus ?? (type === 'DEFAULT_5XX' ? 500 : 400);
  return {
    statusCode,
    headers: gatewayResponseHeaders(spec, options.cors),
    body: JSON.stringify(gatewayProblemBody(spec, options.requestId)),
  };
}
