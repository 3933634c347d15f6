/**
 * KMS response signer. KMS cannot run on this machine, so the KMS client is MOCKED: the mock answers
 * GetPublicKey and Sign like KMS does (SPKI DER public key; DER-encoded ECDSA_SHA_256 signature over
 * the RAW message), signing with a P-256 key generated here at run time with node:crypto. Everything
 * else (DER → r||s conversion, self-check, JWKS, response signature verification) is the real code.
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { DependencyUnavailableError } from '../../../lambdas/guard/errors';
import { KmsResponseSigner } from '../../../lambdas/guard/kms-response-signer';
import { publicKeyFromJwk, verifyBase } from '../../../lambdas/shared/http-signatures/algorithms';

interface MockKmsOptions {
  /** Replace the DER signature KMS returns. */
  readonly corruptSignature?: boolean;
  readonly failSign?: boolean;
  readonly keySpec?: string;
}

class MockKms {
  readonly calls: string[] = [];
  readonly privateKey: KeyObject;
  private readonly spki: Buffer;

  constructor(private readonly options: MockKmsOptions = {}) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.spki = pair.publicKey.export({ format: 'der', type: 'spki' });
  }

  send(command: unknown): Promise<unknown> {
    if (command instanceof GetPublicKeyCommand) {
      this.calls.push('GetPublicKey');
      return Promise.resolve({
        KeyId: command.input.KeyId,
        PublicKey: new Uint8Array(this.spki),
        KeySpec: this.options.keySpec ?? 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      });
    }
    if (command instanceof SignCommand) {
      this.calls.push('Sign');
      if (this.options.failSign === true) return Promise.reject(new Error('ThrottlingException'));
      expect(command.input.MessageType).toBe('RAW');
      expect(command.input.SigningAlgorithm).toBe('ECDSA_SHA_256');
      const der = sign('sha256', Buffer.from(command.input.Message!), {
        key: this.privateKey,
        dsaEncoding: 'der',
      });
      if (this.options.corruptSignature === true)
        der.writeUInt8(der.readUInt8(der.length - 1) ^ 0xff, der.length - 1);
      return Promise.resolve({ Signature: new Uint8Array(der), SigningAlgorithm: 'ECDSA_SHA_256' });
    }
    return Promise.reject(new Error('unexpected command'));
  }
}

const kmsClient = (mock: MockKms): KMSClient => mock as unknown as KMSClient;

describe('KmsResponseSigner (mocked KMS)', () => {
  it('happy flow: KMS DER signatures become RFC 9421 raw r||s that verify with the published JWK', async () => {
    const mock = new MockKms();
    const signer = new KmsResponseSigner(kmsClient(mock), 'alias/guard-response');
    const base = '"@status": 200\n"@signature-params": ("@status");created=1';
    const signature = await signer.sign(Buffer.from(base));
    expect(signature).toHaveLength(64);
    const jwks = await signer.jwks();
    expect(jwks.keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: await signer.keyId(),
    });
    expect(verifyBase('ecdsa-p256-sha256', publicKeyFromJwk(jwks.keys[0]!), base, signature)).toBe(true);
    expect(verifyBase('ecdsa-p256-sha256', publicKeyFromJwk(jwks.keys[0]!), `${base}x`, signature)).toBe(
      false,
    );
  });

  it('fetches the public key once per instance', async () => {
    const mock = new MockKms();
    const signer = new KmsResponseSigner(kmsClient(mock), 'k');
    await Promise.all([
      signer.jwks(),
      signer.keyId(),
      signer.sign(Buffer.from('a')),
      signer.sign(Buffer.from('b')),
    ]);
    expect(mock.calls.filter((c) => c === 'GetPublicKey')).toHaveLength(1);
  });

  it('error flow: a signature that does not verify after conversion → DependencyUnavailableError (fail closed)', async () => {
    const signer = new KmsResponseSigner(kmsClient(new MockKms({ corruptSignature: true })), 'k');
    await expect(signer.sign(Buffer.from('base'))).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('error flow: KMS Sign fails → DependencyUnavailableError', async () => {
    const signer = new KmsResponseSigner(kmsClient(new MockKms({ failSign: true })), 'k');
    await expect(signer.sign(Buffer.from('base'))).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('error flow: a key that is not ECC_NIST_P256 → DependencyUnavailableError', async () => {
    const signer = new KmsResponseSigner(kmsClient(new MockKms({ keySpec: 'RSA_2048' })), 'k');
    await expect(signer.jwks()).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
