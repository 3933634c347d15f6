/**
 * Signed responses: the guard signs `@status`, `content-digest`, `content-type`, `"@method";req` and
 * `"signature";req;key=…`; clients verify with the JWKS the guard publishes. dynalite is the real
 * DynamoDB.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ResponseVerificationError } from '../../../client/errors';
import { signRequest, type SignedRequest } from '../../../client/sign-request';
import { verifyResponse, type ResponseJwks } from '../../../client/verify-response';
import { DependencyUnavailableError } from '../../../lambdas/guard/errors';
import { LocalResponseSigner, type ResponseSigner } from '../../../lambdas/guard/response-signer';
import { contentDigestHeader } from '../../../lambdas/shared/http-signatures/content-digest';
import { startClientKeyDynalite, type ClientKeyDynalite } from '../../support/client-key-dynalite';
import {
  ALICE_TOKEN,
  BASE_URL,
  GUARD_TEST_KEY,
  NOW_SECONDS,
  buildGuard,
  eventFor,
  type GuardUnderTest,
} from './guard-harness';

let fixture: ClientKeyDynalite;

beforeAll(async () => {
  fixture = await startClientKeyDynalite(GUARD_TEST_KEY);
});
afterAll(async () => {
  await fixture.close();
});

async function fetchJwks(sut: GuardUnderTest): Promise<ResponseJwks> {
  const result = await sut.guard(
    eventFor(
      { method: 'GET', url: `${BASE_URL}/.well-known/guard-jwks.json`, headers: {}, body: undefined },
      { resource: '/.well-known/guard-jwks.json', caller: null },
    ),
  );
  expect(result.statusCode).toBe(200);
  expect(result.headers?.['Content-Type']).toBe('application/jwk-set+json');
  return JSON.parse(result.body) as ResponseJwks;
}

async function signedCall(
  sut: GuardUnderTest,
): Promise<{ signed: SignedRequest; result: APIGatewayProxyResult }> {
  const signed = await signRequest({
    method: 'POST',
    url: `${BASE_URL}/orders`,
    headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ item: 'widget', quantity: 3 }),
    key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
    created: NOW_SECONDS,
  });
  const result = await sut.guard(eventFor(signed, { resource: '/orders' }));
  expect(result.statusCode).toBe(201);
  return { signed, result };
}

function received(
  result: APIGatewayProxyResult,
  patch: { status?: number; body?: string; headers?: Record<string, string> } = {},
) {
  return {
    status: patch.status ?? result.statusCode,
    headers: { ...(result.headers as Record<string, string>), ...patch.headers },
    body: patch.body ?? result.body,
  };
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ResponseVerificationError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe.each(['ecdsa-p256-sha256', 'ed25519'] as const)(
  'response signatures with a %s server key',
  (alg) => {
    let sut: GuardUnderTest;
    let jwks: ResponseJwks;
    beforeEach(async () => {
      sut = buildGuard(fixture.dynamo, { signer: LocalResponseSigner.generate(alg) });
      jwks = await fetchJwks(sut);
    });

    it('happy flow: the response signature verifies with the published JWKS', async () => {
      const { signed, result } = await signedCall(sut);
      expect(result.headers?.['Signature-Input']).toMatch(
        /^guard=\("@status" "content-digest" "content-type" "@method";req "signature";req;key="sig1"\);created=\d+;keyid="[^"]+";alg="/,
      );
      expect(
        reasonOf(() =>
          verifyResponse({ response: received(result), request: signed, jwks, now: NOW_SECONDS }),
        ),
      ).toBe('accepted');
    });

    it.each([
      ['tampered body', { body: '{"route":"POST /orders","ok":false}' }, 'digest_mismatch'],
      ['tampered status', { status: 200 }, 'sig_invalid'],
      ['tampered content-type', { headers: { 'Content-Type': 'text/html' } }, 'sig_invalid'],
      [
        'tampered body with recomputed Content-Digest',
        { body: '{}', headers: { 'Content-Digest': contentDigestHeader(Buffer.from('{}')) } },
        'sig_invalid',
      ],
      ['signature removed', { headers: { Signature: '' } }, 'sig_missing'],
    ])('error flow: %s → rejected', async (_name, patch, reason) => {
      const { signed, result } = await signedCall(sut);
      expect(
        reasonOf(() =>
          verifyResponse({ response: received(result, patch), request: signed, jwks, now: NOW_SECONDS }),
        ),
      ).toBe(reason);
    });

    it('error flow: a response replayed to another request (different request signature) → sig_invalid', async () => {
      const first = await signedCall(sut);
      const second = await signedCall(sut);
      expect(
        reasonOf(() =>
          verifyResponse({
            response: received(first.result),
            request: second.signed,
            jwks,
            now: NOW_SECONDS,
          }),
        ),
      ).toBe('sig_invalid');
    });

    it('error flow: verified with a JWKS of another key → unknown_key', async () => {
      const { signed, result } = await signedCall(sut);
      const otherJwks = await LocalResponseSigner.generate(alg).jwks();
      expect(
        reasonOf(() =>
          verifyResponse({ response: received(result), request: signed, jwks: otherJwks, now: NOW_SECONDS }),
        ),
      ).toBe('unknown_key');
    });

    it('error flow: an old response signature → stale', async () => {
      const { signed, result } = await signedCall(sut);
      expect(
        reasonOf(() =>
          verifyResponse({ response: received(result), request: signed, jwks, now: NOW_SECONDS + 301 }),
        ),
      ).toBe('stale');
    });
  },
);

describe('backend cannot forge the guard signature headers', () => {
  it('Content-Digest / Signature headers a backend sets are replaced', async () => {
    const sut = buildGuard(fixture.dynamo);
    sut.backend.invoke = () =>
      Promise.resolve({
        statusCode: 200,
        headers: {
          'Content-Type': 'application/json',
          Signature: 'guard=:AAAA:',
          'content-digest': 'sha-256=:AAAA:',
        },
        body: '{"ok":true}',
      });
    const jwks = await fetchJwks(sut);
    const { signed, result } = await (async () => {
      const s = await signRequest({
        method: 'POST',
        url: `${BASE_URL}/orders`,
        headers: { Authorization: ALICE_TOKEN },
        body: JSON.stringify({ item: 'widget', quantity: 3 }),
        key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
        created: NOW_SECONDS,
      });
      return { signed: s, result: await sut.guard(eventFor(s, { resource: '/orders' })) };
    })();
    expect(Object.keys(result.headers ?? {}).filter((h) => h.toLowerCase() === 'signature')).toEqual([
      'Signature',
    ]);
    expect(
      reasonOf(() => verifyResponse({ response: received(result), request: signed, jwks, now: NOW_SECONDS })),
    ).toBe('accepted');
  });

  it('unsigned routes get no response signature', async () => {
    const sut = buildGuard(fixture.dynamo);
    const result = await sut.guard(
      eventFor(
        {
          method: 'POST',
          url: `${BASE_URL}/open-orders`,
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from('{"item":"w","quantity":1}'),
        },
        { resource: '/open-orders' },
      ),
    );
    expect(result.statusCode).toBe(201);
    expect(result.headers?.Signature).toBeUndefined();
  });
});

describe('response signer unavailable', () => {
  it('error flow: the server key cannot sign (KMS down) → 503, never an unsigned response on a signed route', async () => {
    const working = LocalResponseSigner.generate();
    const down: ResponseSigner = {
      algorithm: working.algorithm,
      keyId: () => working.keyId(),
      jwks: () => working.jwks(),
      sign: () => Promise.reject(new DependencyUnavailableError('response_signer')),
    };
    const sut = buildGuard(fixture.dynamo, { signer: down });
    const signed = await signRequest({
      method: 'POST',
      url: `${BASE_URL}/orders`,
      headers: { Authorization: ALICE_TOKEN },
      body: JSON.stringify({ item: 'widget', quantity: 3 }),
      key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
      created: NOW_SECONDS,
    });
    const result = await sut.guard(eventFor(signed, { resource: '/orders' }));
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(sut.logger.lines.at(-1)?.attributes).toMatchObject({
      reason: 'dependency_unavailable',
      dependency: 'response_signer',
    });
  });
});
