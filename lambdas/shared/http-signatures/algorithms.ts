import { createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from '../config/guard-config';
import { KeyError } from './errors';

export { SIGNATURE_ALGORITHMS, type SignatureAlgorithm };

/** The RFC 9421 algorithm a key can produce, from its type and curve; undefined for other keys. */
export function algorithmForKey(key: KeyObject): SignatureAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ecdsa-p256-sha256';
  }
  return undefined;
}

export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return typeof value === 'string' && (SIGNATURE_ALGORITHMS as readonly string[]).includes(value);
}

/** Signs a signature base. ECDSA signatures are raw r||s (64 bytes), as RFC 9421 §3.3.4 requires. */
export function signBase(algorithm: SignatureAlgorithm, privateKey: KeyObject, base: string): Buffer {
  if (algorithmForKey(privateKey) !== algorithm || privateKey.type !== 'private') {
    throw new KeyError(`the key cannot sign ${algorithm}`);
  }
  const data = Buffer.from(base, 'utf8');
  if (algorithm === 'ed25519') return sign(null, data, privateKey);
  return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

/** Verifies a signature over a signature base; false for any mismatch or malformed signature. */
export function verifyBase(
  algorithm: SignatureAlgorithm,
  publicKey: KeyObject,
  base: string,
  signature: Uint8Array,
): boolean {
  if (algorithmForKey(publicKey) !== algorithm) return false;
  const data = Buffer.from(base, 'utf8');
  try {
    if (algorithm === 'ed25519') return signature.length === 64 && verify(null, data, publicKey, signature);
    return (
      signature.length === 64 &&
      verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
    );
  } catch {
    return false;
  }
}

/** Imports a public JWK (OKP Ed25519 or EC P-256). Rejects private members and other key types. */
export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  if ('d' in jwk || 'p' in jwk || 'q' in jwk || 'k' in jwk) {
    throw new KeyError('a public JWK must not contain private or symmetric members');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch (cause) {
    throw new KeyError('not a valid public JWK', { cause });
  }
  if (algorithmForKey(key) === undefined) throw new KeyError('only Ed25519 and P-256 keys are supported');
  return key;
}
