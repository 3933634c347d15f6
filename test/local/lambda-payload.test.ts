/**
 * The Lambda JSON boundary: API Gateway and the guard hand a function a JSON copy of the event and
 * get back a JSON copy of its result. Unit tests of the helper, then the local edge over real HTTP
 * with a backend (`fixtures/json-quirks-backend.ts`) behind the guard (GET /orders) and directly
 * behind the gateway (GET /profile).
 */
import { join, relative } from 'node:path';
import type { BackendModule } from '../../local/backends';
import { startLocalEdge, type LocalEdge } from '../../local/edge';
import {
  invokeAsLambda,
  lambdaPayload,
  UnserializablePayloadError,
} from '../../local/gateway/lambda-payload';
import { parseEdgeConfig } from '../../lib/config/edge-config';
import { exampleConfigRaw } from '../lib/edge-config-fixture';

describe('lambdaPayload / invokeAsLambda', () => {
  it('happy flow: the value as JSON carries it — undefined members gone, toJSON applied', () => {
    expect(
      lambdaPayload({ a: 1, b: undefined, f: () => 1, d: new Date(0), list: [undefined, 'x'] }),
    ).toStrictEqual({ a: 1, d: '1970-01-01T00:00:00.000Z', list: [null, 'x'] });
  });

  it.each([[undefined], [() => 1]])('nothing to serialize (%p) → null, as the runtime sends', (value) => {
    expect(lambdaPayload(value)).toBeNull();
  });

  it('a "__proto__" member stays an own member and never reaches a prototype', () => {
    const copy = lambdaPayload(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each<[string, () => unknown]>([
    ['a BigInt', () => ({ n: 1n })],
    [
      'a cycle',
      () => {
        const a: Record<string, unknown> = {};
        a.a = a;
        return a;
      },
    ],
  ])('error flow: %s → UnserializablePayloadError', (_label, value) => {
    expect(() => lambdaPayload(value())).toThrow(UnserializablePayloadError);
  });

  it('the handler gets a copy of the event: what it changes, the caller never sees', async () => {
    const event = { headers: { a: '1' }, skip: undefined };
    let seen: unknown;
    await invokeAsLambda((copy: typeof event) => {
      seen = copy;
      copy.headers.a = 'changed';
      return Promise.resolve(null);
    }, event);
    expect(seen).toStrictEqual({ headers: { a: 'changed' } });
    expect(event.headers.a).toBe('1');
  });

  it('the caller gets a copy of the result; a throw stays the handler’s error', async () => {
    const result = { statusCode: 200, headers: { 'x-a': undefined } };
    const copy = await invokeAsLambda(() => Promise.resolve(result), {});
    expect(copy).toStrictEqual({ statusCode: 200, headers: {} });
    expect(copy).not.toBe(result);
    const boom = new Error('Unauthorized');
    await expect(invokeAsLambda(() => Promise.reject(boom), {})).rejects.toBe(boom);
  });
});

describe('the local edge invokes its Lambdas through JSON (guard → backend, gateway → backend)', () => {
  const quirks = relative(process.cwd(), join(__dirname, 'fixtures', 'json-quirks-backend.ts'));
  const modules: BackendModule[] = ['orders', 'profile'].map((name) => ({
    name,
    modulePath: quirks,
    source: '--backend',
  }));
  let edge: LocalEdge;
  beforeAll(async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    edge = await startLocalEdge({
      baseConfig: parseEdgeConfig(structuredClone(exampleConfigRaw()), 'test config'),
      ports: { gateway: 0, idp: 0, dynamo: 0 },
      stateDir: undefined,
      backendModules: modules,
    });
  });
  afterAll(() => edge.close());

  async function get(path: string, sub: string): Promise<Response> {
    const minted = await fetch(edge.idp.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub, roles: ['orders:read'], scopes: [] }),
    });
    const token = ((await minted.json()) as { access_token: string }).access_token;
    return fetch(`${edge.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  }

  it.each([
    ['behind the guard', '/orders'],
    ['directly behind the gateway', '/profile'],
  ])('a backend header that is undefined is dropped, as JSON does (%s) → 200', async (_label, path) => {
    const res = await get(path, 'undefined-header');
    expect(res.status).toBe(200);
    expect(res.headers.has('x-a')).toBe(false);
    expect(await res.json()).toEqual({ ok: true });
  });

  it.each([
    ['a BigInt', 'bigint', '/orders'],
    ['a cycle', 'cycle', '/orders'],
    ['a BigInt', 'bigint', '/profile'],
    ['a cycle', 'cycle', '/profile'],
  ])('error flow: a result with %s cannot leave the Lambda (%s, %s) → 502', async (_label, sub, path) => {
    const res = await get(path, sub);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
