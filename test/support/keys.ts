import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Signing keys generated at run time (never committed). Each carries its public JWK with a `kid`,
 * and the JWS algorithm it signs with.
 */
export type TestAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface TestKey {
  readonly kid: string;
  readonly alg: TestAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid` and `use: "sig"`; `alg` only when asked for (many IdPs omit it). */
  readonly jwk: JsonWebKey & { kid: string };
}

export interface KeyOptions {
  readonly kid?: string;
  /** Put `alg` into the published JWK. @default false */
  readonly jwkAlg?: boolean;
}

function finish(
  alg: TestAlgorithm,
  pair: { privateKey: KeyObject; publicKey: KeyObject },
  options: KeyOptions,
): TestKey {
  const kid = options.kid ?? `k-${randomUUID()}`;
  const jwk = {
    ...pair.publicKey.export({ format: 'jwk' }),
    kid,
    use: 'sig',
    ...(options.jwkAlg === true ? { alg } : {}),
  };
  return { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

/** RSA key (2048 bits unless said otherwise) for RS256/384/512. */
export function generateRsaKey(
  options: KeyOptions & { alg?: 'RS256' | 'RS384' | 'RS512'; bits?: number } = {},
): TestKey {
  return finish(
    options.alg ?? 'RS256',
    generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048 }),
    options,
  );
}

const CURVE_ALG = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as const;

/** EC key on P-256 (ES256), P-384 (ES384) or P-521 (ES512). */
export function generateEcKey(options: KeyOptions & { curve?: 'P-256' | 'P-384' | 'P-521' } = {}): TestKey {
  const curve = options.curve ?? 'P-256';
  return finish(CURVE_ALG[curve], generateKeyPairSync('ec', { namedCurve: curve }), options);
}

/** Ed25519 key (EdDSA). */
export function generateEd25519Key(options: KeyOptions = {}): TestKey {
  return finish('EdDSA', generateKeyPairSync('ed25519'), options);
}

/** A JWKS document of the keys' public JWKs. */
export function jwksOf(...keys: readonly TestKey[]): { keys: (JsonWebKey & { kid: string })[] } {
  return { keys: keys.map((k) => k.jwk) };
}
