/**
 * KMS response signer. KMS cannot run on this machine, so the KMS client is MOCKED: the mock answers
 * GetPublicKey and Sign like KMS does (SPKI DER public key; DER-encoded ECDSA_SHA_256 signature over
 * the RAW message), signing with a P-256 key generated here at run time with node:crypto. Everything
 * else (DER → r||s conversion, self-check, JWKS, response signature verification) is the real code.
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { DependencyUnavailableError } from '../../../lambdas/guard/errors';
import { KmsResponseSigner } from '../../../lambdas/guard/kms-response-signer';
import { ConfigError } from '../../../lambdas/shared/config/config-error';
import {
  GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV,
  loadPreviousSigningKeyIdsFromEnv,
  MAX_PREVIOUS_SIGNING_KEYS,
  parsePreviousSigningKeyIds,
} from '../../../lambdas/shared/config/guard-config';
import { publicKeyFromJwk, verifyBase } from '../../../lambdas/shared/http-signatures/algorithms';

interface MockKmsOptions {
  /** Replace the DER signature KMS returns. */
  readonly corruptSignature?: boolean;
  readonly failSign?: boolean;
  readonly keySpec?: string;
  /** Key spec per key id (overrides keySpec). */
  readonly keySpecOf?: Readonly<Record<string, string>>;
  /** Key ids that name the same key as another id (e.g. a key id and its ARN). */
  readonly sameKeyAs?: Readonly<Record<string, string>>;
}

/** One generated P-256 key per KMS key id, like distinct KMS keys. */
class MockKms {
  readonly calls: { readonly command: 'GetPublicKey' | 'Sign'; readonly keyId: string }[] = [];
  /** Key ids whose GetPublicKey fails (as for a disabled key or a missing grant). */
  readonly unavailable = new Set<string>();
  private readonly keys = new Map<string, { privateKey: KeyObject; spki: Buffer }>();

  constructor(private readonly options: MockKmsOptions = {}) {}

  private key(keyId: string): { privateKey: KeyObject; spki: Buffer } {
    const id = this.options.sameKeyAs?.[keyId] ?? keyId;
    let key = this.keys.get(id);
    if (key === undefined) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      key = { privateKey: pair.privateKey, spki: pair.publicKey.export({ format: 'der', type: 'spki' }) };
      this.keys.set(id, key);
    }
    return key;
  }

  send(command: unknown): Promise<unknown> {
    if (command instanceof GetPublicKeyCommand) {
      const keyId = command.input.KeyId!;
      this.calls.push({ command: 'GetPublicKey', keyId });
      if (this.unavailable.has(keyId)) return Promise.reject(new Error('DisabledException'));
      return Promise.resolve({
        KeyId: keyId,
        PublicKey: new Uint8Array(this.key(keyId).spki),
        KeySpec: this.options.keySpecOf?.[keyId] ?? this.options.keySpec ?? 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      });
    }
    if (command instanceof SignCommand) {
      const keyId = command.input.KeyId!;
      this.calls.push({ command: 'Sign', keyId });
      if (this.options.failSign === true) return Promise.reject(new Error('ThrottlingException'));
      expect(command.input.MessageType).toBe('RAW');
      expect(command.input.SigningAlgorithm).toBe('ECDSA_SHA_256');
      const der = sign('sha256', Buffer.from(command.input.Message!), {
        key: this.key(keyId).privateKey,
        dsaEncoding: 'der',
      });
      if (this.options.corruptSignature === true)
        der.writeUInt8(der.readUInt8(der.length - 1) ^ 0xff, der.length - 1);
      return Promise.resolve({ Signature: new Uint8Array(der), SigningAlgorithm: 'ECDSA_SHA_256' });
    }
    return Promise.reject(new Error('unexpected command'));
  }

  /** The RFC 7638 thumbprint of the key behind an id (computed here, independently of the signer). */
  thumbprint(keyId: string): string {
    const jwk = createPublicKey({ key: this.key(keyId).spki, format: 'der', type: 'spki' }).export({
      format: 'jwk',
    });
    const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
    return createHash('sha256').update(members).digest('base64url');
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
    expect(mock.calls.filter((c) => c.command === 'GetPublicKey')).toHaveLength(1);
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

describe('KmsResponseSigner rotation list (mocked KMS)', () => {
  const CURRENT = 'arn:aws:kms:eu-west-1:123456789012:key/current';
  const PREVIOUS = [
    'arn:aws:kms:eu-west-1:123456789012:key/previous-1',
    'arn:aws:kms:eu-west-1:123456789012:key/previous-2',
  ];
  const BASE = '"@status": 200\n"@signature-params": ("@status");created=1';

  it('happy flow: the JWKS lists the current key first, then each previous key in order, kid = thumbprint', async () => {
    const mock = new MockKms();
    const signer = new KmsResponseSigner(kmsClient(mock), CURRENT, PREVIOUS);
    const jwks = await signer.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([CURRENT, ...PREVIOUS].map((id) => mock.thumbprint(id)));
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(3);
    for (const key of jwks.keys)
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(await signer.keyId()).toBe(mock.thumbprint(CURRENT));
  });

  it('happy flow: signing uses only the current key; the signature verifies with the JWK whose kid the signer names', async () => {
    const mock = new MockKms();
    const signer = new KmsResponseSigner(kmsClient(mock), CURRENT, PREVIOUS);
    const signature = await signer.sign(Buffer.from(BASE));
    const jwks = await signer.jwks();
    const kid = await signer.keyId();
    const published = jwks.keys.find((k) => k.kid === kid)!;
    expect(verifyBase('ecdsa-p256-sha256', publicKeyFromJwk(published), BASE, signature)).toBe(true);
    // The previous keys do not verify it: they never signed.
    for (const key of jwks.keys.slice(1)) {
      expect(verifyBase('ecdsa-p256-sha256', publicKeyFromJwk(key), BASE, signature)).toBe(false);
    }
    expect(mock.calls.filter((c) => c.command === 'Sign').map((c) => c.keyId)).toEqual([CURRENT]);
  });

  it('happy flow: a response signed by a key before the rotation verifies against the JWKS after it', async () => {
    const mock = new MockKms();
    const before = new KmsResponseSigner(kmsClient(mock), PREVIOUS[0]!);
    const signature = await before.sign(Buffer.from(BASE));
    const kid = await before.keyId();
    const after = new KmsResponseSigner(kmsClient(mock), CURRENT, [PREVIOUS[0]!]);
    const published = (await after.jwks()).keys.find((k) => k.kid === kid);
    expect(published).toBeDefined();
    expect(verifyBase('ecdsa-p256-sha256', publicKeyFromJwk(published!), BASE, signature)).toBe(true);
  });

  it('fetches each public key once per instance', async () => {
    const mock = new MockKms();
    const signer = new KmsResponseSigner(kmsClient(mock), CURRENT, PREVIOUS);
    await Promise.all([signer.jwks(), signer.jwks(), signer.keyId(), signer.sign(Buffer.from('a'))]);
    await signer.jwks();
    const fetched = mock.calls.filter((c) => c.command === 'GetPublicKey').map((c) => c.keyId);
    expect(fetched.sort()).toEqual([CURRENT, ...PREVIOUS].sort());
  });

  it('publishes a key named by two ids (key id and ARN) once', async () => {
    const mock = new MockKms({ sameKeyAs: { 'previous-1': PREVIOUS[0]! } });
    const signer = new KmsResponseSigner(kmsClient(mock), CURRENT, [PREVIOUS[0]!, 'previous-1']);
    expect((await signer.jwks()).keys.map((k) => k.kid)).toEqual([
      mock.thumbprint(CURRENT),
      mock.thumbprint(PREVIOUS[0]!),
    ]);
  });

  it('error flow: a previous key that cannot be fetched → the JWKS fails closed (DependencyUnavailableError), signing still works, the next call retries', async () => {
    const mock = new MockKms();
    mock.unavailable.add(PREVIOUS[1]!);
    const signer = new KmsResponseSigner(kmsClient(mock), CURRENT, PREVIOUS);
    await expect(signer.jwks()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(signer.sign(Buffer.from(BASE))).resolves.toHaveLength(64);
    mock.unavailable.delete(PREVIOUS[1]!);
    expect((await signer.jwks()).keys).toHaveLength(3);
  });

  it('error flow: a previous key that is not ECC_NIST_P256 → DependencyUnavailableError', async () => {
    const mock = new MockKms({ keySpecOf: { [PREVIOUS[0]!]: 'RSA_2048' } });
    const signer = new KmsResponseSigner(kmsClient(mock), CURRENT, PREVIOUS);
    await expect(signer.keyId()).resolves.toBe(mock.thumbprint(CURRENT));
    await expect(signer.jwks()).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});

describe(`${GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV} (cold start validation)`, () => {
  const CURRENT = 'arn:aws:kms:eu-west-1:123456789012:key/current';

  it.each([
    ['unset', undefined, []],
    ['blank', '  ', []],
    ['one ARN', 'arn:aws:kms:eu-west-1:123456789012:key/old', ['arn:aws:kms:eu-west-1:123456789012:key/old']],
    ['ids with spaces around commas', 'old-1 , old-2', ['old-1', 'old-2']],
    [
      'the maximum count',
      Array.from({ length: MAX_PREVIOUS_SIGNING_KEYS }, (_, i) => `k${i}`).join(','),
      Array.from({ length: MAX_PREVIOUS_SIGNING_KEYS }, (_, i) => `k${i}`),
    ],
  ])('accepts %s', (_name, text, expected) => {
    expect(parsePreviousSigningKeyIds(text, CURRENT)).toEqual(expected);
  });

  it.each([
    ['an empty entry', 'old-1,,old-2', ['[1]']],
    ['a trailing comma', 'old-1,', ['[1]']],
    ['the current key', `old-1,${CURRENT}`, ['[1]']],
    ['a duplicate', 'old-1,old-2,old-1', ['[2]']],
    ['a malformed id', 'old 1', ['[0]']],
    [
      'too many keys',
      Array.from({ length: MAX_PREVIOUS_SIGNING_KEYS + 1 }, (_, i) => `k${i}`).join(','),
      [''],
    ],
  ])('error flow: rejects %s with a ConfigError naming the variable and the entry', (_name, text, paths) => {
    let caught: unknown;
    try {
      parsePreviousSigningKeyIds(text, CURRENT);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV);
    expect((caught as ConfigError).issues.map((i) => i.path)).toEqual(paths);
  });

  it('reads the variable from the environment', () => {
    expect(
      loadPreviousSigningKeyIdsFromEnv(CURRENT, { [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: 'old' }),
    ).toEqual(['old']);
    expect(() =>
      loadPreviousSigningKeyIdsFromEnv(CURRENT, { [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: CURRENT }),
    ).toThrow(ConfigError);
  });
});
