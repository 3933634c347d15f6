/**
 * The authorizer's error taxonomy. Every way a decision can go wrong has a reason code; callers
 * branch on `instanceof` or on `reason`, never on message text. No error ever carries the token,
 * its signature or a claim value that could be a secret.
 *
 * Mapping to API Gateway happens in one place (`authorizer.ts`):
 * - {@link TokenRejectedError} (and its leaves) → 401: throw exactly `Unauthorized`.
 * - {@link AccessDeniedError} → 403: return a policy that does not allow the route.
 * - anything else (including {@link InternalAuthorizerError}) → fail closed (401), logged as `error`.
 * - except {@link RevocationUnavailableError} and {@link ClientRegistryUnavailableError} → fail closed
 *   with a 500 (a non-`Unauthorized` error, REST and HTTP API alike), logged as `error`: the token may
 *   be genuine, a store the decision depends on failed.
 */

/** Every reason code the authorizer logs and counts. `ok` is the reason of an allow. */
export const REASON_CODES = [
  'ok',
  'missing_token',
  'malformed',
  'token_too_large',
  'alg_not_allowed',
  'alg_key_mismatch',
  'crit_unsupported',
  'embedded_key_header',
  'typ_mismatch',
  'bad_signature',
  'unknown_kid',
  'expired',
  'not_yet_valid',
  'iat_in_future',
  'iat_missing',
  'exp_missing',
  'lifetime_too_long',
  'sub_missing',
  'iss_mismatch',
  'aud_mismatch',
  'jwks_unavailable',
  'no_matching_rule',
  'missing_role',
  'internal_error',
  'revoked',
  'revocation_unavailable',
  'unknown_client',
  'client_registry_unavailable',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Reasons a genuine token is refused a route (API Gateway 403). */
export type AccessDeniedReason = 'no_matching_rule' | 'missing_role' | 'unknown_client';
/** Reasons that make the token unacceptable (API Gateway 401). */
export type TokenRejectionReason = Exclude<ReasonCode, 'ok' | AccessDeniedReason>;

/**
 * Base of every authorizer error. Built without stack frames: an authorizer error is a decision,
 * logged by its reason code and error name, never with a stack, and capturing one cost about 8 µs
 * of every refusal (a wrapped library error keeps its own stack in `cause`).
 */
export abstract class AuthorizerError extends Error {
  abstract readonly reason: ReasonCode;

  constructor(message: string, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * The token is missing, malformed or not genuine: API Gateway answers 401.
 * Leaf classes group the reasons; `claim` names the offending claim or header member when there is one.
 */
export abstract class TokenRejectedError extends AuthorizerError {
  abstract override readonly reason: TokenRejectionReason;
  /** The claim or header member at fault (`exp`, `aud`, `alg`, …), never its value. */
  readonly claim: string | undefined;

  constructor(message: string, options?: { cause?: unknown; claim?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.claim = options?.claim;
  }
}

/** The Authorization header is absent, is not `Bearer <token68>`, is too large or does not decompose into a JWS. */
export class MalformedTokenError extends TokenRejectedError {
  override readonly name = 'MalformedTokenError';
  constructor(
    readonly reason: 'missing_token' | 'malformed' | 'token_too_large',
    message: string,
    options?: { cause?: unknown; claim?: string },
  ) {
    super(message, options);
  }
}

/** The protected header asks for something this verifier refuses (RFC 8725 §3.1, §3.10). */
export class UnacceptableHeaderError extends TokenRejectedError {
  override readonly name = 'UnacceptableHeaderError';
  constructor(
    readonly reason:
      'alg_not_allowed' | 'alg_key_mismatch' | 'crit_unsupported' | 'embedded_key_header' | 'typ_mismatch',
    message: string,
    options?: { cause?: unknown; claim?: string },
  ) {
    super(message, options);
  }
}

/** The signature does not verify with the key the header names. */
export class BadSignatureError extends TokenRejectedError {
  override readonly name = 'BadSignatureError';
  override readonly reason = 'bad_signature' as const;
}

/** No key with the header's `kid` in the issuer's JWKS (after the rate-limited refetch). */
export class UnknownKeyError extends TokenRejectedError {
  override readonly name = 'UnknownKeyError';
  override readonly reason = 'unknown_kid' as const;
}

/** The issuer's JWKS could not be obtained and no cached copy exists. Fail closed. */
export class JwksUnavailableError extends TokenRejectedError {
  override readonly name = 'JwksUnavailableError';
  override readonly reason = 'jwks_unavailable' as const;
}

/** A registered claim is missing or out of bounds. */
export class InvalidClaimError extends TokenRejectedError {
  override readonly name = 'InvalidClaimError';
  constructor(
    readonly reason:
      | 'expired'
      | 'not_yet_valid'
      | 'iat_in_future'
      | 'iat_missing'
      | 'exp_missing'
      | 'lifetime_too_long'
      | 'sub_missing'
      | 'iss_mismatch'
      | 'aud_mismatch',
    message: string,
    options?: { cause?: unknown; claim?: string },
  ) {
    super(message, options);
  }
}

/** An unexpected failure inside the authorizer. Fails closed (401) and is logged as `error`. */
export class InternalAuthorizerError extends TokenRejectedError {
  override readonly name = 'InternalAuthorizerError';
  override readonly reason = 'internal_error' as const;
}

/** The token (its `jti`, its subject or its client) is in the revocation store: 401. */
export class TokenRevokedError extends TokenRejectedError {
  override readonly name = 'TokenRevokedError';
  override readonly reason = 'revoked' as const;
}

/**
 * The revocation store could not be read and the policy is `deny`. Fails closed with a 500 (the
 * authorizer throws something other than `Unauthorized`): the token may be genuine, the check failed.
 */
export class RevocationUnavailableError extends TokenRejectedError {
  override readonly name = 'RevocationUnavailableError';
  override readonly reason = 'revocation_unavailable' as const;
}

/**
 * The client registry could not be read, or holds an item that does not parse. Fails closed with a
 * 500 (the authorizer throws something other than `Unauthorized`), whatever `unknownClients` says.
 */
export class ClientRegistryUnavailableError extends TokenRejectedError {
  override readonly name = 'ClientRegistryUnavailableError';
  override readonly reason = 'client_registry_unavailable' as const;
}

/**
 * A genuine token whose holder may not call the route (`no_matching_rule`, `missing_role`), or whose
 * client is not in the client registry (`unknown_client`): API Gateway answers 403.
 */
export class AccessDeniedError extends AuthorizerError {
  override readonly name = 'AccessDeniedError';
  constructor(
    readonly reason: AccessDeniedReason,
    message: string,
  ) {
    super(message);
  }
}
