/**
 * Your own backend behind the local edge (`npm start -- --backend name=module`): the module is loaded
 * in process like the samples, gets the authorizer context, and every way of getting it wrong fails
 * start-up with a LocalUsageError naming the flag and the module. The happy flow runs over real HTTP.
 */
import { join, relative } from 'node:path';
import { loadBackends, type BackendModule } from '../../local/backends';
import { startLocalEdge, type LocalEdge } from '../../local/edge';
import { LocalUsageError } from '../../local/errors';
import { parseEdgeConfig } from '../../lib/config/edge-config';
import { exampleConfigRaw } from '../lib/edge-config-fixture';

const fixture = (file: string): string => relative(process.cwd(), join(__dirname, 'fixtures', file));
const billing: BackendModule = {
  name: 'billing',
  modulePath: fixture('billing-backend.ts'),
  source: '--backend',
};

describe('loadBackends with your own modules', () => {
  it('loads your module for its name and the samples for the rest', async () => {
    const handlers = loadBackends(['billing', 'health'], [billing]);
    expect([...handlers.keys()].sort()).toEqual(['billing', 'health']);
    const result = (await handlers.get('billing')!({
      path: '/billing',
      requestContext: { authorizer: { sub: 'alice' } },
    } as never)) as { body: string };
    expect(JSON.parse(result.body)).toEqual({ backend: 'billing', sub: 'alice', path: '/billing' });
  });

  it('your module replaces a sample backend of the same name', () => {
    const own = { ...billing, name: 'health' };
    const handlers = loadBackends(['health'], [own]);
    expect(handlers.get('health')).toBe(loadBackends(['billing'], [billing]).get('billing'));
  });

  it.each<[string, readonly string[], BackendModule[], RegExp]>([
    ['an unknown backend name, with the flag to fix it', ['billing'], [], /--backend billing=/],
    ['a missing file', ['billing'], [{ ...billing, modulePath: 'nope/handler.ts' }], /no such file/],
    [
      'a module without handler',
      ['billing'],
      [{ ...billing, modulePath: fixture('no-handler-backend.ts') }],
      /export a function named "handler"/,
    ],
    [
      'a module that throws while loading',
      ['billing'],
      [{ ...billing, modulePath: fixture('failing-backend.ts') }],
      /failed to load: billing backend: missing BILLING_TABLE/,
    ],
    ['a module no route uses', ['health'], [billing], /no api.routes\[\].backend names it/],
  ])('error flow: %s → LocalUsageError', (_name, names, modules, message) => {
    let caught: unknown;
    try {
      loadBackends(names, modules);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LocalUsageError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('the local edge with your own backend, over real HTTP', () => {
  let edge: LocalEdge;
  beforeAll(async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const raw = structuredClone(exampleConfigRaw());
    raw.auth.routes.push({ method: 'GET', path: '/billing', anyRoles: ['billing:read'] });
    raw.api?.routes.push({ method: 'GET', path: '/billing', backend: 'billing' });
    edge = await startLocalEdge({
      baseConfig: parseEdgeConfig(raw, 'test config'),
      ports: { gateway: 0, idp: 0, dynamo: 0 },
      stateDir: undefined,
      backendModules: [billing],
    });
  });
  afterAll(() => edge.close());

  async function tokenFor(roles: string[]): Promise<string> {
    const res = await fetch(edge.idp.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'bea', roles, scopes: [] }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('a caller with the role reaches your backend, which sees the authorizer context', async () => {
    const res = await fetch(`${edge.gatewayUrl}/billing`, {
      headers: { authorization: `Bearer ${await tokenFor(['billing:read'])}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ backend: 'billing', sub: 'bea', path: '/billing' });
  });

  it('your backend is protected like the others: 403 without the role, 401 without a token', async () => {
    const forbidden = await fetch(`${edge.gatewayUrl}/billing`, {
      headers: { authorization: `Bearer ${await tokenFor(['orders:read'])}` },
    });
    expect(forbidden.status).toBe(403);
    expect((await fetch(`${edge.gatewayUrl}/billing`)).status).toBe(401);
  });
});
