import {
  FetchError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwkValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import {
  AuthorizerError,
  BadSignatureError,
  InternalAuthorizerError,
  InvalidClaimError,
  JwksUnavailableError,
  MalformedTokenError,
  UnacceptableHeaderError,
  UnknownKeyError,
} from './errors';

/**
 * Translates an error raised while verifying (by aws-jwt-verify or by our own checks) into the
 * authorizer taxonomy. Unknown errors become `internal_error`: they fail closed.
 */
export function toAuthorizerError(error: unknown): AuthorizerError {
  if (error instanceof AuthorizerError) return error;
  const options = { cause: error };
  if (error instanceof JwtParseError)
    return new MalformedTokenError('malformed', 'token does not parse', options);
  if (error instanceof JwtInvalidSignatureError)
    return new BadSignatureError('signature does not verify', options);
  if (
    error instanceof JwtInvalidSignatureAlgorithmError ||
    error instanceof JwkInvalidKtyError ||
    error instanceof JwkInvalidUseError ||
    error instanceof JwkValidationError
  ) {
    return new UnacceptableHeaderError('alg_key_mismatch', 'key does not fit the header alg', {
      ...options,
      claim: 'alg',
    });
  }
  if (error instanceof JwtExpiredError) {
    return new InvalidClaimError('expired', 'token expired', { ...options, claim: 'exp' });
  }
  if (error instanceof JwtNotBeforeError) {
    return new InvalidClaimError('not_yet_valid', 'token not valid yet', { ...options, claim: 'nbf' });
  }
  if (error instanceof JwtInvalidIssuerError) {
    return new InvalidClaimError('iss_mismatch', 'issuer not trusted', { ...options, claim: 'iss' });
  }
  if (error instanceof JwtInvalidAudienceError) {
    return new InvalidClaimError('aud_mismatch', 'audience not accepted', { ...options, claim: 'aud' });
  }
  if (
    error instanceof KidNotFoundInJwksError ||
    error instanceof JwtWithoutValidKidError ||
    error instanceof WaitPeriodNotYetEndedJwkError
  ) {
    return new UnknownKeyError('no key for the header kid', { ...options, claim: 'kid' });
  }
  if (
    error instanceof JwksNotAvailableInCacheError ||
    error instanceof FetchError ||
    error instanceof JwksValidationError
  ) {
    return new JwksUnavailableError('JWKS unavailable', options);
  }
  return new InternalAuthorizerError('unexpected error during verification', options);
}
