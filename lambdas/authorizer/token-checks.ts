import type { Jwk } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { JWT_ALGORITHMS, type JwtAlgorithm, type TokenLimits } from '../shared/config/authorizer-config';
import { InvalidClaimError, UnacceptableHeaderError } from './errors';

/**
 * The checks RFC 8725 asks for that aws-jwt-verify does not make by default. Pure functions over
 * the decoded (not yet trusted) header and the verified payload; each throws a reason-coded error.
 */

/** Header members that carry or point at a key. Never followed, never trusted: their presence rejects. */
export const EMBEDDED_KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set(JWT_ALGORITHMS);

/** Checks that apply whoever the issuer is: no embedded keys, no `crit`, an asymmetric `alg` we implement. */
export function assertHeaderAcceptable(
  header: JwtHeader,
): asserts header is JwtHeader & { alg: JwtAlgorithm } {
  for (const member of EMBEDDED_KEY_HEADERS) {
    if (Object.hasOwn(header, member)) {
      throw new UnacceptableHeaderError('embedded_key_header', `header carries "${member}"`, {
        claim: member,
      });
    }
  }
  // RFC 7515 §4.1.11: a verifier that does not understand every listed extension must reject.
  // This verifier implements none, so any `crit` (even an empty one, which is itself invalid) rejects.
  if (Object.hasOwn(header, 'crit')) {
    throw new UnacceptableHeaderError('crit_unsupported', 'header carries "crit"', { claim: 'crit' });
  }
  if (typeof header.alg !== 'string' || !KNOWN_ALGORITHMS.has(header.alg)) {
    throw new UnacceptableHeaderError('alg_not_allowed', 'header alg is not an accepted algorithm', {
      claim: 'alg',
    });
  }
}

/** The header `alg` must be one the issuer signs with. */
export function assertIssuerAlgorithm(alg: JwtAlgorithm, allowed: ReadonlySet<string>): void {
  if (!allowed.has(alg)) {
    throw new UnacceptableHeaderError('alg_not_allowed', 'header alg is not in the issuer allowlist', {
      claim: 'alg',
    });
  }
}

/** `typ` compared as a media type: case-insensitive, `application/` prefix optional (RFC 7515 §4.1.9). */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** If the issuer requires a `typ`, the header must carry it. */
export function assertTyp(header: JwtHeader, requiredTyp: string | undefined): void {
  if (requiredTyp === undefined) return;
  const typ = header.typ;
  if (typeof typ !== 'string' || normalizeTyp(typ) !== normalizeTyp(requiredTyp)) {
    throw new UnacceptableHeaderError('typ_mismatch', 'header typ is not the required type', {
      claim: 'typ',
    });
  }
}

const EC_CURVE: ReadonlyMap<string, string> = new Map([
  ['ES256', 'P-256'],
  ['ES384', 'P-384'],
  ['ES512', 'P-521'],
]);
const OKP_CURVES: ReadonlySet<string> = new Set(['Ed25519', 'Ed448']);
const rsaModulusOk = new WeakMap<object, boolean>();

// Module-level helpers rather than closures: the bundles keep function names (esbuild `keepNames`),
// which costs a property definition for every closure created on the hot path.
function mismatch(why: string): UnacceptableHeaderError {
  return new UnacceptableHeaderError('alg_key_mismatch', why, { claim: 'alg' });
}

/**
 * Binds the header `alg` to the key: RS* needs an RSA key (2048 bits or more), ES256/384/512 an EC key
 * on P-256/P-384/P-521, EdDSA an OKP key on Ed25519 or Ed448. Applies whether or not the JWK names an
 * `alg`; if it does, it must equal the header's. A JWK marked for another `use` or without `verify`
 * in `key_ops` is refused too.
 */
export function assertKeyFitsAlgorithm(jwk: Jwk, alg: string): void {
  if (jwk.alg !== undefined && jwk.alg !== alg) throw mismatch('key alg differs from header alg');
  if (jwk.use !== undefined && jwk.use !== 'sig') throw mismatch('key is not a signature key');
  const keyOps: unknown = jwk.key_ops;
  if (keyOps !== undefined && (!Array.isArray(keyOps) || !keyOps.includes('verify'))) {
    throw mismatch('key_ops does not allow verify');
  }
  if (alg === 'RS256' || alg === 'RS384' || alg === 'RS512') {
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string') throw mismatch('RS* needs an RSA key');
    let ok = rsaModulusOk.get(jwk);
    if (ok === undefined) {
      ok = Buffer.from(jwk.n, 'base64url').length >= 256;
      rsaModulusOk.set(jwk, ok);
    }
    if (!ok) throw mismatch('RSA key shorter than 2048 bits');
    return;
  }
  const curve = EC_CURVE.get(alg);
  if (curve !== undefined) {
    if (jwk.kty !== 'EC' || jwk.crv !== curve) throw mismatch(`${alg} needs an EC key on ${curve}`);
    return;
  }
  if (alg === 'EdDSA') {
    if (jwk.kty !== 'OKP' || typeof jwk.crv !== 'string' || !OKP_CURVES.has(jwk.crv)) {
      throw mismatch('EdDSA needs an OKP key on Ed25519 or Ed448');
    }
    return;
  }
  throw mismatch('unsupported algorithm');
}

/**
 * Time claims with the injected clock: `exp` required and not past (with skew), `nbf` not in the
 * future (with skew), `iat` required and not in the future (with skew), `exp - iat` within the
 * maximum lifetime.
 */
export function assertTimeClaims(payload: JwtPayload, nowSeconds: number, limits: TokenLimits): void {
  const skew = limits.clockSkewSeconds;
  const { exp, nbf, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new InvalidClaimError('exp_missing', 'token has no exp', { claim: 'exp' });
  }
  if (nowSeconds > exp + skew) throw new InvalidClaimError('expired', 'token expired', { claim: 'exp' });
  if (nbf !== undefined && (typeof nbf !== 'number' || nowSeconds < nbf - skew)) {
    throw new InvalidClaimError('not_yet_valid', 'token not valid yet', { claim: 'nbf' });
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new InvalidClaimError('iat_missing', 'token has no iat', { claim: 'iat' });
  }
  if (iat > nowSeconds + skew) {
    throw new InvalidClaimError('iat_in_future', 'token issued in the future', { claim: 'iat' });
  }
  if (exp - iat > limits.maxLifetimeSeconds) {
    throw new InvalidClaimError('lifetime_too_long', 'exp - iat exceeds the maximum lifetime', {
      claim: 'exp',
    });
  }
}

function audienceMismatch(): InvalidClaimError {
  return new InvalidClaimError('aud_mismatch', 'audience not accepted', { claim: 'aud' });
}

/**
 * Exact audience check: `aud` (string or array of strings) must contain one of the accepted values.
 * A token without `aud` may name its client in `client_id` instead (IdPs whose access tokens carry no
 * `aud`, e.g. Cognito). `null` skips the check (an explicit opt-out in config).
 */
export function assertAudience(payload: JwtPayload, accepted: ReadonlySet<string> | null): void {
  if (accepted === null) return;
  const aud: unknown = payload.aud;
  if (aud === undefined) {
    const clientId: unknown = payload.client_id;
    if (typeof clientId === 'string' && accepted.has(clientId)) return;
    throw audienceMismatch();
  }
  const values: unknown[] = Array.isArray(aud) ? aud : [aud];
  if (values.some((v) => typeof v === 'string' && accepted.has(v))) return;
  throw audienceMismatch();
}

/** `sub` must be a non-empty string: it becomes the policy's principalId. */
export function assertSubject(payload: JwtPayload): asserts payload is JwtPayload & { sub: string } {
  if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 1024) {
    throw new InvalidClaimError('sub_missing', 'token has no usable sub', { claim: 'sub' });
  }
}
