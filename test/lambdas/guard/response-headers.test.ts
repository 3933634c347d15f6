/**
 * What the guard signs is what goes out: the backend's `headers` and `multiValueHeaders` are merged
 * the way API Gateway (and the local gateway, local/gateway/integration-response.ts) merges them,
 * and a backend header that cannot go into a signature base is the backend's failure (502), not the
 * guard's (500). The signed response goes through the local gateway's real parseIntegrationResponse
 * and the client's real verifyResponse. dynalite is the real DynamoDB.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { ResponseVerificationError } from '../../../client/errors';
import { signRequest, type SignedRequest } from '../../../client/sign-request';
import { verifyResponse, type ResponseJwks } from '../../../client/verify-response';
import { DependencyUnavailableError } from '../../../lambdas/guard/errors';
import { LocalResponseSigner, type ResponseSigner } from '../../../lambdas/guard/response-signer';
import { mergeProxyHeaders } from '../../../lambdas/guard/response-signing';
import { parseIntegrationResponse } from '../../../local/gateway/integration-response';
import { startClientKeyDynalite, type ClientKeyDynalite } from '../../support/client-key-dynalite';
import {
  ALICE_TOKEN,
  BASE_URL,
  GUARD_TEST_KEY,
  NOW_SECONDS,
  buildGuard,
  eventFor,
  problemOf,
  type GuardUnderTest,
} from './guard-harness';

let fixture: ClientKeyDynalite;

beforeAll(async () => {
  fixture = await startClientKeyDynalite(GUARD_TEST_KEY);
});
afterAll(async () => {
  await fixture.close();
});

type BackendAnswer = Pick<APIGatewayProxyResult, 'headers' | 'multiValueHeaders'>;

/** A guard whose backend answers 200 `{"ok":true}` with the given header maps. */
function guardAnswering(answer: BackendAnswer, signer?: ResponseSigner): GuardUnderTest {
  const sut = buildGuard(fixture.dynamo, signer === undefined ? {} : { signer });
  sut.backend.invoke = (route, event) => {
    sut.backend.calls.push({ route, event });
    return Promise.resolve({ statusCode: 200, ...answer, body: '{"ok":true}' });
  };
  return sut;
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
  return { signed, result: await sut.guard(eventFor(signed, { resource: '/orders' })) };
}

/** The guard's result → the local gateway's merge (what the client receives) → the client's check. */
async function throughGatewayAndVerify(
  sut: GuardUnderTest,
): Promise<{ outcome: string; sent: Record<string, unknown>; result: APIGatewayProxyResult }> {
  const { signed, result } = await signedCall(sut);
  expect(result.statusCode).toBe(200);
  const sent = parseIntegrationResponse(JSON.parse(JSON.stringify(result)));
  const jwks = (await sut.signer.jwks()) as ResponseJwks;
  let outcome = 'valid';
  try {
    verifyResponse({
      response: { status: sent.statusCode, headers: sent.headers, body: sent.body },
      request: signed,
      jwks,
      now: NOW_SECONDS,
    });
  } catch (error) {
    if (!(error instanceof ResponseVerificationError)) throw error;
    outcome = error.reason;
  }
  return { outcome, sent: sent.headers, result };
}

/** Names in a header record, lower-cased. */
const namesOf = (record: Record<string, unknown> | undefined): string[] =>
  Object.keys(record ?? {}).map((name) => name.toLowerCase());

describe('headers and multiValueHeaders are merged before signing', () => {
  it.each<[string, BackendAnswer, string | string[]]>([
    [
      'the same Content-Type in both maps (the probe)',
      {
        headers: { 'Content-Type': 'application/json' },
        multiValueHeaders: { 'Content-Type': ['application/json'] },
      },
      'application/json',
    ],
    [
      'the same Content-Type in both maps, names differing in case',
      {
        headers: { 'content-type': 'application/json' },
        multiValueHeaders: { 'Content-Type': ['application/json'] },
      },
      'application/json',
    ],
    [
      'different Content-Type values in both maps',
      {
        headers: { 'Content-Type': 'application/json' },
        multiValueHeaders: { 'Content-Type': ['text/plain'] },
      },
      ['text/plain', 'application/json'],
    ],
    [
      'a value repeated inside multiValueHeaders',
      { multiValueHeaders: { 'Content-Type': ['application/json', 'application/json'] } },
      'application/json',
    ],
    ['Content-Type only in headers', { headers: { 'Content-Type': 'application/json' } }, 'application/json'],
  ])('happy flow: %s → the client verifies what the gateway sends', async (_name, answer, contentType) => {
    const sut = guardAnswering(answer);
    const { outcome, sent } = await throughGatewayAndVerify(sut);
    expect(sent['Content-Type'] ?? sent['content-type']).toEqual(contentType);
    expect(outcome).toBe('valid');
  });

  it('a name in multiValueHeaders goes out only there, merged; other names stay in headers', async () => {
    const sut = guardAnswering({
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'x-trace': 'b' },
      multiValueHeaders: { 'Content-Type': ['text/plain'], 'X-Trace': ['a'], Vary: ['Origin', 'Accept'] },
    });
    const { outcome, result } = await throughGatewayAndVerify(sut);
    expect(outcome).toBe('valid');
    expect(result.multiValueHeaders).toEqual({
      'Content-Type': ['text/plain', 'application/json'],
      'X-Trace': ['a', 'b'],
      Vary: ['Origin', 'Accept'],
    });
    const single = namesOf(result.headers);
    expect(single).toEqual(
      expect.arrayContaining(['cache-control', 'content-digest', 'signature-input', 'signature']),
    );
    expect(single).not.toEqual(expect.arrayContaining(['content-type']));
    expect(single).not.toEqual(expect.arrayContaining(['x-trace']));
  });

  it('guard-owned headers a backend sets in multiValueHeaders are dropped, not merged', async () => {
    const sut = guardAnswering({
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: { Signature: ['guard=:AAAA:'], 'Content-Digest': ['sha-256=:AAAA:'] },
    });
    const { outcome, result } = await throughGatewayAndVerify(sut);
    expect(outcome).toBe('valid');
    expect(namesOf(result.multiValueHeaders)).toEqual([]);
  });
});

describe('a backend response without Content-Type', () => {
  it.each<[string, BackendAnswer]>([
    ['no headers at all', {}],
    ['other headers only', { headers: { 'X-Request-Id': 'r-1' } }],
  ])(
    "%s: the guard sets API Gateway's default (application/json) inside the signature; the client verifies",
    async (_name, answer) => {
      const sut = guardAnswering(answer);
      const { outcome, sent, result } = await throughGatewayAndVerify(sut);
      expect(result.headers?.['Content-Type']).toBe('application/json');
      expect(String(result.headers?.['Signature-Input'])).toContain('"content-type"');
      expect(sent['Content-Type']).toBe('application/json');
      expect(outcome).toBe('valid');
    },
  );
});

describe('a backend header that cannot be signed', () => {
  it.each<[string, string]>([
    ['a non-ASCII Content-Type', 'text/plain; name=é'],
    ['a Content-Type with CR/LF inside', 'text/plain\r\nX-Injected: 1'],
  ])('error flow: %s → 502 problem+json, backend_failure logged', async (_name, contentType) => {
    const sut = guardAnswering({ headers: { 'Content-Type': contentType } });
    const { result } = await signedCall(sut);
    expect(result.statusCode).toBe(502);
    expect(problemOf(result)).toMatchObject({ status: 502, code: 'backend_failure' });
    expect(result.headers?.Signature).toBeUndefined();
    expect(sut.backend.calls).toHaveLength(1);
    expect(sut.logger.lines.map((l) => [l.level, l.message, l.attributes.reason])).toEqual([
      ['error', 'guard rejected request', 'backend_failure'],
    ]);
    expect(sut.logger.lines[0]?.attributes).toMatchObject({ status: 502, backendStatus: 200 });
    expect(JSON.stringify(sut.logger.lines)).not.toContain('name=');
  });

  it.each<[string, BackendAnswer]>([
    ['in headers', { headers: { 'Content-Type': 'application/json', 'X-Name': 'é' } }],
    [
      'in multiValueHeaders',
      { headers: { 'Content-Type': 'application/json' }, multiValueHeaders: { 'X-Name': ['é', 'ü'] } },
    ],
  ])(
    'happy flow: a non-ASCII header the signature does not cover, %s, does not stop signing',
    async (_name, answer) => {
      const sut = guardAnswering(answer);
      const { outcome } = await throughGatewayAndVerify(sut);
      expect(outcome).toBe('valid');
    },
  );
});

describe('the "guard accepted request" line is written only once the response is signed', () => {
  it('happy flow: one INFO line with the status', async () => {
    const sut = guardAnswering({ headers: { 'Content-Type': 'application/json' } });
    const { result } = await signedCall(sut);
    expect(result.statusCode).toBe(200);
    expect(sut.logger.lines.map((l) => [l.level, l.message])).toEqual([['info', 'guard accepted request']]);
    expect(sut.logger.lines[0]?.attributes).toMatchObject({ status: 200, signed: true });
  });

  it('error flow: the server key cannot sign (KMS down) → 503 and only the rejection is logged', async () => {
    const working = LocalResponseSigner.generate();
    const down: ResponseSigner = {
      algorithm: working.algorithm,
      keyId: () => working.keyId(),
      jwks: () => working.jwks(),
      sign: () => Promise.reject(new DependencyUnavailableError('response_signer')),
    };
    const sut = guardAnswering({ headers: { 'Content-Type': 'application/json' } }, down);
    const { result } = await signedCall(sut);
    expect(result.statusCode).toBe(503);
    expect(sut.backend.calls).toHaveLength(1);
    expect(sut.logger.lines.map((l) => [l.level, l.message, l.attributes.reason])).toEqual([
      ['error', 'guard rejected request', 'dependency_unavailable'],
    ]);
    expect(sut.logger.lines[0]?.attributes).toMatchObject({
      dependency: 'response_signer',
      backendStatus: 200,
    });
  });
});

describe('property: the guard merge agrees with the gateway merge', () => {
  const name = fc.constantFrom(
    'Content-Type',
    'content-type',
    'CONTENT-TYPE',
    'Vary',
    'vary',
    'Set-Cookie',
    'X-Trace',
    'Cache-Control',
    'Signature',
    'content-digest',
    'Content-Length',
  );
  const value = fc.constantFrom('application/json', 'text/plain', 'a', 'b', 'no-store', 'x=1; Path=/');
  const headerMaps = fc.record(
    {
      headers: fc.dictionary(name, value, { maxKeys: 6 }),
      multiValueHeaders: fc.dictionary(name, fc.array(value, { maxLength: 3 }), { maxKeys: 6 }),
    },
    { requiredKeys: [] },
  );
  const OWNED = new Set(['signature', 'signature-input', 'content-digest']);
  const withoutOwned = <T>(record: Record<string, T> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(record ?? {}).filter(([n]) => !OWNED.has(n.toLowerCase())));

  it('any header maps: each name lands in one map, and the gateway sends what it would have sent anyway', () => {
    fc.assert(
      fc.property(headerMaps, (answer) => {
        const merged = mergeProxyHeaders(answer);
        const single = namesOf(merged.headers);
        expect(namesOf(merged.multiValueHeaders).filter((n) => single.includes(n))).toEqual([]);
        const viaGuard = parseIntegrationResponse({ statusCode: 200, ...merged });
        const direct = parseIntegrationResponse({
          statusCode: 200,
          headers: withoutOwned(answer.headers),
          multiValueHeaders: withoutOwned(answer.multiValueHeaders),
        });
        expect(viaGuard.headers).toEqual(direct.headers);
      }),
      { numRuns: 500 },
    );
  });

  it('any header maps through the guard and the local gateway: the client verifies the response', async () => {
    await fc.assert(
      fc.asyncProperty(headerMaps, async (answer) => {
        const { outcome } = await throughGatewayAndVerify(guardAnswering(answer));
        expect(outcome).toBe('valid');
      }),
      { numRuns: 40 },
    );
  });
});
