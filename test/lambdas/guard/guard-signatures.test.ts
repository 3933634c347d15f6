/**
 * Signed requests through the guard with dynalite as the real DynamoDB (started on 127.0.0.1, port 0,
 * by this test): happy flows, tampering, freshness, replay, key status and ownership, fail-closed.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signRequest, type SignRequestOptions, type SignedRequest } from '../../../client/sign-request';
import { verifyResponse } from '../../../client/verify-response';
import type { SignatureAlgorithm } from '../../../lambdas/shared/http-signatures/algorithms';
import { component } from '../../../lambdas/shared/http-signatures/components';
import { contentDigestHeader } from '../../../lambdas/shared/http-signatures/content-digest';
import { headerMap, requestPartsFromUrl } from '../../../lambdas/shared/http-signatures/message';
import { createMessageSignature } from '../../../lambdas/shared/http-signatures/message-signature';
import { signBase } from '../../../lambdas/shared/http-signatures/algorithms';
import { startDynalite } from '../../support/dynalite';
import {
  startClientKeyDynalite,
  type ClientKeyDynalite,
  type RegisteredClientKey,
} from '../../support/client-key-dynalite';
import {
  ALICE,
  ALICE_TOKEN,
  BASE_URL,
  GUARD_TEST_KEY,
  MALLORY,
  NOW_SECONDS,
  buildGuard,
  eventFor,
  problemOf,
  registerKey,
  type GuardUnderTest,
} from './guard-harness';

let fixture: ClientKeyDynalite;
let sut: GuardUnderTest;
let aliceEd: RegisteredClientKey;
let aliceEc: RegisteredClientKey;

beforeAll(async () => {
  fixture = await startClientKeyDynalite({ ...GUARD_TEST_KEY, algorithm: 'ed25519' });
  aliceEd = fixture.clientKey;
  aliceEc = await registerKey(fixture.dynamo, { algorithm: 'ecdsa-p256-sha256' });
});

afterAll(async () => {
  await fixture.close();
});

beforeEach(() => {
  sut = buildGuard(fixture.dynamo);
});

const ORDER = JSON.stringify({ item: 'blue widget', quantity: 2 });

function signOrder(
  key: RegisteredClientKey,
  overrides: Partial<SignRequestOptions> = {},
): Promise<SignedRequest> {
  return signRequest({
    method: 'POST',
    url: `${BASE_URL}/orders`,
    headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
    body: ORDER,
    key: { keyId: key.keyId, privateKey: key.privateKey },
    created: NOW_SECONDS - 2,
    ...overrides,
  });
}

async function postOrder(signed: SignedRequest, mutate?: (event: APIGatewayProxyEvent) => void) {
  const event = eventFor(signed, { resource: '/orders' });
  mutate?.(event);
  return sut.guard(event);
}

function setHeader(event: APIGatewayProxyEvent, name: string, value: string | undefined): void {
  const keep = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).filter(([key]) => key.toLowerCase() !== name));
  event.headers = keep(event.headers);
  event.multiValueHeaders = keep(event.multiValueHeaders);
  if (value !== undefined) {
    event.headers[name] = value;
    event.multiValueHeaders[name] = [value];
  }
}

function expectRejected(result: { statusCode: number }, reason: string): void {
  expect(result.statusCode).toBe(401);
  expect(sut.backend.calls).toHaveLength(0);
  expect(sut.logger.reasons()).toEqual([reason]);
}

describe('happy flow', () => {
  it.each<[SignatureAlgorithm, () => RegisteredClientKey]>([
    ['ed25519', () => aliceEd],
    ['ecdsa-p256-sha256', () => aliceEc],
  ])('happy flow: %s signed POST /orders → backend called once, 201', async (_alg, key) => {
    const result = await postOrder(await signOrder(key()));
    expect(result.statusCode).toBe(201);
    expect(sut.backend.calls).toHaveLength(1);
    expect(sut.backend.calls[0]?.route).toBe('POST /orders');
    expect(sut.logger.lines.map((l) => l.attributes.keyId)).toEqual([key().keyId]);
  });

  it('happy flow: @authority + @path + @query coverage and sha-512 digest are accepted', async () => {
    const signed = await signOrder(aliceEd, {
      coverage: 'authority-path-query',
      digestAlgorithms: ['sha-512'],
    });
    expect((await postOrder(signed)).statusCode).toBe(201);
  });

  it('happy flow: a key owned by the caller sub (not the client id) is accepted', async () => {
    const bySub = await registerKey(fixture.dynamo, { owner: ALICE.sub });
    expect((await postOrder(await signOrder(bySub))).statusCode).toBe(201);
  });

  it('happy flow: signed GET with a query and no body', async () => {
    const signed = await signRequest({
      method: 'GET',
      url: `${BASE_URL}/orders?limit=5&cursor=abc`,
      headers: { Authorization: ALICE_TOKEN },
      key: { keyId: aliceEc.keyId, privateKey: aliceEc.privateKey },
      created: NOW_SECONDS,
    });
    const result = await sut.guard(eventFor(signed, { resource: '/orders' }));
    expect(result.statusCode).toBe(200);
    expect(sut.backend.calls).toHaveLength(1);
  });

  it('happy flow: the response is signed and verifies with the JWKS the guard publishes', async () => {
    const signed = await signOrder(aliceEd);
    const result = await postOrder(signed);
    const jwksResult = await sut.guard(
      eventFor(
        { method: 'GET', url: `${BASE_URL}/.well-known/guard-jwks.json`, headers: {}, body: undefined },
        {
          resource: '/.well-known/guard-jwks.json',
          caller: null,
        },
      ),
    );
    expect(jwksResult.statusCode).toBe(200);
    const jwks = JSON.parse(jwksResult.body) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.d).toBeUndefined();
    const response = {
      status: result.statusCode,
      headers: result.headers as Record<string, string>,
      body: result.body,
    };
    expect(verifyResponse({ response, request: signed, jwks, now: NOW_SECONDS })).toEqual({
      keyId: jwks.keys[0]?.kid,
    });
  });
});

describe('tampering → 401', () => {
  it('error flow: tampered body → digest_mismatch', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      e.body = JSON.stringify({ item: 'blue widget', quantity: 200 });
    });
    expectRejected(result, 'digest_mismatch');
  });

  it('error flow: tampered body with a recomputed Content-Digest → sig_invalid', async () => {
    const evil = JSON.stringify({ item: 'blue widget', quantity: 200 });
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      e.body = evil;
      setHeader(e, 'content-digest', contentDigestHeader(Buffer.from(evil)));
    });
    expectRejected(result, 'sig_invalid');
  });

  it('error flow: tampered Authorization header (token swapped) → sig_invalid', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'authorization', 'Bearer another.token.value');
    });
    expectRejected(result, 'sig_invalid');
  });

  it('error flow: tampered Content-Type → sig_invalid', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'content-type', 'application/merge-patch+json');
    });
    // application/merge-patch+json is not on the route's allowlist: rejected even earlier.
    expect(result.statusCode).toBe(415);
    const again = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'content-type', 'application/json; charset=utf-8');
    });
    expect(again.statusCode).toBe(401);
    expect(sut.backend.calls).toHaveLength(0);
  });

  it('error flow: tampered method (signed PUT, sent DELETE) → sig_invalid', async () => {
    const signed = await signRequest({
      method: 'PUT',
      url: `${BASE_URL}/items/i-1`,
      headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'text/plain' },
      body: 'hello',
      key: { keyId: aliceEd.keyId, privateKey: aliceEd.privateKey },
      created: NOW_SECONDS,
    });
    const ok = eventFor(signed, { resource: '/items/{id}', pathParameters: { id: 'i-1' } });
    const tampered = { ...ok, httpMethod: 'DELETE' };
    expectRejected(await sut.guard(tampered), 'sig_invalid');
  });

  it('error flow: tampered path → sig_invalid', async () => {
    const signed = await signRequest({
      method: 'GET',
      url: `${BASE_URL}/orders/o-1`,
      headers: { Authorization: ALICE_TOKEN },
      key: { keyId: aliceEd.keyId, privateKey: aliceEd.privateKey },
      created: NOW_SECONDS,
    });
    const event = eventFor(
      { ...signed, url: `${BASE_URL}/orders/o-2` },
      {
        resource: '/orders/{id}',
        pathParameters: { id: 'o-2' },
      },
    );
    expectRejected(await sut.guard(event), 'sig_invalid');
  });

  it.each(['target-uri', 'authority-path-query'] as const)(
    'error flow: tampered query (%s) → sig_invalid',
    async (coverage) => {
      const signed = await signRequest({
        method: 'GET',
        url: `${BASE_URL}/orders?limit=5`,
        headers: { Authorization: ALICE_TOKEN },
        key: { keyId: aliceEd.keyId, privateKey: aliceEd.privateKey },
        created: NOW_SECONDS,
        coverage,
      });
      const event = eventFor({ ...signed, url: `${BASE_URL}/orders?limit=50` }, { resource: '/orders' });
      expectRejected(await sut.guard(event), 'sig_invalid');
    },
  );

  it('error flow: tampered Host (other authority) → sig_invalid', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'host', 'evil.example.test');
    });
    expectRejected(result, 'sig_invalid');
  });

  it('error flow: signature bytes flipped → sig_invalid', async () => {
    const signed = await signOrder(aliceEc);
    const flipped = signed.headers.Signature!.replace(/:(.)/, (_m, c: string) => `:${c === 'A' ? 'B' : 'A'}`);
    const result = await postOrder(signed, (e) => {
      setHeader(e, 'signature', flipped);
    });
    expectRejected(result, 'sig_invalid');
  });
});

describe('required parts of a signature', () => {
  it('error flow: no Signature / Signature-Input → sig_missing', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'signature', undefined);
      setHeader(e, 'signature-input', undefined);
    });
    expectRejected(result, 'sig_missing');
    expect(problemOf(result)).toMatchObject({ status: 401, code: 'sig_missing' });
  });

  it('error flow: a 401 tells the client how to sign (Accept-Signature) and which digests count (Want-Content-Digest)', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'signature', undefined);
      setHeader(e, 'signature-input', undefined);
    });
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['Accept-Signature']).toBe(
      'sig1=("@method" "@target-uri" "content-digest" "content-type" "authorization");created;nonce',
    );
    expect(result.headers?.['Want-Content-Digest']).toBe('sha-256=10, sha-512=5');
  });

  it('error flow: a rejected signature (not only a missing one) carries the same challenge', async () => {
    const signed = await signOrder(aliceEd);
    const result = await postOrder(signed, (e) => {
      e.body = JSON.stringify({ item: 'red widget', quantity: 2 });
    });
    expectRejected(result, 'digest_mismatch');
    expect(result.headers?.['Accept-Signature']).toMatch(/^sig1=\("@method" "@target-uri" /);
  });

  it('error flow: Content-Digest header removed → digest_mismatch', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'content-digest', undefined);
    });
    expectRejected(result, 'digest_mismatch');
  });

  it('error flow: only an unsupported digest algorithm (md5) → digest_mismatch', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'content-digest', 'md5=:AAAAAAAAAAAAAAAAAAAAAA==:');
    });
    expectRejected(result, 'digest_mismatch');
  });

  async function signCustom(components: string[], params: Record<string, number | string | undefined>) {
    const url = new URL(`${BASE_URL}/orders`);
    const headers: Record<string, string> = {
      Authorization: ALICE_TOKEN,
      'Content-Type': 'application/json',
      'Content-Digest': contentDigestHeader(Buffer.from(ORDER)),
    };
    const request = requestPartsFromUrl('POST', url, headerMap(headers));
    const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    const sig = await createMessageSignature({
      subject: { kind: 'request', request },
      label: 'sig1',
      components: components.map((c) => component(c)),
      params: defined,
      sign: (base) => signBase('ed25519', aliceEd.privateKey, base.toString('utf8')),
    });
    return {
      method: 'POST',
      url: url.toString(),
      headers: { ...headers, 'Signature-Input': sig.signatureInput, Signature: sig.signature },
      body: Buffer.from(ORDER),
    };
  }

  const ALL = ['@method', '@target-uri', 'authorization', 'content-type', 'content-digest'];
  it.each([
    ['@method', ALL.filter((c) => c !== '@method')],
    ['@target-uri', ALL.filter((c) => c !== '@target-uri')],
    ['authorization', ALL.filter((c) => c !== 'authorization')],
    ['content-type', ALL.filter((c) => c !== 'content-type')],
    ['content-digest', ALL.filter((c) => c !== 'content-digest')],
    [
      '@query (with @authority @path)',
      ['@method', '@authority', '@path', 'authorization', 'content-type', 'content-digest'],
    ],
  ])('error flow: signature not covering %s → sig_invalid', async (_missing, components) => {
    const signed = await signCustom(components, {
      created: NOW_SECONDS,
      nonce: `n-${Math.random()}`,
      keyid: aliceEd.keyId,
    });
    expectRejected(await sut.guard(eventFor(signed, { resource: '/orders' })), 'sig_invalid');
    expect(sut.logger.lines[0]?.attributes.detail).toMatch(/^coverage:/);
  });

  it('compliant: the same hand-built signature with every required component → accepted', async () => {
    const signed = await signCustom(ALL, {
      created: NOW_SECONDS,
      nonce: 'n-compliant',
      keyid: aliceEd.keyId,
    });
    expect((await sut.guard(eventFor(signed, { resource: '/orders' }))).statusCode).toBe(201);
  });

  it.each([
    ['nonce', { created: NOW_SECONDS, keyid: 'K' }],
    ['created', { nonce: 'n-1', keyid: 'K' }],
    ['keyid', { created: NOW_SECONDS, nonce: 'n-2' }],
  ])('error flow: signature without %s → sig_invalid', async (_missing, params) => {
    const withKey = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, v === 'K' ? aliceEd.keyId : v]),
    );
    const signed = await signCustom(ALL, withKey);
    expectRejected(await sut.guard(eventFor(signed, { resource: '/orders' })), 'sig_invalid');
  });

  it('error flow: alg parameter that does not match the registered key → sig_invalid', async () => {
    const signed = await signCustom(ALL, {
      created: NOW_SECONDS,
      nonce: 'n-alg',
      keyid: aliceEd.keyId,
      alg: 'ecdsa-p256-sha256',
    });
    expectRejected(await sut.guard(eventFor(signed, { resource: '/orders' })), 'sig_invalid');
  });

  it('error flow: malformed Signature-Input → sig_invalid', async () => {
    const result = await postOrder(await signOrder(aliceEd), (e) => {
      setHeader(e, 'signature-input', 'sig1=("@method" "@target-uri";created=1');
    });
    expectRejected(result, 'sig_invalid');
  });
});

describe('freshness', () => {
  it.each([
    ['created 301 s ago (window 300)', { created: NOW_SECONDS - 301, expires: null }],
    ['created 30 s in the future (skew 5)', { created: NOW_SECONDS + 30 }],
    ['expired 1 s ago', { created: NOW_SECONDS - 10, expires: NOW_SECONDS - 1 }],
    ['expires == now', { created: NOW_SECONDS - 10, expires: NOW_SECONDS }],
  ])('error flow: %s → stale', async (_name, overrides) => {
    expectRejected(await postOrder(await signOrder(aliceEd, overrides)), 'stale');
  });

  it.each([
    ['created 299 s ago', { created: NOW_SECONDS - 299, expires: null }],
    ['created 5 s in the future (within skew)', { created: NOW_SECONDS + 5 }],
  ])('compliant: %s → accepted', async (_name, overrides) => {
    expect((await postOrder(await signOrder(aliceEd, overrides))).statusCode).toBe(201);
  });
});

describe('replay', () => {
  it('error flow: the same signed request sent twice → second is replay', async () => {
    const signed = await signOrder(aliceEd);
    expect((await postOrder(signed)).statusCode).toBe(201);
    const again = await postOrder(signed);
    expect(again.statusCode).toBe(401);
    expect(sut.backend.calls).toHaveLength(1);
    expect(sut.logger.reasons()).toEqual(['replay']);
  });

  it('error flow: 20 concurrent copies → exactly one accepted, 19 replays', async () => {
    const signed = await signOrder(aliceEc);
    const results = await Promise.all(Array.from({ length: 20 }, () => postOrder(signed)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(19);
    expect(sut.backend.calls).toHaveLength(1);
    expect(sut.logger.reasons()).toEqual(Array.from({ length: 19 }, () => 'replay'));
  });

  it('error flow: 20 concurrent copies through 20 separate guard instances → exactly one accepted', async () => {
    const signed = await signOrder(aliceEd);
    const guards = Array.from({ length: 20 }, () => buildGuard(fixture.dynamo));
    const results = await Promise.all(guards.map((g) => g.guard(eventFor(signed, { resource: '/orders' }))));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(guards.reduce((n, g) => n + g.backend.calls.length, 0)).toBe(1);
  });

  it('compliant: same key, new nonce → accepted again', async () => {
    expect((await postOrder(await signOrder(aliceEd))).statusCode).toBe(201);
    expect((await postOrder(await signOrder(aliceEd))).statusCode).toBe(201);
  });
});

describe('client keys', () => {
  it('error flow: unknown keyid → unknown_key', async () => {
    const stranger = { ...aliceEd, keyId: 'key-nobody-registered' };
    expectRejected(await postOrder(await signOrder(stranger)), 'unknown_key');
  });

  it('error flow: revoked key → key_revoked', async () => {
    const revoked = await registerKey(fixture.dynamo, { status: 'revoked' });
    expectRejected(await postOrder(await signOrder(revoked)), 'key_revoked');
  });

  it("error flow: another client's key (foreign) → key_not_owned", async () => {
    const mallorys = await registerKey(fixture.dynamo, { owner: MALLORY.clientId });
    expectRejected(await postOrder(await signOrder(mallorys)), 'key_not_owned');
  });

  it('error flow: signed request without an authorizer context → key_not_owned', async () => {
    const result = await sut.guard(eventFor(await signOrder(aliceEd), { resource: '/orders', caller: null }));
    expectRejected(result, 'key_not_owned');
  });

  it('error flow: a key of a disallowed algorithm → sig_invalid', async () => {
    const edOnly = buildGuard(fixture.dynamo, {
      config: {
        routes: { 'POST /orders': { validation: 'createOrder' } },
        signatures: { algorithms: ['ed25519'] },
      },
    });
    const result = await edOnly.guard(eventFor(await signOrder(aliceEc), { resource: '/orders' }));
    expect(result.statusCode).toBe(401);
    expect(edOnly.logger.reasons()).toEqual(['sig_invalid']);
    expect(edOnly.backend.calls).toHaveLength(0);
  });
});

describe('fail closed', () => {
  it('error flow: DynamoDB unreachable → 503, backend never called', async () => {
    const dead = await startDynalite();
    const deadClient = dead.newClient();
    await dead.stop();
    const broken = buildGuard(fixture.dynamo, { dynamoClient: deadClient });
    const result = await broken.guard(eventFor(await signOrder(aliceEd), { resource: '/orders' }));
    deadClient.destroy();
    expect(result.statusCode).toBe(503);
    expect(broken.backend.calls).toHaveLength(0);
    expect(problemOf(result)).toMatchObject({ status: 503, code: 'dependency_unavailable' });
    expect(broken.logger.lines[0]).toMatchObject({
      level: 'error',
      attributes: { reason: 'dependency_unavailable' },
    });
  });
});

describe('what is logged', () => {
  it('logs reason codes and ids, never the token, signature or body', async () => {
    const signed = await signOrder(aliceEd);
    await postOrder(signed);
    await postOrder(signed);
    await postOrder(await signOrder(aliceEd), (e) => {
      e.body = '{"item":"secret-body-marker","quantity":1}';
    });
    const text = JSON.stringify(sut.logger.lines);
    expect(text).toContain('replay');
    expect(text).toContain('digest_mismatch');
    expect(text).not.toContain('alice-token');
    expect(text).not.toContain(signed.headers.Signature!.slice(6, 40));
    expect(text).not.toContain('blue widget');
    expect(text).not.toContain('secret-body-marker');
  });
});

describe('key cache and nonce TTL', () => {
  it('a revoked key keeps working only until the key cache entry expires (keyCacheTtlSeconds)', async () => {
    const cached = await registerKey(fixture.dynamo);
    let nowMs = NOW_SECONDS * 1000;
    const withClock = buildGuard(fixture.dynamo, {
      config: {
        routes: { 'POST /orders': { validation: 'createOrder' } },
        signatures: { keyCacheTtlSeconds: 30 },
      },
      clock: () => nowMs,
    });
    const send = async (created: number) =>
      withClock.guard(eventFor(await signOrder(cached, { created }), { resource: '/orders' }));
    expect((await send(NOW_SECONDS)).statusCode).toBe(201);
    await fixture.dynamo.client.send(
      new UpdateItemCommand({
        TableName: fixture.dynamo.tables.ClientKeys,
        Key: { keyId: { S: cached.keyId } },
        UpdateExpression: 'SET #s = :r',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':r': { S: 'revoked' } },
      }),
    );
    nowMs += 10_000;
    expect((await send(NOW_SECONDS + 10)).statusCode).toBe(201);
    nowMs += 21_000;
    const late = await send(NOW_SECONDS + 31);
    expect(late.statusCode).toBe(401);
    expect(withClock.logger.reasons()).toEqual(['key_revoked']);
  });

  it('the nonce item expires at created + windowSeconds (DynamoDB TTL attribute)', async () => {
    const signed = await signOrder(aliceEd, { created: NOW_SECONDS - 7, nonce: 'nonce-ttl-check' });
    expect((await postOrder(signed)).statusCode).toBe(201);
    const item = await fixture.dynamo.client.send(
      new GetItemCommand({
        TableName: fixture.dynamo.tables.Nonces,
        Key: { pk: { S: `${aliceEd.keyId}|nonce-ttl-check` } },
      }),
    );
    expect(item.Item?.expiresAt).toEqual({ N: String(NOW_SECONDS - 7 + 300) });
  });

  it('rejections are logged with the well-formed keyid', async () => {
    await postOrder(await signOrder(aliceEd), (e) => {
      e.body = '{"item":"x","quantity":9}';
    });
    expect(sut.logger.lines[0]?.attributes).toMatchObject({
      reason: 'digest_mismatch',
      keyId: aliceEd.keyId,
      sub: ALICE.sub,
    });
  });
});
