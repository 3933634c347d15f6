import { MalformedTokenError } from './errors';

/** The scheme and its single space, compared case-insensitively. */
const SCHEME = 'bearer ';
/**
 * One token68 (RFC 7235 §2.1) from the start to the end, nothing else. Linear: one character class
 * with a single quantifier, then padding.
 */
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Extracts the token from an `Authorization` header value.
 *
 * The size limit is checked first, on the byte length of the whole value, before any parsing.
 * @throws MalformedTokenError `missing_token`, `token_too_large` or `malformed`
 */
export function extractBearerToken(headerValue: unknown, maxTokenBytes: number): string {
  const credential = extractBearerCredential(headerValue, maxTokenBytes);
  assertToken68(credential);
  return credential;
}

/**
 * {@link extractBearerToken} without the token68 syntax check of what follows the scheme: the size
 * limit and the `Bearer ` scheme only. The authorizer runs {@link assertToken68} before it verifies
 * anything; a decision-cache hit skips it, because the cache only holds strings that passed it (the
 * key is the string's SHA-256).
 * @throws MalformedTokenError `missing_token`, `token_too_large` or `malformed` (scheme)
 */
export function extractBearerCredential(headerValue: unknown, maxTokenBytes: number): string {
  if (typeof headerValue !== 'string' || headerValue === '') {
    throw new MalformedTokenError('missing_token', 'no Authorization header');
  }
  // Cheap bounds first: each UTF-16 code unit takes 1 to 3 bytes in UTF-8 (a surrogate pair, two
  // units, takes 4), so the exact byte count is only needed between `length` and `3 * length`.
  if (
    headerValue.length > maxTokenBytes ||
    (headerValue.length * 3 > maxTokenBytes && Buffer.byteLength(headerValue, 'utf8') > maxTokenBytes)
  ) {
    throw new MalformedTokenError(
      'token_too_large',
      `Authorization header larger than ${maxTokenBytes} bytes`,
    );
  }
  if (headerValue.slice(0, SCHEME.length).toLowerCase() !== SCHEME) throw notBearerToken68();
  return headerValue.slice(SCHEME.length);
}

/**
 * Checks that a credential is exactly one token68 (RFC 7235 §2.1): no spaces, no second token.
 * @throws MalformedTokenError `malformed`
 */
export function assertToken68(credential: string): void {
  if (!TOKEN68.test(credential)) throw notBearerToken68();
}

const notBearerToken68 = (): MalformedTokenError =>
  new MalformedTokenError('malformed', 'Authorization header is not "Bearer <token68>"');
