/**
 * Interoperability with an independent RFC 9421 implementation from the npm registry
 * (`http-message-signatures`, test-only dependency): requests it signs are accepted by the guard,
 * and signatures our client library makes (requests) and the guard makes (responses) verify with it.
 * dynalite is the real DynamoDB.
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { createSigner, createVerifier, httpbis, type Algorithm } from 'http-message-signatures';
import { signRequest } from '../../../client/sign-request';
import type { SignatureAlgorithm } from '../../../lambdas/shared/http-signatures/algorithms';
import { publicKeyFromJwk } from '../../../lambdas/shared/http-signatures/algorithms';
import {
  startClientKeyDynalite,
  type ClientKeyDynalite,
  type RegisteredClientKey,
} from '../../support/client-key-dynalite';
import {
  ALICE_TOKEN,
  BASE_URL,
  GUARD_TEST_KEY,
  NOW_SECONDS,
  buildGuard,
  eventFor,
  registerKey,
} from './guard-harness';

let fixture: ClientKeyDynalite;
const keys = new Map<SignatureAlgorithm, RegisteredClientKey>();

beforeAll(async () => {
  fixture = await startClientKeyDynalite({ ...GUARD_TEST_KEY, algorithm: 'ed25519' });
  keys.set('ed25519', fixture.clientKey);
  keys.set('ecdsa-p256-sha256', await registerKey(fixture.dynamo, { algorithm: 'ecdsa-p256-sha256' }));
});
afterAll(async () => {
  await fixture.close();
});

const ALGORITHMS: SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256'];
const BODY = JSON.stringify({ item: 'interop widget', quantity: 7 });
/** RFC 9530 digest computed here with node:crypto, independently of our content-digest module. */
const DIGEST = `sha-256=:${createHash('sha256').update(BODY).digest('base64')}:`;

async function librarySignedOrder(key: RegisteredClientKey, fields: string[], url = `${BASE_URL}/orders`) {
  return httpbis.signMessage(
    {
      key: createSigner(key.privateKey, key.algorithm as Algorithm, key.keyId),
      fields,
      params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
      paramValues: {
        created: new Date(NOW_SECONDS * 1000),
        expires: new Date((NOW_SECONDS + 60) * 1000),
        nonce: randomUUID(),
      },
    },
    {
      method: 'POST',
      url,
      headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json', 'Content-Digest': DIGEST },
    },
  );
}

function flatten(headers: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  );
}

describe.each(ALGORITHMS)('http-message-signatures ↔ guard (%s)', (alg) => {
  it('interop: a request signed by http-message-signatures (@target-uri) is accepted by the guard', async () => {
    const key = keys.get(alg)!;
    const signed = await librarySignedOrder(key, [
      '@method',
      '@target-uri',
      'authorization',
      'content-type',
      'content-digest',
    ]);
    const sut = buildGuard(fixture.dynamo);
    const result = await sut.guard(
      eventFor(
        {
          method: 'POST',
          url: `${BASE_URL}/orders`,
          headers: flatten(signed.headers),
          body: Buffer.from(BODY),
        },
        { resource: '/orders' },
      ),
    );
    expect(result.statusCode).toBe(201);
    expect(sut.backend.calls).toHaveLength(1);
  });

  it('interop: a request signed by http-message-signatures (@authority @path @query) is accepted', async () => {
    const key = keys.get(alg)!;
    const signed = await librarySignedOrder(key, [
      '@method',
      '@authority',
      '@path',
      '@query',
      'authorization',
      'content-type',
      'content-digest',
    ]);
    const sut = buildGuard(fixture.dynamo);
    const result = await sut.guard(
      eventFor(
        {
          method: 'POST',
          url: `${BASE_URL}/orders`,
          headers: flatten(signed.headers),
          body: Buffer.from(BODY),
        },
        { resource: '/orders' },
      ),
    );
    expect(result.statusCode).toBe(201);
  });

  it('interop: a library-signed request with a tampered body is rejected (digest_mismatch)', async () => {
    const key = keys.get(alg)!;
    const signed = await librarySignedOrder(key, [
      '@method',
      '@target-uri',
      'authorization',
      'content-type',
      'content-digest',
    ]);
    const sut = buildGuard(fixture.dynamo);
    const result = await sut.guard(
      eventFor(
        {
          method: 'POST',
          url: `${BASE_URL}/orders`,
          headers: flatten(signed.headers),
          body: Buffer.from(BODY.replace('7', '9')),
        },
        { resource: '/orders' },
      ),
    );
    expect(result.statusCode).toBe(401);
    expect(sut.logger.reasons()).toEqual(['digest_mismatch']);
  });

  it('interop: our client signature verifies with http-message-signatures', async () => {
    const key = keys.get(alg)!;
    const signed = await signRequest({
      method: 'POST',
      url: `${BASE_URL}/orders?limit=3`,
      headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
      body: BODY,
      key: { keyId: key.keyId, privateKey: key.privateKey },
    });
    const publicKey = createPublicKey(key.privateKey);
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: (params) =>
          Promise.resolve(
            params.keyid === key.keyId
              ? { id: key.keyId, algs: [alg], verify: createVerifier(publicKey, alg) }
              : null,
          ),
        requiredFields: ['@method', '@target-uri', 'authorization', 'content-digest'],
        requiredParams: ['created', 'nonce', 'keyid'],
      },
      { method: signed.method, url: signed.url, headers: { ...signed.headers } },
    );
    expect(verified).toBe(true);
    const tampered = await httpbis
      .verifyMessage(
        {
          keyLookup: () =>
            Promise.resolve({ id: key.keyId, algs: [alg], verify: createVerifier(publicKey, alg) }),
        },
        { method: 'PUT', url: signed.url, headers: { ...signed.headers } },
      )
      .catch(() => false);
    expect(tampered).toBe(false);
  });

  it("interop: the guard's response signature verifies with http-message-signatures", async () => {
    const key = keys.get(alg)!;
    const sut = buildGuard(fixture.dynamo);
    const signed = await signRequest({
      method: 'POST',
      url: `${BASE_URL}/orders`,
      headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
      body: BODY,
      key: { keyId: key.keyId, privateKey: key.privateKey },
      created: NOW_SECONDS,
    });
    const result = await sut.guard(eventFor(signed, { resource: '/orders' }));
    const jwk = (await sut.signer.jwks()).keys[0]!;
    const serverKey = publicKeyFromJwk(jwk);
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: (params) =>
          Promise.resolve(
            params.keyid === jwk.kid
              ? {
                  id: jwk.kid,
                  algs: ['ecdsa-p256-sha256'],
                  verify: createVerifier(serverKey, 'ecdsa-p256-sha256'),
                }
              : null,
          ),
        notAfter: (NOW_SECONDS + 5) * 1000,
      },
      { status: result.statusCode, headers: result.headers as Record<string, string> },
      { method: signed.method, url: signed.url, headers: { ...signed.headers } },
    );
    expect(verified).toBe(true);
  });
});
