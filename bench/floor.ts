import {
  createPublicKey,
  verify,
  type JsonWebKey,
  type KeyObject,
  type VerifyKeyObjectInput,
} from 'node:crypto';
import type { BenchAlgorithm } from './jwt-fixture';

/**
 * The physical floor of the warm authorizer path: node:crypto `verify` on a token's signing input
 * with a prebuilt KeyObject, and nothing else (no parsing, no claims, no policy). Everything the
 * token needs is decoded before the clock starts.
 */

interface PreparedSignature {
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** Returns a function that verifies the i-th token (modulo the pool size) and returns the result. */
export function createFloorVerifier(
  alg: BenchAlgorithm,
  publicJwk: JsonWebKey,
  tokens: readonly string[],
): (i: number) => boolean {
  const keyObject: KeyObject = createPublicKey({ key: publicJwk, format: 'jwk' });
  // ES256 signatures in a JWS are r || s (IEEE P1363), not DER.
  const key: KeyObject | VerifyKeyObjectInput =
    alg === 'ES256' ? { key: keyObject, dsaEncoding: 'ieee-p1363' } : keyObject;
  const prepared: PreparedSignature[] = tokens.map((token) => {
    const lastDot = token.lastIndexOf('.');
    return {
      signingInput: Buffer.from(token.slice(0, lastDot), 'ascii'),
      signature: Buffer.from(token.slice(lastDot + 1), 'base64url'),
    };
  });
  const verifyOne = (i: number): boolean => {
    const p = prepared[i % prepared.length]!;
    return verify('sha256', p.signingInput, key, p.signature);
  };
  prepared.forEach((_, i) => {
    if (!verifyOne(i)) throw new Error(`floor: token ${i} of the ${alg} pool does not verify`);
  });
  return verifyOne;
}
