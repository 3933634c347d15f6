import { rawHeaderPairs } from '../own-property';

/**
 * API Gateway's check of a TOKEN authorizer's identity source, done before any invocation: the
 * header must be present, non-empty and match the validation expression, or the client gets 401
 * and the authorizer is never called.
 */

/** How the identity source is configured (from lib/identity-validation.ts in the stack). */
export interface IdentitySourceSettings {
  /** Header name, compared case-insensitively, e.g. `Authorization`. */
  readonly headerName: string;
  /** Validation expression, or undefined for none. */
  readonly validationRegex: RegExp | undefined;
}

export type IdentityCheck =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly reason: 'missing' | 'empty' | 'duplicate' | 'regex_mismatch' };

/**
 * Checks the identity source in raw header pairs (`[name, value, name, value, …]`, as Node's
 * `rawHeaders`). The token passed to the authorizer is the header value as sent (scheme included).
 */
export function checkIdentitySource(
  rawHeaders: readonly string[],
  settings: IdentitySourceSettings,
): IdentityCheck {
  const wanted = settings.headerName.toLowerCase();
  const values = rawHeaderPairs(rawHeaders)
    .filter(([name]) => name.toLowerCase() === wanted)
    .map(([, value]) => value);
  if (values.length === 0) return { ok: false, reason: 'missing' };
  // Fail closed on an ambiguous identity: which copy API Gateway would use is not documented.
  if (values.length > 1) return { ok: false, reason: 'duplicate' };
  const token = values[0] ?? '';
  if (token.trim() === '') return { ok: false, reason: 'empty' };
  if (settings.validationRegex !== undefined && !settings.validationRegex.test(token)) {
    return { ok: false, reason: 'regex_mismatch' };
  }
  return { ok: true, token };
}
