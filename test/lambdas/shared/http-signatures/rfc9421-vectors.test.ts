/**
 * Interoperability with the published examples of RFC 9421 Appendix B (test keys B.1, signature
 * bases and signatures B.2, the client signature of §4.3) and RFC 9530 (Content-Digest). The key
 * material below is the RFC's public test keys, typed from the RFC text; they are test vectors, not
 * secrets, and are used only here.
 */
import { constants, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { signBase, verifyBase } from '../../../../lambdas/shared/http-signatures/algorithms';
import { checkContentDigest } from '../../../../lambdas/shared/http-signatures/content-digest';
import { headerMap, type HttpRequestParts } from '../../../../lambdas/shared/http-signatures/message';
import { verifyMessageSignature } from '../../../../lambdas/shared/http-signatures/message-signature';
import { createSignatureBase } from '../../../../lambdas/shared/http-signatures/signature-base';
import {
  parseSignatureField,
  parseSignatureInput,
  serializeSignatureMember,
} from '../../../../lambdas/shared/http-signatures/signature-fields';

/** B.1.2 test-key-rsa-pss (public). */
const RSA_PSS_PUBLIC = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----`;

/** B.1.3 test-key-ecc-p256 (public). */
const ECC_P256_PUBLIC = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----`;

/** B.1.4 test-key-ed25519 (public and private). */
const ED25519_PUBLIC = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`;
/**
 * The private half of B.1.4, as the RFC also publishes it (JWK form). A public test vector, not a
 * secret: it exists so that anyone can reproduce the RFC's Ed25519 signatures byte for byte.
 */
const ED25519_PRIVATE_JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU',
  x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
};

const REQUEST_DIGEST =
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';
const RESPONSE_DIGEST =
  'sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:';

/** The test request of RFC 9421 §2.5 / Appendix B.2 (`POST /foo?param=Value&Pet=dog`). */
function testRequest(host = 'example.com'): HttpRequestParts {
  return {
    method: 'POST',
    scheme: 'https',
    authority: host,
    path: '/foo',
    query: 'param=Value&Pet=dog',
    headers: headerMap({
      Host: host,
      Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'Content-Type': 'application/json',
      'Content-Digest': REQUEST_DIGEST,
      'Content-Length': '18',
    }),
  };
}

/** The test response of Appendix B.2 (`200 OK`, `{"message": "good dog"}`). */
const testResponse = {
  status: 200,
  headers: headerMap({
    Date: 'Tue, 20 Apr 2021 02:07:56 GMT',
    'Content-Type': 'application/json',
    'Content-Digest': RESPONSE_DIGEST,
    'Content-Length': '23',
  }),
};

function entryOf(signatureInput: string, label: string) {
  const entry = parseSignatureInput(signatureInput).get(label);
  if (entry === undefined) throw new Error('label missing');
  return entry;
}

describe('RFC 9530 Content-Digest examples', () => {
  it.each([
    ['request', '{"hello": "world"}', REQUEST_DIGEST],
    ['response', '{"message": "good dog"}', RESPONSE_DIGEST],
  ])('the %s digest of Appendix B.2 matches the body', (_kind, body, digest) => {
    expect(checkContentDigest(digest, Buffer.from(body), ['sha-512'])).toBe('match');
    expect(checkContentDigest(digest, Buffer.from(`${body} `), ['sha-512'])).toBe('mismatch');
  });
});

describe('RFC 9421 Appendix B.2 signature bases and signatures', () => {
  it('B.2.1 minimal signature (rsa-pss-sha512): base and signature', () => {
    const input = 'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"';
    const signature =
      'sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:';
    const entry = entryOf(input, 'sig-b21');
    const base = createSignatureBase(
      { kind: 'request', request: testRequest() },
      entry.components,
      entry.rawParams,
    );
    expect(base).toBe(
      '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
    );
    const bytes = parseSignatureField(signature).get('sig-b21')!;
    const pss = {
      key: createPublicKey(RSA_PSS_PUBLIC),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 64,
    };
    expect(verify('sha512', Buffer.from(base), pss, bytes)).toBe(true);
  });

  it('B.2.3 full coverage (rsa-pss-sha512): base with @query and content-digest, signature verifies', () => {
    const input =
      'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"';
    const signature =
      'sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:';
    const entry = entryOf(input, 'sig-b23');
    const base = createSignatureBase(
      { kind: 'request', request: testRequest() },
      entry.components,
      entry.rawParams,
    );
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@query": ?param=Value&Pet=dog',
        '"@authority": example.com',
        '"content-type": application/json',
        `"content-digest": ${REQUEST_DIGEST}`,
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
      ].join('\n'),
    );
    const bytes = parseSignatureField(signature).get('sig-b23')!;
    const pss = {
      key: createPublicKey(RSA_PSS_PUBLIC),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 64,
    };
    expect(verify('sha512', Buffer.from(base), pss, bytes)).toBe(true);
  });

  it('B.2.4 response signed with ecdsa-p256-sha256 (test-key-ecc-p256) verifies', () => {
    const input =
      'sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"';
    const signature =
      'sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:';
    const entry = entryOf(input, 'sig-b24');
    const subject = { kind: 'response' as const, response: testResponse };
    expect(createSignatureBase(subject, entry.components, entry.rawParams)).toBe(
      [
        '"@status": 200',
        '"content-type": application/json',
        `"content-digest": ${RESPONSE_DIGEST}`,
        '"content-length": 23',
        '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
      ].join('\n'),
    );
    const bytes = parseSignatureField(signature).get('sig-b24')!;
    const key = createPublicKey(ECC_P256_PUBLIC);
    expect(verifyMessageSignature(subject, entry, bytes, 'ecdsa-p256-sha256', key)).toBe(true);
    const tampered = { kind: 'response' as const, response: { ...testResponse, status: 201 } };
    expect(verifyMessageSignature(tampered, entry, bytes, 'ecdsa-p256-sha256', key)).toBe(false);
  });

  it('B.2.6 request signed with ed25519 (test-key-ed25519): base, verification, and byte-exact re-signing', () => {
    const input =
      'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
    const signature =
      'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:';
    const entry = entryOf(input, 'sig-b26');
    const base = createSignatureBase(
      { kind: 'request', request: testRequest() },
      entry.components,
      entry.rawParams,
    );
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join('\n'),
    );
    const bytes = parseSignatureField(signature).get('sig-b26')!;
    expect(verifyBase('ed25519', createPublicKey(ED25519_PUBLIC), base, bytes)).toBe(true);
    const resigned = signBase('ed25519', createPrivateKey({ key: ED25519_PRIVATE_JWK, format: 'jwk' }), base);
    expect(serializeSignatureMember('sig-b26', resigned)).toBe(signature);
  });

  it('§4.3 client signature with ecdsa-p256-sha256 (test-key-ecc-p256) verifies; a changed path does not', () => {
    const input =
      'sig1=("@method" "@authority" "@path" "content-digest" "content-type" "content-length");created=1618884475;keyid="test-key-ecc-p256"';
    const signature =
      'sig1=:X5spyd6CFnAG5QnDyHfqoSNICd+BUP4LYMz2Q0JXlb//4Ijpzp+kve2w4NIyqeAuM7jTDX+sNalzA8ESSaHD3A==:';
    const entry = entryOf(input, 'sig1');
    const bytes = parseSignatureField(signature).get('sig1')!;
    const key = createPublicKey(ECC_P256_PUBLIC);
    expect(
      verifyMessageSignature(
        { kind: 'request', request: testRequest() },
        entry,
        bytes,
        'ecdsa-p256-sha256',
        key,
      ),
    ).toBe(true);
    const moved = { ...testRequest(), path: '/bar' };
    expect(
      verifyMessageSignature({ kind: 'request', request: moved }, entry, bytes, 'ecdsa-p256-sha256', key),
    ).toBe(false);
  });
});
