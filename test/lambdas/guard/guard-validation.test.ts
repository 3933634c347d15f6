/**
 * Input validation at the guard (OWASP REST): size 413, media type 415, malformed 400, schema 422,
 * all as application/problem+json naming the field and never echoing the raw input.
 * dynalite is the real DynamoDB for the signed routes.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { signRequest } from '../../../client/sign-request';
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
let sut: GuardUnderTest;

beforeAll(async () => {
  fixture = await startClientKeyDynalite(GUARD_TEST_KEY);
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  sut = buildGuard(fixture.dynamo);
});

/** An unsigned POST to the `POST /open-orders` route (createOrder schema, 256 bytes max). */
function openOrder(
  body: string | null,
  contentType: string | null = 'application/json',
): APIGatewayProxyEvent {
  const headers: Record<string, string> = contentType === null ? {} : { 'Content-Type': contentType };
  return eventFor(
    {
      method: 'POST',
      url: `${BASE_URL}/open-orders`,
      headers,
      body: body === null ? undefined : Buffer.from(body),
    },
    { resource: '/open-orders' },
  );
}

function expectProblem(result: APIGatewayProxyResult, status: number, code: string, field?: string) {
  expect(result.statusCode).toBe(status);
  const problem = problemOf(result);
  expect(problem).toMatchObject({ status, code });
  if (field !== undefined) expect(problem.field).toBe(field);
  expect(sut.backend.calls).toHaveLength(0);
  // Only a signature rejection (401) carries the signing challenge.
  expect(result.headers?.['Accept-Signature'] !== undefined).toBe(status === 401);
  return problem;
}

describe('body envelope', () => {
  it('compliant: a valid order → forwarded', async () => {
    const result = await sut.guard(openOrder(JSON.stringify({ item: 'widget', quantity: 1 })));
    expect(result.statusCode).toBe(201);
    expect(sut.backend.calls).toHaveLength(1);
  });

  it('error flow: body larger than maxBodyBytes → 413', async () => {
    const big = JSON.stringify({ item: 'x'.repeat(300), quantity: 1 });
    expectProblem(await sut.guard(openOrder(big)), 413, 'payload_too_large', 'body');
  });

  it('error flow: body on a route with maxBodyBytes 0 → 413', async () => {
    const signed = await signRequest({
      method: 'GET',
      url: `${BASE_URL}/orders/o-1`,
      headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
      body: '{}',
      key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
      created: NOW_SECONDS,
    });
    const event = eventFor(signed, { resource: '/orders/{id}', pathParameters: { id: 'o-1' } });
    expectProblem(await sut.guard(event), 413, 'payload_too_large');
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['application/xml', 'application/xml'],
    ['no Content-Type', null],
  ])('error flow: %s body → 415', async (_name, contentType) => {
    const result = await sut.guard(openOrder('{"item":"w","quantity":1}', contentType));
    expectProblem(result, 415, 'unsupported_media_type', 'header content-type');
  });

  it('compliant: application/json with a charset parameter → accepted', async () => {
    const result = await sut.guard(openOrder('{"item":"w","quantity":1}', 'application/json; charset=utf-8'));
    expect(result.statusCode).toBe(201);
  });
});

describe('JSON parsing', () => {
  it.each([
    ['truncated JSON', '{"item":"w",'],
    ['not JSON', 'item=w&quantity=1'],
    ['__proto__ member', '{"item":"w","quantity":1,"__proto__":{"admin":true}}'],
    ['nested constructor member', '{"item":"w","quantity":1,"x":{"constructor":{"prototype":{}}}}'],
    ['deep nesting', `${'['.repeat(40)}${']'.repeat(40)}`],
  ])('error flow: %s → 400', async (_name, body) => {
    const problem = expectProblem(await sut.guard(openOrder(body)), 400, 'malformed_request', 'body');
    expect(JSON.stringify(problem)).not.toContain('admin');
  });

  it('a rejected __proto__ body does not pollute Object.prototype', async () => {
    await sut.guard(openOrder('{"__proto__":{"polluted":"yes"}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('schema (422)', () => {
  it.each([
    ['unknown field', { item: 'w', quantity: 1, admin: true }, 'body.admin'],
    ['wrong type', { item: 'w', quantity: '1' }, 'body.quantity'],
    ['out of range', { item: 'w', quantity: 0 }, 'body.quantity'],
    ['missing field', { item: 'w' }, 'body.quantity'],
    ['pattern', { item: '<script>alert(1)</script>', quantity: 1 }, 'body.item'],
    ['not an object', [1, 2, 3], 'body'],
  ])('error flow: %s → 422 naming %s', async (_name, body, field) => {
    const problem = expectProblem(
      await sut.guard(openOrder(JSON.stringify(body))),
      422,
      'schema_violation',
      field,
    );
    expect(JSON.stringify(problem)).not.toContain('<script>');
  });

  it('error flow: an unknown field with a hostile name is reported without echoing the name', async () => {
    const body = JSON.stringify({ item: 'w', quantity: 1, '<img src=x onerror=alert(1)>': 1 });
    const problem = expectProblem(await sut.guard(openOrder(body)), 422, 'schema_violation', 'body.?');
    expect(JSON.stringify(problem)).not.toContain('onerror');
  });

  async function signedGet(url: string, resource: string, pathParameters?: Record<string, string>) {
    const signed = await signRequest({
      method: 'GET',
      url,
      headers: { Authorization: ALICE_TOKEN },
      key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
      created: NOW_SECONDS,
    });
    return sut.guard(eventFor(signed, { resource, ...(pathParameters ? { pathParameters } : {}) }));
  }

  it('error flow: unknown query parameter on GET /orders → 422 naming it', async () => {
    expectProblem(
      await signedGet(`${BASE_URL}/orders?debug=1`, '/orders'),
      422,
      'schema_violation',
      'query.debug',
    );
  });

  it('error flow: query value out of range → 422', async () => {
    expectProblem(
      await signedGet(`${BASE_URL}/orders?limit=500`, '/orders'),
      422,
      'schema_violation',
      'query.limit',
    );
  });

  it('error flow: repeated query parameter (parameter pollution) → 400', async () => {
    expectProblem(
      await signedGet(`${BASE_URL}/orders?limit=5&limit=6`, '/orders'),
      400,
      'malformed_request',
      'query.limit',
    );
  });

  it('error flow: query on a route whose schema has none → 422', async () => {
    const result = await signedGet(`${BASE_URL}/orders/o-1?x=1`, '/orders/{id}', { id: 'o-1' });
    expectProblem(result, 422, 'schema_violation', 'query');
  });

  it('error flow: invalid path parameter → 422', async () => {
    const result = await signedGet(`${BASE_URL}/orders/o..1`, '/orders/{id}', { id: 'o..1' });
    expectProblem(result, 422, 'schema_violation', 'path.id');
  });

  it('compliant: valid path parameter → forwarded', async () => {
    expect((await signedGet(`${BASE_URL}/orders/o-1`, '/orders/{id}', { id: 'o-1' })).statusCode).toBe(200);
  });

  it('signature first: an unsigned request with a bad body → 401, not 422 (no schema oracle)', async () => {
    const event = eventFor(
      {
        method: 'POST',
        url: `${BASE_URL}/orders`,
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from('{"x":1}'),
      },
      { resource: '/orders' },
    );
    expectProblem(await sut.guard(event), 401, 'sig_missing');
  });
});

describe('routes', () => {
  it('error flow: a route the guard has no entry for → 404, never forwarded', async () => {
    const event = eventFor(
      { method: 'DELETE', url: `${BASE_URL}/orders`, headers: {}, body: undefined },
      { resource: '/orders' },
    );
    expectProblem(await sut.guard(event), 404, 'route_not_found');
  });

  it('problem bodies carry the request id and no internals', async () => {
    const event = openOrder('{');
    const problem = expectProblem(await sut.guard(event), 400, 'malformed_request');
    expect(problem.requestId).toBe(event.requestContext.requestId);
    expect(JSON.stringify(problem)).not.toMatch(/SyntaxError|at .*\.ts|Unexpected/);
  });

  it('error flow: the backend throws → 502 generic problem', async () => {
    sut.backend.invoke = () => Promise.reject(new Error('db password is hunter2'));
    const problem = expectProblem(
      await sut.guard(openOrder('{"item":"w","quantity":1}')),
      502,
      'backend_failure',
    );
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('error flow: the backend returns something that is not a proxy result → 502', async () => {
    sut.backend.invoke = () => Promise.resolve({ nope: true } as unknown as APIGatewayProxyResult);
    expectProblem(await sut.guard(openOrder('{"item":"w","quantity":1}')), 502, 'backend_failure');
  });
});
