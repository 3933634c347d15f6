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
 *
 * The JWKS publishes the current key first, then each of `previousKeyIds` (the rotation list), so
 * a client can still verify a response signed just before a rotation. Signing always uses the
 * current key. Every public key (`kms:GetPublicKey`) is fetched once, with the same P-256 checks,
 * and cached; a failed fetch is not cached.
 *
 * A previous key that cannot be fetched fails the JWKS closed (`DependencyUnavailableError`, 503),
 * exactly like the current key: the JWKS is always the configured set or nothing. Publishing a
 * partial set would let a client cache a JWKS that silently lacks a key it needs, and would hide a
 * misconfiguration (wrong ARN, missing grant, a disabled key still listed) that a 503 surfaces.
 * Signing does not depend on previous keys, so only the JWKS route is affected.
 */
export class KmsResponseSigner implements ResponseSigner {
  readonly algorithm = 'ecdsa-p256-sha256' as const;
  private readonly publicParts = new Map<string, Promise<PublicPart>>();

  /**
   * @param kmsKeyId the current signing key (id, ARN or alias).
   * @param previousKeyIds previous keys, published after the current one, never used to sign;
   *   validated by `parsePreviousSigningKeyIds` (guard-config) when read from the environment.
   */
  constructor(
    private readonly kms: KMSClient,
    private readonly kmsKeyId: string,
    private readonly previousKeyIds: readonly string[] = [],
  ) {}

  private loadPublicPart(keyId: string = this.kmsKeyId): Promise<PublicPart> {
    const cached = this.publicParts.get(keyId);
    if (cached !== undefined) return cached;
    const loading = (async () => {
      const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
      if (out.PublicKey === undefined || out.KeySpec !== 'ECC_NIST_P256') {
        throw new KeyError('the KMS key must be an ECC_NIST_P256 signing key');
      }
      const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
      if (algorithmForKey(publicKey) !== 'ecdsa-p256-sha256') throw new KeyError('not a P-256 key');
      return { publicKey, kid: jwkThumbprint(publicKey) };
    })().catch((cause: unknown) => {
      this.publicParts.delete(keyId);
      throw new DependencyUnavailableError('response_signer', { cause });
    });
    this.publicParts.set(keyId, loading);
    return loading;
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
    const parts = await Promise.all(
      [this.kmsKeyId, ...this.previousKeyIds].map((keyId) => this.loadPublicPart(keyId)),
    );
    // Two ids (key id and ARN, or an alias) can name the same key: publish each kid once.
    const seen = new Set<string>();
    const keys = [];
    for (const { publicKey, kid } of parts) {
      if (seen.has(kid)) continue;
      seen.add(kid);
      keys.push(toPublicJwk(publicKey, kid));
    }
    return { keys };
  }
}
