import { z } from 'zod';
import { DEFAULT_PROXY_CONTENT_TYPE } from '../../lambdas/shared/contracts/proxy-response';
import { mergeProxyHeaderMaps } from '../../lambdas/shared/backend-http/proxy-headers';
import { setOwn } from '../own-property';

/**
 * The Lambda proxy integration response (payload 1.0). Anything else — a missing status code, a
 * non-string body, headers that are not strings — is what API Gateway calls "Malformed Lambda
 * proxy response" and answers with 502.
 */
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const proxyResultSchema = z.looseObject({
  statusCode: z.int().min(100).max(599),
  headers: z.record(z.string(), scalar).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(scalar)).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

/** A parsed proxy response, ready to write. */
export interface IntegrationResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

/** The proxy result was not what API Gateway accepts (→ 502). */
export class MalformedProxyResponseError extends Error {
  override readonly name = 'MalformedProxyResponseError';
}

/** Hop-by-hop and framing headers a backend cannot set through API Gateway. */
const DROPPED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

/**
 * Validates a proxy result and merges `headers` and `multiValueHeaders` as API Gateway does
 * (`mergeProxyHeaderMaps`, the rule the request guard signs by). A base64 body is decoded.
 * Without a `Content-Type`, API Gateway's default `application/json` is added.
 */
export function parseIntegrationResponse(raw: unknown): IntegrationResponse {
  const parsed = proxyResultSchema.safeParse(raw);
  if (!parsed.success)
    throw new MalformedProxyResponseError('malformed Lambda proxy response', { cause: parsed.error });
  const merged = mergeProxyHeaderMaps(parsed.data, DROPPED);
  // API Gateway's default for a proxy response without one.
  if (!merged.some(({ name }) => name.toLowerCase() === 'content-type'))
    merged.push({ name: 'Content-Type', values: [DEFAULT_PROXY_CONTENT_TYPE], multi: false });
  const headers: Record<string, string | string[]> = {};
  for (const { name, values } of merged)
    setOwn(headers, name, values.length === 1 ? (values[0] ?? '') : [...values]);
  const text = parsed.data.body ?? '';
  const body = parsed.data.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode: parsed.data.statusCode, headers, body };
}
