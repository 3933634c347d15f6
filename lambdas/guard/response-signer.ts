import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { algorithmForKey, signBase, type SignatureAlgorithm } from '../shared/http-signatures/algorithms';
import { KeyError } from '../shared/http-signatures/errors';
import { jwkThumbprint, toPublicJwk, type Jwks } from '../shared/http-signatures/jwk';

/** The server key that signs responses. AWS: a KMS key; locally: a generated key. */
export interface ResponseSigner {
  readonly algorithm: SignatureAlgorithm;
  /** The `keyid` in the response signature; equals the `kid` in the JWKS. */
  keyId(): Promise<string>;
  /** Signs the UTF-8 signature base; returns the RFC 9421 signature bytes (raw r||s for ECDSA). */
  sign(base: Buffer): Promise<Uint8Array>;
  /** The public key(s) clients verify with. */
  jwks(): Promise<Jwks>;
}

/** A response signer holding its private key in memory (local edge, tests). */
export class LocalResponseSigner implements ResponseSigner {
  readonly algorithm: SignatureAlgorithm;
  private readonly kid: string;
  private readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    const algorithm = algorithmForKey(privateKey);
    if (algorithm === undefined || privateKey.type !== 'private') {
      throw new KeyError('a response signer needs an Ed25519 or P-256 private key');
    }
    this.algorithm = algorithm;
    this.publicKey = createPublicKey(privateKey);
    this.kid = jwkThumbprint(this.publicKey);
  }

  /** A signer with a fresh key (never stored). */
  static generate(algorithm: SignatureAlgorithm = 'ecdsa-p256-sha256'): LocalResponseSigner {
    const { privateKey } =
      algorithm === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new LocalResponseSigner(privateKey);
  }

  keyId(): Promise<string> {
    return Promise.resolve(this.kid);
  }

  sign(base: Buffer): Promise<Uint8Array> {
    return Promise.resolve(signBase(this.algorithm, this.privateKey, base.toString('utf8')));
  }

  jwks(): Promise<Jwks> {
    return Promise.resolve({ keys: [toPublicJwk(this.publicKey, this.kid)] });
  }
}
