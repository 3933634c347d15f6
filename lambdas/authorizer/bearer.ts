import { MalformedTokenError } from './errors';

/** The scheme and its single space, compared case-insensitively. */
const SCHEME = 'bearer ';
/**
 * One token68 (RFC 7235 §2.1) from the current position to the end, nothing else. Linear: one
 * character class with a single quantifier, then padding. Sticky, so the scheme is not copied away.
 */
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*$/y;

/**
 * Extracts the token from an `Authorization` header value.
 *
 * The size limit is checked first, on the byte length of the whole value, before any parsing.
 * @throws MalformedTokenError `missing_token`, `token_too_large` or `malformed`
 */
export function extractBearerToken(headerValue: unknown, maxTokenBytes: number): string {
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
  TOKEN68.lastIndex = SCHEME.length;
  if (headerValue.slice(0, SCHEME.length).toLowerCase() !== SCHEME || !TOKEN68.test(headerValue)) {
    throw new MalformedTokenError('malformed', 'Authorization header is not "Bearer <token68>"');
  }
  return headerValue.slice(SCHEME.length);
}
