/**
 * Canonical request paths (RFC 3986 §6.2.2): no percent-encoded unreserved character
 * (`A–Z a–z 0–9 - . _ ~`, which §2.3 says should never be encoded) and no empty segment (`//`).
 *
 * Why it matters here: the authorizer's cached policy is matched against the method ARN, which
 * carries the path as sent, while API Gateway routes the request to a resource. Every literal
 * segment of a route template consists of unreserved characters only (the path template syntax
 * allows nothing else), so a path that spells a literal differently — `/orders/%65xport` for
 * `/orders/export`, `/orders//export` — is non-canonical. If such a path were routed to the literal
 * resource, its ARN would escape that route's Deny and match a sibling `{param}` route's Allow.
 * Whether API Gateway decodes or collapses before routing is not documented, so the edge refuses
 * non-canonical paths before they reach it: the stack's WAF rule `NonCanonicalPath` blocks them,
 * and the local gateway answers them the same way (403, `WAF_FILTERED`). Legitimate clients never
 * need either form; reserved and non-ASCII characters (`%20`, `%2F`, `%C3%A9`) stay allowed.
 */

/**
 * The WAF regex (RegexMatchStatement on the raw URI path, no text transformation) and its
 * JavaScript twin: a percent-encoded unreserved character, or an empty segment.
 */
export const NON_CANONICAL_PATH_REGEX = '%([46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[DdEe]|5[Ff]|7[Ee])|//';

const NON_CANONICAL = new RegExp(NON_CANONICAL_PATH_REGEX);

/** Whether a raw request path (without the query) is canonical in the sense above. */
export function isCanonicalPath(path: string): boolean {
  return !NON_CANONICAL.test(path);
}
