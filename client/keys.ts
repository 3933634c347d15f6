import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { algorithmForKey, type SignatureAlgorithm } from '../lambdas/shared/http-signatures/algorithms';
import { KeyError } from '../lambdas/shared/http-signatures/errors';
import { jwkThumbprint } from '../lambdas/shared/http-signatures/jwk';

/** A client key pair as JWKs: register `publicJwk` with the edge, keep `privateJwk` secret. */
export interface ClientKeyPair {
  readonly algorithm: SignatureAlgorithm;
  /** RFC 7638 thumbprint of the public key: a good default `keyid`. */
  readonly thumbprint: string;
  readonly privateJwk: JsonWebKey;
  readonly publicJwk: JsonWebKey;
}

/** Generates a new Ed25519 or P-256 key pair. */
export function generateClientKeyPair(algorithm: SignatureAlgorithm = 'ed25519'): ClientKeyPair {
  const { privateKey, publicKey } =
    algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    algorithm,
    thumbprint: jwkThumbprint(publicKey),
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
  };
}

/** Imports a private key from a JWK object or PEM text and checks it is Ed25519 or P-256. */
export function loadPrivateKey(source: JsonWebKey | string | KeyObject): KeyObject {
  let key: KeyObject;
  if (typeof source === 'string') key = createPrivateKey(source);
  else if ('type' in source && (source as KeyObject).type === 'private') key = source as KeyObject;
  else key = createPrivateKey({ key: source as JsonWebKey, format: 'jwk' });
  if (key.type !== 'private' || algorithmForKey(key) === undefined) {
    throw new KeyError('expected an Ed25519 or P-256 private key');
  }
  return key;
}

/** The public key of a private key, as a JWK. */
export function publicJwkOf(privateKey: KeyObject): JsonWebKey {
  return createPublicKey(privateKey).export({ format: 'jwk' });
}
