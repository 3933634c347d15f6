import type { APIGatewayProxyEvent } from 'aws-lambda';
import { rawHeaderPairs, setOwn } from '../own-property';
import type { ApiIdentity } from './method-arn';

/** What the gateway knows about a request when it builds the proxy event. */
export interface ProxyEventInput {
  readonly api: ApiIdentity;
  readonly requestId: string;
  readonly httpMethod: string;
  /** Request path as sent, without the query (e.g. `/orders/42`). */
  readonly path: string;
  /** Raw query string without `?`, or empty. */
  readonly rawQuery: string;
  /** Resource template, e.g. `/orders/{id}`. */
  readonly resourcePath: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  /** Raw header pairs as received (`[name, value, …]`); names keep the client's spelling. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestTimeEpochMs: number;
  /** The flattened authorizer context and principalId; undefined on public routes. */
  readonly authorizer:
    | {
        readonly principalId: string;
        readonly context: Readonly<Record<string, string>>;
        readonly integrationLatencyMs: number;
      }
    | undefined;
  /** Usage-plan API key and its id when one was identified. */
  readonly apiKey: { readonly value: string; readonly id: string } | undefined;
  /** Scheme and port the client used, for the `X-Forwarded-*` headers API Gateway adds. */
  readonly forwarded: { readonly proto: 'http' | 'https'; readonly port: number };
}

/** Headers API Gateway sets itself; a client's copies are replaced (X-Forwarded-For is appended to). */
const GATEWAY_SET_HEADERS = new Set(['x-forwarded-proto', 'x-forwarded-port']);

function multi(pairs: readonly (readonly [string, string])[]): {
  single: Record<string, string>;
  multiple: Record<string, string[]>;
} {
  const single: Record<string, string> = {};
  const multiple: Record<string, string[]> = {};
  const lists = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    setOwn(single, name, value);
    const list = lists.get(name) ?? [];
    list.push(value);
    lists.set(name, list);
  }
  for (const [name, list] of lists) setOwn(multiple, name, list);
  return { single, multiple };
}

/**
 * Parses a raw query string into pairs as API Gateway does: `&` and `;` both separate parameters,
 * `+` is a space, names and values are percent-decoded (bad escapes kept as-is).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html
 */
export function parseQuery(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return rawQuery
    .split(/[&;]/)
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
    });
}

/** Formats a time as API Gateway's `requestTime`: `23/Nov/2026:10:42:25 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * Builds the REST API Lambda proxy integration event (payload 1.0) as API Gateway sends it to the
 * guard or a backend: single- and multi-value headers and query parameters (the single map holds
 * the last value) plus the `X-Forwarded-*` headers API Gateway adds, path parameters, the request context with the authorizer's context as strings
 * plus `principalId`, and the body as a UTF-8 string (`null` when empty, never base64 here).
 */
export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const headerPairs: [string, string][] = [];
  const forwardedFor: string[] = [];
  for (const [name, value] of rawHeaderPairs(input.rawHeaders)) {
    const lower = name.toLowerCase();
    if (GATEWAY_SET_HEADERS.has(lower)) continue;
    if (lower === 'x-forwarded-for') forwardedFor.push(value);
    else headerPairs.push([name, value]);
  }
  headerPairs.push(
    ['X-Forwarded-For', [...forwardedFor, input.sourceIp].join(', ')],
    ['X-Forwarded-Port', String(input.forwarded.port)],
    ['X-Forwarded-Proto', input.forwarded.proto],
  );
  const headers = multi(headerPairs);
  const queryPairs = parseQuery(input.rawQuery);
  const query = multi(queryPairs);
  const headerValue = (name: string): string | undefined =>
    headerPairs.find(([n]) => n.toLowerCase() === name)?.[1];
  return {
    resource: input.resourcePath,
    path: input.path,
    httpMethod: input.httpMethod,
    headers: headers.single,
    multiValueHeaders: headers.multiple,
    queryStringParameters: queryPairs.length === 0 ? null : query.single,
    multiValueQueryStringParameters: queryPairs.length === 0 ? null : query.multiple,
    pathParameters: input.pathParameters === null ? null : { ...input.pathParameters },
    stageVariables: null,
    requestContext: {
      accountId: input.api.accountId,
      apiId: input.api.apiId,
      resourceId: 'local',
      resourcePath: input.resourcePath,
      httpMethod: input.httpMethod,
      // The path the client called. Local URLs carry no stage segment (like a custom domain).
      path: input.path,
      stage: input.api.stage,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      extendedRequestId: input.requestId,
      requestTime: formatRequestTime(input.requestTimeEpochMs),
      requestTimeEpoch: input.requestTimeEpochMs,
      domainName: headerValue('host') ?? 'localhost',
      domainPrefix: 'localhost',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: input.apiKey?.value ?? null,
        apiKeyId: input.apiKey?.id ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: null,
        userAgent: headerValue('user-agent') ?? null,
        userArn: null,
      },
      authorizer:
        input.authorizer === undefined
          ? null
          : {
              ...input.authorizer.context,
              principalId: input.authorizer.principalId,
              integrationLatency: input.authorizer.integrationLatencyMs,
            },
    },
    body: input.body.length === 0 ? null : input.body.toString('utf8'),
    isBase64Encoded: false,
  };
}
