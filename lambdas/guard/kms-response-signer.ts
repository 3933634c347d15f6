import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { derToJose } from 'ecdsa-sig-formatter';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmForKey, verifyBase } from '../shared/http-signatures/algorithms';
import { KeyError } from '../shared/http-signatures/errors';
import { jwkThumbprint, toPublicJwk, type Jwks } from '../shared/http-signatures/jwk';
import { DependencyUnavailableError } from './errors';
import type { ResponseSigner } from './response-signer';

interface PublicPart {
  readonly publicKey: KeyObject;
  readonly kid: string;
}

/**
 * Response signing with an asymmetric KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`): `kms:Sign` with
 * `ECDSA_SHA_256` over the raw signature base. KMS returns a DER signature; RFC 9421
 * `ecdsa-p256-sha256` needs raw r||s, so the signature is converted (ecdsa-sig-formatter, the
 * converter jsonwebtoken uses) and checked with node:crypto against the KMS public key
 * (`dsaEncoding: 'ieee-p1363'`) before use: a bad conversion fails closed.
 * The public key (`kms:GetPublicKey`) is fetched once and published as the JWKS.
 */
export class KmsResponseSigner implements ResponseSigner {
  readonly algorithm = 'ecdsa-p256-sha256' as const;
  private publicPart: Promise<PublicPart> | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly kmsKeyId: string,
  ) {}

  private loadPublicPart(): Promise<PublicPart> {
    this.publicPart ??= (async () => {
      const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.kmsKeyId }));
      if (out.PublicKey === undefined || out.KeySpec !== 'ECC_NIST_P256') {
        throw new KeyError('the KMS key must be an ECC_NIST_P256 signing key');
      }
      const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
      if (algorithmForKey(publicKey) !== 'ecdsa-p256-sha256') throw new KeyError('not a P-256 key');
      return { publicKey, kid: jwkThumbprint(publicKey) };
    })().catch((cause: unknown) => {
      this.publicPart = undefined;
      throw new DependencyUnavailableError('response_signer', { cause });
    });
    return this.publicPart;
  }

  async keyId(): Promise<string> {
    return (await this.loadPublicPart()).kid;
  }

  async sign(base: Buffer): Promise<Uint8Array> {
    const { publicKey } = await this.loadPublicPart();
    let der: Uint8Array | undefined;
    try {
      const out = await this.kms.send(
        new SignCommand({
          KeyId: this.kmsKeyId,
          Message: base,
          MessageType: 'RAW',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      der = out.Signature;
    } catch (cause) {
      throw new DependencyUnavailableError('response_signer', { cause });
    }
    if (der === undefined) throw new DependencyUnavailableError('response_signer');
    let raw: Buffer;
    try {
      raw = Buffer.from(derToJose(Buffer.from(der), 'ES256'), 'base64url');
    } catch (cause) {
      throw new DependencyUnavailableError('response_signer', { cause });
    }
    if (!verifyBase('ecdsa-p256-sha256', publicKey, base.toString('utf8'), raw)) {
      throw new DependencyUnavailableError('response_signer');
    }
    return raw;
  }

  async jwks(): Promise<Jwks> {
    const { publicKey, kid } = await this.loadPublicPart();
    return { keys: [toPublicJwk(publicKey, kid)] };
  }
}
