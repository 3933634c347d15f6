/**
 * A URL as it may appear in a log line, an error message or a config error: origin and path only.
 * The query string and fragment (where an `access_token` may hide) and any user info are dropped.
 * Used by the authorizer (JWKS and discovery URLs) and the stack's synth-time checks.
 */
export function loggableUrl(value: string): string {
  if (!URL.canParse(value)) return '(not a URL)';
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return '(not an http(s) URL)';
  return `${url.origin}${url.pathname}`;
}
