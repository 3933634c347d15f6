import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import { algorithmForKey, type SignatureAlgorithm } from './algorithms';
import { KeyError } from './errors';

/** A public JWK as published in the guard's JWKS (a type alias, so it is assignable to JsonWebKey). */
export type PublicJwk = {
  readonly kty: 'OKP' | 'EC';
  readonly crv: 'Ed25519' | 'P-256';
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly use: 'sig';
  /** JOSE name of the algorithm: `EdDSA` or `ES256`. */
  readonly alg: 'EdDSA' | 'ES256';
};

export interface Jwks {
  readonly keys: readonly PublicJwk[];
}

const JOSE_ALG: Record<SignatureAlgorithm, PublicJwk['alg']> = {
  ed25519: 'EdDSA',
  'ecdsa-p256-sha256': 'ES256',
};

/** The RFC 9421 algorithm of a published JWK. */
export function signatureAlgorithmForJwk(jwk: {
  readonly alg?: unknown;
  readonly crv?: unknown;
}): SignatureAlgorithm | undefined {
  if (jwk.crv === 'Ed25519') return 'ed25519';
  if (jwk.crv === 'P-256') return 'ecdsa-p256-sha256';
  return undefined;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: a stable key id. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const required =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

/** Exports a public key as a JWK for a JWKS (kid defaults to the RFC 7638 thumbprint). */
export function toPublicJwk(publicKey: KeyObject, kid = jwkThumbprint(publicKey)): PublicJwk {
  const algorithm = algorithmForKey(publicKey);
  if (algorithm === undefined || publicKey.type !== 'public')
    throw new KeyError('not an Ed25519 or P-256 public key');
  const jwk: JsonWebKey = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new KeyError('key export failed');
  return algorithm === 'ed25519'
    ? // eslint-disable-next-line security/detect-object-injection -- algorithm is a typed constant tuple member
      { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, use: 'sig', alg: JOSE_ALG[algorithm] }
    : // eslint-disable-next-line security/detect-object-injection -- algorithm is a typed constant tuple member
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: String(jwk.y), kid, use: 'sig', alg: JOSE_ALG[algorithm] };
}
