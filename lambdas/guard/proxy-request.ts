import type { APIGatewayProxyEvent } from 'aws-lambda';
import { canonicalQuery, headerMap, type HttpRequestParts } from '../shared/http-signatures/message';
import { MalformedRequestError } from './errors';

/** The request body as bytes (base64 decoded when API Gateway says so); empty without a body. */
export function bodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === '') return Buffer.alloc(0);
  if (event.isBase64Encoded) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(event.body)) {
      throw new MalformedRequestError('The request body encoding is invalid.', { field: 'body' });
    }
    return Buffer.from(event.body, 'base64');
  }
  return Buffer.from(event.body, 'utf8');
}

/** `multiValueHeaders` when present (API Gateway sends both), else `headers`. */
function headerSources(
  event: APIGatewayProxyEvent,
): [Readonly<Record<string, readonly string[] | string | undefined>> | null | undefined] {
  const multi = event.multiValueHeaders as APIGatewayProxyEvent['multiValueHeaders'] | null | undefined;
  return [multi ?? event.headers];
}

/**
 * The request as RFC 9421 sees it, rebuilt from a REST proxy event:
 * - scheme: `X-Forwarded-Proto` (API Gateway sets `https`), `https` when absent or odd
 * - authority: the `Host` header, lower case
 * - path: `requestContext.path` (the path the client called, stage included), else `path`
 * - query: {@link canonicalQuery} of `multiValueQueryStringParameters`
 * - headers: `multiValueHeaders` (else `headers`), names lower-cased
 */
export function requestPartsFromEvent(event: APIGatewayProxyEvent): HttpRequestParts {
  const headers = headerMap(...headerSources(event));
  const proto = headers.get('x-forwarded-proto')?.[0]?.trim().toLowerCase();
  const scheme = proto === 'http' || proto === 'https' ? proto : 'https';
  const authority = (headers.get('host')?.[0] ?? '').trim().toLowerCase();
  const contextPath = (event.requestContext as { path?: unknown } | undefined)?.path;
  const path = typeof contextPath === 'string' && contextPath !== '' ? contextPath : event.path;
  const pairs: [string, string][] = [];
  const multi = event.multiValueQueryStringParameters ?? null;
  if (multi !== null) {
    for (const [name, values] of Object.entries(multi))
      for (const value of values ?? []) pairs.push([name, value]);
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
      if (value !== undefined) pairs.push([name, value]);
    }
  }
  return {
    method: event.httpMethod,
    scheme,
    authority,
    path: path === '' ? '/' : path,
    query: canonicalQuery(pairs),
    headers,
  };
}

/** `multiValueQueryStringParameters`, or the single-valued map as lists. */
export function multiValueQuery(event: APIGatewayProxyEvent): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const source = event.multiValueQueryStringParameters ?? null;
  const entries: [string, string[]][] =
    source !== null
      ? Object.entries(source).map(([k, v]) => [k, v ?? []])
      : Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v === undefined ? [] : [v]]);
  for (const [name, values] of entries) {
    Object.defineProperty(out, name, { value: values, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
