import { splitRequestPath } from './route-matcher';

/**
 * The authorizer events this Lambda answers, parsed once at the boundary:
 * - REST API TOKEN authorizer: `{ type: 'TOKEN', authorizationToken, methodArn }`
 * - REST API REQUEST authorizer (payload 1.0): `{ type: 'REQUEST', methodArn, headers }`
 * - HTTP API REQUEST authorizer, payload format 2.0: `{ version: '2.0', type: 'REQUEST', routeKey, headers, requestContext }`
 */
export type AuthorizerRequest =
  | {
      readonly kind: 'rest';
      /** The raw Authorization header value (may be anything: it is untrusted). */
      readonly authorization: unknown;
      readonly methodArn: string;
    }
  | {
      readonly kind: 'http-v2';
      readonly authorization: unknown;
      /** The request's HTTP method. */
      readonly method: string;
      /** Route template from `routeKey` (`/orders/{id}`), or undefined for `$default`. */
      readonly routeTemplate: string | undefined;
      /** The request path without a stage prefix (used for `$default` routes). */
      readonly path: string;
    };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Looks a header up case-insensitively; two spellings of the same header make it ambiguous (undefined). */
function headerValue(headers: unknown, name: string): unknown {
  if (!isRecord(headers)) return undefined;
  let found: unknown;
  let count = 0;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      found = value;
      count++;
    }
  }
  return count === 1 ? found : undefined;
}

/** Parses an incoming event; `undefined` when it is none of the supported shapes. */
export function parseAuthorizerEvent(event: unknown): AuthorizerRequest | undefined {
  if (!isRecord(event)) return undefined;
  if (event.type === 'TOKEN' && typeof event.methodArn === 'string') {
    return { kind: 'rest', authorization: event.authorizationToken, methodArn: event.methodArn };
  }
  if (event.type !== 'REQUEST') return undefined;
  if (event.version === '2.0') {
    const context = event.requestContext;
    const http = isRecord(context) ? context.http : undefined;
    if (!isRecord(context) || !isRecord(http) || typeof http.method !== 'string') return undefined;
    if (typeof event.routeKey !== 'string') return undefined;
    const routeKey = event.routeKey;
    const space = routeKey.indexOf(' ');
    const routeTemplate = routeKey === '$default' || space < 0 ? undefined : routeKey.slice(space + 1);
    const rawPath =
      typeof event.rawPath === 'string' ? event.rawPath : typeof http.path === 'string' ? http.path : '/';
    return {
      kind: 'http-v2',
      authorization: headerValue(event.headers, 'authorization'),
      method: http.method.toUpperCase(),
      routeTemplate,
      path: stripStage(rawPath, context.stage),
    };
  }
  if (typeof event.methodArn === 'string') {
    const multi = headerValue(event.multiValueHeaders, 'authorization');
    if (Array.isArray(multi) && multi.length > 1) {
      return { kind: 'rest', authorization: undefined, methodArn: event.methodArn };
    }
    return {
      kind: 'rest',
      authorization: headerValue(event.headers, 'authorization'),
      methodArn: event.methodArn,
    };
  }
  return undefined;
}

/** HTTP API `rawPath` carries the stage name for stages other than `$default`. */
function stripStage(path: string, stage: unknown): string {
  if (typeof stage !== 'string' || stage === '$default') return path;
  const segments = splitRequestPath(path);
  return segments[0] === stage ? `/${segments.slice(1).join('/')}` : path;
}
