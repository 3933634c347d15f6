/** The client library: request signing and key handling (response verification is exercised against the guard). */
import { generateKeyPairSync } from 'node:crypto';
import { ResponseVerificationError } from '../../client/errors';
import { generateClientKeyPair, loadPrivateKey } from '../../client/keys';
import { canonicalUrl, signRequest } from '../../client/sign-request';
import { verifyResponse } from '../../client/verify-response';
import { KeyError } from '../../lambdas/shared/http-signatures/errors';
import { parseSignatureInput } from '../../lambdas/shared/http-signatures/signature-fields';

const pair = generateClientKeyPair('ed25519');
const key = { keyId: 'k-1', privateKey: pair.privateJwk };

describe('canonicalUrl', () => {
  it.each([
    ['https://a.test/p?b=2&a=1&b=3', 'https://a.test/p?b=2&b=3&a=1'],
    ['https://a.test/p?q=a+b', 'https://a.test/p?q=a%20b'],
    ['https://a.test/p?q=%7E~', 'https://a.test/p?q=~~'],
    ['https://A.TEST:443/p#frag', 'https://a.test/p'],
    ['https://a.test/p?', 'https://a.test/p'],
  ])('%s → %s (the form the guard rebuilds from API Gateway parameters)', (input, expected) => {
    expect(canonicalUrl(input).toString()).toBe(expected);
  });

  it('refuses non-http URLs', () => {
    expect(() => canonicalUrl('file:///etc/passwd')).toThrow(TypeError);
  });
});

describe('signRequest', () => {
  it('covers the required components and parameters', async () => {
    const signed = await signRequest({
      method: 'post',
      url: 'https://a.test/orders',
      headers: { Authorization: 'Bearer t' },
      body: '{"a":1}',
      key,
      created: 1_000,
      nonce: 'n-1',
    });
    expect(signed.method).toBe('POST');
    expect(signed.headers['Content-Type']).toBe('application/json');
    const entry = parseSignatureInput(signed.headers['Signature-Input']!).get('sig1')!;
    expect(entry.components.map((c) => c.name)).toEqual([
      '@method',
      '@target-uri',
      'authorization',
      'content-type',
      'content-digest',
    ]);
    expect(entry.params).toEqual({
      created: 1_000,
      expires: 1_060,
      nonce: 'n-1',
      keyid: 'k-1',
      alg: 'ed25519',
    });
  });

  it('a caller-supplied Signature or Content-Digest header is replaced, not trusted', async () => {
    const signed = await signRequest({
      method: 'POST',
      url: 'https://a.test/orders',
      headers: { signature: 'evil', 'content-digest': 'sha-256=:AAAA:' },
      body: 'x',
      key,
    });
    expect(Object.keys(signed.headers).filter((h) => h.toLowerCase() === 'signature')).toEqual(['Signature']);
    expect(signed.headers['Content-Digest']).not.toBe('sha-256=:AAAA:');
  });

  it('no body → no content-digest, no content-type; expires can be left out', async () => {
    const signed = await signRequest({ method: 'GET', url: 'https://a.test/x', key, expires: null });
    expect(signed.headers['Content-Digest']).toBeUndefined();
    expect(signed.headers['Signature-Input']).not.toContain('expires');
  });
});

describe('keys', () => {
  it('error flow: RSA keys and public keys are refused', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => loadPrivateKey(rsa.privateKey)).toThrow(KeyError);
    expect(() => loadPrivateKey(pair.publicJwk)).toThrow();
  });

  it('P-256 and Ed25519 pairs have RFC 7638 thumbprints', () => {
    expect(generateClientKeyPair('ecdsa-p256-sha256').thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('verifyResponse', () => {
  it('error flow: a response without a guard signature → sig_missing', async () => {
    const request = await signRequest({ method: 'GET', url: 'https://a.test/x', key });
    try {
      verifyResponse({ response: { status: 200, headers: {}, body: '' }, request, jwks: { keys: [] } });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ResponseVerificationError);
      expect((error as ResponseVerificationError).reason).toBe('sig_missing');
    }
  });

  it('error flow: a response signature that does not cover the request signature → coverage', async () => {
    const request = await signRequest({ method: 'GET', url: 'https://a.test/x', key });
    const headers = {
      'Signature-Input': 'guard=("@status" "content-digest");created=1;keyid="s"',
      Signature: 'guard=:AAAA:',
      'Content-Digest': 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:',
    };
    expect(() =>
      verifyResponse({ response: { status: 200, headers, body: '' }, request, jwks: { keys: [] }, now: 1 }),
    ).toThrow(expect.objectContaining({ reason: 'coverage' }) as Error);
  });
});
