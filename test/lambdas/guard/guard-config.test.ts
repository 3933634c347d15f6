/** The `guard` section schema and the guard's environment contract. */
import { ConfigError } from '../../../lambdas/shared/config/config-error';
import {
  REQUEST_SCHEMA_NAMES,
  guardRoutesWithoutAuthRule,
  loadGuardConfigFromEnv,
  parseGuardBackends,
  parseGuardConfig,
} from '../../../lambdas/shared/config/guard-config';
import { REQUEST_SCHEMAS } from '../../../lambdas/guard/request-schemas';
import { requiredEnv } from '../../../lambdas/guard/required-env';
import { parseEdgeConfigJson } from '../../../lib/config/edge-config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('guard config', () => {
  it('defaults are secure: signed routes, 300 s window, both algorithms, response signing follows signed', () => {
    const config = parseGuardConfig({ routes: { 'POST /orders': { validation: 'createOrder' } } });
    expect(config.routes['POST /orders']).toEqual({
      signed: true,
      validation: 'createOrder',
      contentTypes: ['application/json'],
      maxBodyBytes: 16_384,
      signResponse: true,
    });
    expect(config.signatures).toMatchObject({
      windowSeconds: 300,
      algorithms: ['ed25519', 'ecdsa-p256-sha256'],
      digestAlgorithms: ['sha-256', 'sha-512'],
    });
    expect(config.jwksPath).toBe('/.well-known/guard-jwks.json');
  });

  it.each([
    [
      'unknown schema name',
      { routes: { 'POST /orders': { validation: 'createOrdr' } } },
      'routes.POST /orders.validation',
      /createOrder/,
    ],
    ['validation omitted', { routes: { 'POST /orders': {} } }, 'routes.POST /orders.validation', /null/],
    [
      'bad route key',
      { routes: { 'FETCH /orders': { validation: null } } },
      'routes.FETCH /orders',
      /METHOD \/path/,
    ],
    [
      'window below 60',
      { routes: { 'GET /a': { validation: null } }, signatures: { windowSeconds: 30 } },
      'signatures.windowSeconds',
      /60/,
    ],
    [
      'window above 300',
      { routes: { 'GET /a': { validation: null } }, signatures: { windowSeconds: 600 } },
      'signatures.windowSeconds',
      /300/,
    ],
    [
      'unknown algorithm',
      { routes: { 'GET /a': { validation: null } }, signatures: { algorithms: ['hmac-sha256'] } },
      'signatures.algorithms[0]',
      /.+/,
    ],
    ['unknown field', { routes: { 'GET /a': { validation: null, sign: true } } }, 'routes.GET /a', /sign/],
    [
      'signResponse without signed',
      { routes: { 'GET /a': { validation: null, signed: false, signResponse: true } } },
      'routes.GET /a.signResponse',
      /signed/,
    ],
    ['no routes', { routes: {} }, 'routes', /at least one/],
    [
      'media type with parameters',
      { routes: { 'POST /a': { validation: null, contentTypes: ['application/json; charset=utf-8'] } } },
      'routes.POST /a.contentTypes[0]',
      /without parameters/,
    ],
    [
      'JWKS path used by a route',
      { routes: { 'GET /.well-known/guard-jwks.json': { validation: null } } },
      'jwksPath',
      /JWKS/,
    ],
  ])('error flow: %s → ConfigError naming the field', (_name, raw, path, message) => {
    const issues = issuesOf(() => parseGuardConfig(raw));
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it('every schema name has a registry entry (and nothing else is registered)', () => {
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...REQUEST_SCHEMA_NAMES].sort());
  });

  it('loads GUARD_CONFIG from the environment and fails closed when it is missing or not JSON', () => {
    expect(
      loadGuardConfigFromEnv({ GUARD_CONFIG: '{"routes":{"GET /a":{"validation":null}}}' }).routes['GET /a'],
    ).toBeDefined();
    expect(() => loadGuardConfigFromEnv({})).toThrow(ConfigError);
    expect(() => loadGuardConfigFromEnv({ GUARD_CONFIG: '{"__proto__":{}}' })).toThrow(ConfigError);
  });

  it('backend map: every guarded route needs a function; unknown route keys are rejected', () => {
    const config = parseGuardConfig({
      routes: { 'POST /orders': { validation: 'createOrder' }, 'GET /orders': { validation: 'listOrders' } },
    });
    expect(
      parseGuardBackends(
        {
          'POST /orders': 'orders-fn',
          'GET /orders': 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
        },
        config,
      ),
    ).toBeDefined();
    expect(
      issuesOf(() => parseGuardBackends({ 'POST /orders': 'orders-fn' }, config)).map((i) => i.path),
    ).toEqual(['GET /orders']);
    expect(
      issuesOf(() => parseGuardBackends({ 'POST /orders': 'x y', 'GET /orders': 'f' }, config))[0]?.path,
    ).toBe('POST /orders');
    expect(
      issuesOf(() =>
        parseGuardBackends({ 'POST /orders': 'f', 'GET /orders': 'f', 'DELETE /orders': 'f' }, config),
      ).map((i) => i.path),
    ).toEqual(['DELETE /orders']);
  });

  it('required environment variables fail closed when missing', () => {
    expect(() => requiredEnv('NONCE_TABLE_NAME', {})).toThrow(ConfigError);
    expect(requiredEnv('NONCE_TABLE_NAME', { NONCE_TABLE_NAME: 't' })).toBe('t');
  });

  it('guard routes are checked against the auth route rules', () => {
    const config = parseGuardConfig({
      routes: { 'POST /orders': { validation: 'createOrder' }, 'GET /admin/{proxy+}': { validation: null } },
    });
    expect(
      guardRoutesWithoutAuthRule(config, [
        { method: 'POST', path: '/orders' },
        { method: 'ANY', path: '/admin/{proxy+}' },
      ]),
    ).toEqual([]);
    expect(guardRoutesWithoutAuthRule(config, [{ method: 'GET', path: '/orders' }])).toEqual([
      'POST /orders',
      'GET /admin/{proxy+}',
    ]);
  });

  it('the example edge config has a valid guard section whose routes all have auth rules', () => {
    const edge = parseEdgeConfigJson(
      readFileSync(join(__dirname, '../../../config/edge.config.json'), 'utf8'),
    );
    expect(edge.guard).toBeDefined();
    expect(guardRoutesWithoutAuthRule(edge.guard!, edge.auth.routes)).toEqual([]);
  });
});
