import * as z from 'zod';
import { parseJsonConfig, toConfigError } from '../config/config-error';

import { CORS_CONFIG_ENV } from '../contracts/backend-env';

/** Re-exported for code that reads the CORS allowlist next to this module. */
export { CORS_CONFIG_ENV };

/** The CORS allowlist a backend applies to its responses (the `api.cors` section, in part). */
export const backendCorsSchema = z.strictObject({
  allowOrigins: z.array(z.string().min(1)).default([]),
  exposeHeaders: z.array(z.string().min(1)).default([]),
  allowCredentials: z.boolean().default(false),
});
export type BackendCors = z.infer<typeof backendCorsSchema>;

/** Reads `CORS_CONFIG`; an unset variable means no CORS (no allowed origin). */
export function loadBackendCors(env: NodeJS.ProcessEnv = process.env): BackendCors {
  const text = env.CORS_CONFIG; // CORS_CONFIG_ENV (contracts/backend-env.ts)
  if (text === undefined || text === '') return backendCorsSchema.parse({});
  const result = backendCorsSchema.safeParse(parseJsonConfig(CORS_CONFIG_ENV, text));
  if (!result.success) throw toConfigError(CORS_CONFIG_ENV, result.error);
  return result.data;
}

/**
 * CORS response headers for a request's `Origin`: the origin is echoed only when it is on the
 * allowlist (exact, case-sensitive match); otherwise no `Access-Control-Allow-Origin` is sent.
 */
export function corsHeaders(origin: string | undefined, cors: BackendCors): Record<string, string> {
  if (cors.allowOrigins.length === 0) return {};
  const headers: Record<string, string> = { Vary: 'Origin' };
  if (origin === undefined || !cors.allowOrigins.includes(origin)) return headers;
  headers['Access-Control-Allow-Origin'] = origin;
  if (cors.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (cors.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = cors.exposeHeaders.join(',');
  return headers;
}

/** The `Origin` header of a proxy event, whatever its case. */
export function requestOrigin(
  headers: Readonly<Record<string, string | undefined>> | null,
): string | undefined {
  if (headers === null) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'origin') return value;
  }
  return undefined;
}
