/** Why a signed response was not accepted by {@link verifyResponse}. */
export type ResponseRejectReason =
  'sig_missing' | 'sig_invalid' | 'coverage' | 'digest_mismatch' | 'unknown_key' | 'stale';

/** A guard response signature did not verify. Branch on `reason`, not the message. */
export class ResponseVerificationError extends Error {
  override readonly name = 'ResponseVerificationError';
  constructor(
    readonly reason: ResponseRejectReason,
    options?: { cause?: unknown },
  ) {
    super(`response signature rejected: ${reason}`, options);
  }
}
