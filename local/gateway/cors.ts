/**
 * CORS preflight as the stack declares it (CDK `defaultCorsPreflightOptions` on every resource: an
 * `OPTIONS` method with a mock integration, no authorizer, status 204). With one origin the answer
 * always names it; with several, CDK's mapping template echoes the request's `Origin` only when it
 * is on the list and otherwise sends the first listed origin, which a browser rejects.
 */

/** The `api.cors` settings the preflight uses. */
export interface PreflightSettings {
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
  /** `Access-Control-Allow-Methods`: the API's route methods (every method when one is ANY). */
  readonly allowMethods: readonly string[];
}

/** CDK's `Cors.ALL_METHODS`. */
export const ALL_METHODS = ['OPTIONS', 'GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD'] as const;

/** The preflight's allowed methods as the stack computes them from its routes. */
export function preflightMethods(routeMethods: readonly string[]): string[] {
  return [...new Set(routeMethods.flatMap((m) => (m === 'ANY' ? [...ALL_METHODS] : [m])))];
}

/** Whether preflight routes exist at all (CORS on). */
export function corsEnabled(settings: Pick<PreflightSettings, 'allowOrigins'>): boolean {
  return settings.allowOrigins.length > 0;
}

/** The headers of the 204 answer to a preflight request. */
export function preflightHeaders(
  settings: PreflightSettings,
  origin: string | undefined,
): Record<string, string> {
  const first = settings.allowOrigins[0] ?? '';
  const allowed =
    settings.allowOrigins.length > 1 && origin !== undefined && settings.allowOrigins.includes(origin)
      ? origin
      : first;
  const headers: Record<string, string> = {
    'Access-Control-Allow-Headers': settings.allowHeaders.join(','),
    'Access-Control-Allow-Origin': allowed,
    Vary: 'Origin',
    'Access-Control-Allow-Methods': settings.allowMethods.join(','),
    'Access-Control-Max-Age': String(settings.maxAgeSeconds),
  };
  if (settings.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (settings.exposeHeaders.length > 0)
    headers['Access-Control-Expose-Headers'] = settings.exposeHeaders.join(',');
  return headers;
}
