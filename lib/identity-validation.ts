/**
 * What API Gateway checks before it invokes the TOKEN authorizer, as plain data so the local
 * gateway applies the same rules.
 */

/** The identity source of the TOKEN authorizer: the `Authorization` request header. */
export const IDENTITY_HEADER = 'Authorization';

/**
 * The identity validation expression: a `Bearer` scheme (case-insensitive, RFC 7235; spelled with
 * character classes because API Gateway's regex dialect has no portable inline flag) followed by
 * exactly one token68 value (RFC 7235 §2.1). A header that does not match gets 401 from API Gateway
 * without a Lambda invocation.
 */
export const BEARER_VALIDATION_REGEX = '^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9._~+/-]+=*$';

/** The result cache TTL limits API Gateway accepts (seconds; 0 turns the cache off). */
export const RESULT_CACHE_TTL_LIMITS = { min: 0, max: 3600 } as const;
