/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access,
   @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
 * the cases edit untyped JSON documents and read a JSON Schema; typing every path would hide what each case changes. */
/**
 * The authorizer configuration schema (zod/mini): every rule rejects with a ConfigError naming the
 * field; zod's own checks speak English without classic zod loaded; defaults apply; the classic edge
 * schema holds the mini one; its JSON Schema keeps descriptions, defaults, enums and bounds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { parseEdgeConfig, edgeConfigSchema } from '../../../../lib/config/edge-config';
import { ConfigError } from '../../../../lambdas/shared/config/config-error';
import { parseAuthorizerConfig } from '../../../../lambdas/shared/config/parse-authorizer-config';
import type { AuthorizerConfigInput } from '../../../../lambdas/shared/config/authorizer-config';

const ISSUER = 'https://idp.example.com';

function valid(): AuthorizerConfigInput {
  return {
    issuers: [{ issuer: ISSUER, audience: 'api', jwksUri: `${ISSUER}/jwks`, algorithms: ['RS256'] }],
    routes: [{ method: 'GET', path: '/orders', anyRoles: ['reader'] }],
  };
}

/** The ConfigError of a document, or undefined when it validates. */
function errorOf(
  raw: unknown,
  parse: (raw: unknown) => unknown = parseAuthorizerConfig,
): ConfigError | undefined {
  try {
    parse(raw);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
}

type Change = (c: Record<string, any>) => void;

describe('authorizer config schema (zod/mini)', () => {
  it('happy flow: a minimal document gets the secure defaults', () => {
    const config = parseAuthorizerConfig(valid());
    expect(config.tokenLimits).toEqual({
      clockSkewSeconds: 60,
      maxLifetimeSeconds: 3600,
      maxTokenBytes: 8192,
    });
    expect(config.jwks).toEqual({
      maxKeyAgeSeconds: 900,
      unknownKidRefetchIntervalSeconds: 60,
      fetchTimeoutMs: 1500,
    });
    expect(config.decisionCache).toEqual({ maxEntries: 1000, maxAgeSeconds: 300 });
    expect(config.resultCacheTtlSeconds).toBe(300);
    expect(config.issuers[0]).toMatchObject({
      rolesClaims: ['roles', 'groups', 'cognito:groups'],
      scopesClaims: ['scope', 'scp'],
      clientIdClaims: ['client_id', 'azp', 'cid'],
      contextClaims: [],
    });
    expect(config.routes[0]?.public).toBe(false);
    expect(config.revocation).toBeUndefined();
    expect(parseAuthorizerConfig({ ...valid(), revocation: {} }).revocation).toEqual({
      cacheStalenessSeconds: 10,
      maxRevocationDelaySeconds: 600,
      onStoreError: 'deny',
    });
  });

  it('the client registry with one issuer is accepted', () => {
    expect(parseAuthorizerConfig({ ...valid(), clients: {} }).clients).toMatchObject({
      unknownClients: 'deny',
    });
  });

  it('defaults are fresh objects: changing one parsed document never changes the next', () => {
    const first = parseAuthorizerConfig(valid());
    (first.tokenLimits as { clockSkewSeconds: number }).clockSkewSeconds = 1;
    (first.issuers[0]?.rolesClaims as string[]).push('x');
    const second = parseAuthorizerConfig(valid());
    expect(second.tokenLimits.clockSkewSeconds).toBe(60);
    expect(second.issuers[0]?.rolesClaims).toEqual(['roles', 'groups', 'cognito:groups']);
  });

  it.each<[string, Change, string]>([
    ['no issuers', (c) => delete c.issuers, 'issuers'],
    [
      'an issuer over plain http',
      (c) => (c.issuers[0].issuer = 'http://idp.example.com'),
      'issuers[0].issuer',
    ],
    ['a jwksUri that is not a URL', (c) => (c.issuers[0].jwksUri = 'not a url'), 'issuers[0].jwksUri'],
    ['an audience that is missing', (c) => delete c.issuers[0].audience, 'issuers[0].audience'],
    ['an empty audience list', (c) => (c.issuers[0].audience = []), 'issuers[0].audience'],
    ['an HMAC algorithm', (c) => (c.issuers[0].algorithms = ['HS256']), 'issuers[0].algorithms[0]'],
    ['two key sources', (c) => (c.issuers[0].discovery = true), 'issuers[0].jwksUri'],
    ['no key source', (c) => delete c.issuers[0].jwksUri, 'issuers[0].jwksUri'],
    [
      'a private key in a pinned JWKS',
      (c) => {
        delete c.issuers[0].jwksUri;
        c.issuers[0].jwks = { keys: [{ kty: 'RSA', kid: 'k', d: 'secret' }] };
      },
      'issuers[0].jwks.keys[0]',
    ],
    [
      'a pinned key whose alg the issuer does not allow',
      (c) => {
        delete c.issuers[0].jwksUri;
        c.issuers[0].jwks = { keys: [{ kty: 'EC', kid: 'k', alg: 'ES256' }] };
      },
      'issuers[0].jwks.keys[0].alg',
    ],
    [
      'a claim path with __proto__',
      (c) => (c.issuers[0].rolesClaims = ['a.__proto__']),
      'issuers[0].rolesClaims[0]',
    ],
    ['a claim path with a space', (c) => (c.issuers[0].tenantClaim = 'a b'), 'issuers[0].tenantClaim'],
    ['an unknown issuer member', (c) => (c.issuers[0].audiance = 'x'), 'issuers[0]'],
    ['a duplicate issuer', (c) => c.issuers.push({ ...c.issuers[0] }), 'issuers[1].issuer'],
    ['a path that is not a template', (c) => (c.routes[0].path = 'orders'), 'routes[0].path'],
    ['a greedy parameter before the end', (c) => (c.routes[0].path = '/a/{proxy+}/b'), 'routes[0].path'],
    ['a route without requirements', (c) => delete c.routes[0].anyRoles, 'routes[0].anyRoles'],
    ['a public route with roles', (c) => (c.routes[0].public = true), 'routes[0].public'],
    ['a role with a space', (c) => (c.routes[0].anyRoles = ['a b']), 'routes[0].anyRoles[0]'],
    ['a duplicate route', (c) => c.routes.push({ ...c.routes[0] }), 'routes[1]'],
    [
      'a clock skew above 300',
      (c) => (c.tokenLimits = { clockSkewSeconds: 301 }),
      'tokenLimits.clockSkewSeconds',
    ],
    [
      'a fractional token size',
      (c) => (c.tokenLimits = { maxTokenBytes: 1000.5 }),
      'tokenLimits.maxTokenBytes',
    ],
    ['a result cache TTL as a string', (c) => (c.resultCacheTtlSeconds = '300'), 'resultCacheTtlSeconds'],
    [
      'an unknown revocation policy',
      (c) => (c.revocation = { onStoreError: 'allow' }),
      'revocation.onStoreError',
    ],
    ['a bad revocation table name', (c) => (c.revocation = { tableName: 'a b' }), 'revocation.tableName'],
    [
      'the client registry with two issuers (client ids are not scoped by issuer)',
      (c) => {
        c.clients = {};
        c.issuers.push({ ...c.issuers[0], issuer: 'https://other-idp.example.com' });
      },
      'clients',
    ],
    ['an unknown top-level member', (c) => (c.issuer = {}), ''],
  ])('error flow: %s → ConfigError at %s', (_label, change, path) => {
    const raw = structuredClone(valid()) as Record<string, any>;
    change(raw);
    const error = errorOf(raw);
    expect(error?.issues.map((i) => i.path)).toContain(path);
  });

  it("error flow: zod's own checks are worded in English (mini loads no locale; the parse passes it)", () => {
    const error = errorOf({ issuers: 'x', routes: [], tokenLimits: { clockSkewSeconds: 9999 } });
    const messages = error?.issues.map((i) => i.message) ?? [];
    expect(messages).toHaveLength(3);
    // The bare fallback is "Invalid input"; each message must say more than that.
    for (const message of messages) expect(message.length).toBeGreaterThan('Invalid input'.length + 5);
  });

  // HttpFetcher never fetches a URL with user info, so such a document could only fail at cold start
  // (and its pre-load warning used to log the password): the schema refuses it in every fetched URL.
  it.each<[string, string, Change]>([
    [
      'a jwksUri with user and password',
      'issuers[0].jwksUri',
      (c) => (c.issuers[0].jwksUri = 'https://user:pass@idp.example.com/jwks'),
    ],
    [
      'a jwksUri with a user only',
      'issuers[0].jwksUri',
      (c) => (c.issuers[0].jwksUri = 'https://user@idp.example.com/jwks'),
    ],
    [
      'a jwksUri with a password only',
      'issuers[0].jwksUri',
      (c) => (c.issuers[0].jwksUri = 'https://:pass@idp.example.com/jwks'),
    ],
    [
      'a loopback http jwksUri with user info',
      'issuers[0].jwksUri',
      (c) => (c.issuers[0].jwksUri = 'http://user:pass@127.0.0.1:8080/jwks'),
    ],
    [
      'a discovery issuer with user info (its metadata URL is fetched)',
      'issuers[0].issuer',
      (c) => {
        delete c.issuers[0].jwksUri;
        c.issuers[0].discovery = true;
        c.issuers[0].issuer = 'https://user:pass@idp.example.com';
      },
    ],
    [
      'an issuer with user info',
      'issuers[0].issuer',
      (c) => (c.issuers[0].issuer = 'https://user:pass@idp.example.com'),
    ],
  ])('error flow: %s → ConfigError at %s', (_label, path, change) => {
    const raw = structuredClone(valid()) as Record<string, any>;
    change(raw);
    const error = errorOf(raw);
    expect(error?.issues.map((i) => i.path)).toEqual([path]);
  });

  it('happy flow: a jwksUri with a query string is accepted (the logs show only origin and path)', () => {
    const raw = structuredClone(valid()) as Record<string, any>;
    raw.issuers[0].jwksUri = `${ISSUER}/jwks?tenant=a`;
    expect(errorOf(raw)).toBeUndefined();
  });
});

// Parts without a description of their own (integers with the same bounds, table names, booleans,
// non-empty strings, role, scope and claim path lists, the algorithm enum) are built once and shared
// by several fields (schema-parts.ts, authorizer-config.ts): each field must still refuse bad input at
// its own path, and keep its own default and description.
describe('shared schema parts', () => {
  const withPinnedKey =
    (alg: string): Change =>
    (c) => {
      delete c.issuers[0].jwksUri;
      c.issuers[0].jwks = { keys: [{ kty: 'RSA', kid: 'k', alg }] };
    };

  it.each<[string, Change, string]>([
    [
      'tokenLimits.clockSkewSeconds 301',
      (c) => (c.tokenLimits = { clockSkewSeconds: 301 }),
      'tokenLimits.clockSkewSeconds',
    ],
    [
      'revocation.cacheStalenessSeconds 301',
      (c) => (c.revocation = { cacheStalenessSeconds: 301 }),
      'revocation.cacheStalenessSeconds',
    ],
    [
      'clients.cacheStalenessSeconds -1',
      (c) => (c.clients = { cacheStalenessSeconds: -1 }),
      'clients.cacheStalenessSeconds',
    ],
    [
      'clients.cacheStalenessSeconds 1.5',
      (c) => (c.clients = { cacheStalenessSeconds: 1.5 }),
      'clients.cacheStalenessSeconds',
    ],
    [
      'tokenLimits.maxLifetimeSeconds 59',
      (c) => (c.tokenLimits = { maxLifetimeSeconds: 59 }),
      'tokenLimits.maxLifetimeSeconds',
    ],
    ['jwks.maxKeyAgeSeconds 59', (c) => (c.jwks = { maxKeyAgeSeconds: 59 }), 'jwks.maxKeyAgeSeconds'],
    [
      'jwks.unknownKidRefetchIntervalSeconds 0',
      (c) => (c.jwks = { unknownKidRefetchIntervalSeconds: 0 }),
      'jwks.unknownKidRefetchIntervalSeconds',
    ],
    [
      'decisionCache.maxAgeSeconds 0',
      (c) => (c.decisionCache = { maxAgeSeconds: 0 }),
      'decisionCache.maxAgeSeconds',
    ],
    ['revocation.tableName "a b"', (c) => (c.revocation = { tableName: 'a b' }), 'revocation.tableName'],
    ['clients.tableName "a b"', (c) => (c.clients = { tableName: 'a b' }), 'clients.tableName'],
    ['an empty audience', (c) => (c.issuers[0].audience = ''), 'issuers[0].audience'],
    ['an empty audience in a list', (c) => (c.issuers[0].audience = ['api', '']), 'issuers[0].audience[1]'],
    ['an empty requiredTyp', (c) => (c.issuers[0].requiredTyp = ''), 'issuers[0].requiredTyp'],
    ['discovery as a string', (c) => (c.issuers[0].discovery = 'yes'), 'issuers[0].discovery'],
    ['public as a string', (c) => (c.routes[0].public = 'true'), 'routes[0].public'],
    [
      'authenticatedOnly as a string',
      (c) => (c.routes[0].authenticatedOnly = 'yes'),
      'routes[0].authenticatedOnly',
    ],
    ['anyRoles with a space', (c) => (c.routes[0].anyRoles = ['a b']), 'routes[0].anyRoles[0]'],
    ['allRoles with a space', (c) => (c.routes[0].allRoles = ['a b']), 'routes[0].allRoles[0]'],
    ['anyScopes with a space', (c) => (c.routes[0].anyScopes = ['a b']), 'routes[0].anyScopes[0]'],
    ['allScopes with a space', (c) => (c.routes[0].allScopes = ['a b']), 'routes[0].allScopes[0]'],
    [
      'rolesClaims with an empty segment',
      (c) => (c.issuers[0].rolesClaims = ['a..b']),
      'issuers[0].rolesClaims[0]',
    ],
    [
      'scopesClaims with an empty segment',
      (c) => (c.issuers[0].scopesClaims = ['a..b']),
      'issuers[0].scopesClaims[0]',
    ],
    [
      'clientIdClaims with an empty segment',
      (c) => (c.issuers[0].clientIdClaims = ['a..b']),
      'issuers[0].clientIdClaims[0]',
    ],
    [
      'contextClaims with an empty segment',
      (c) => (c.issuers[0].contextClaims = ['a..b']),
      'issuers[0].contextClaims[0]',
    ],
    ['an HMAC algorithm', (c) => (c.issuers[0].algorithms = ['HS256']), 'issuers[0].algorithms[0]'],
    ['a pinned key with an HMAC alg', withPinnedKey('HS256'), 'issuers[0].jwks.keys[0].alg'],
  ])('error flow: %s → ConfigError at %s', (_label, change, path) => {
    const raw = structuredClone(valid()) as Record<string, any>;
    change(raw);
    expect(errorOf(raw)?.issues.map((i) => i.path)).toContain(path);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'minimum',
      {
        tokenLimits: { clockSkewSeconds: 0, maxLifetimeSeconds: 60, maxTokenBytes: 512 },
        jwks: { maxKeyAgeSeconds: 60, unknownKidRefetchIntervalSeconds: 1, fetchTimeoutMs: 100 },
        decisionCache: { maxEntries: 0, maxAgeSeconds: 1 },
        resultCacheTtlSeconds: 0,
        revocation: { cacheStalenessSeconds: 0, maxRevocationDelaySeconds: 0 },
        clients: { cacheStalenessSeconds: 0 },
      },
    ],
    [
      'maximum',
      {
        tokenLimits: { clockSkewSeconds: 300, maxLifetimeSeconds: 86_400, maxTokenBytes: 16_384 },
        jwks: { maxKeyAgeSeconds: 86_400, unknownKidRefetchIntervalSeconds: 3600, fetchTimeoutMs: 10_000 },
        decisionCache: { maxEntries: 100_000, maxAgeSeconds: 3600 },
        resultCacheTtlSeconds: 3600,
        revocation: { cacheStalenessSeconds: 300, maxRevocationDelaySeconds: 3900 },
        clients: { cacheStalenessSeconds: 300 },
      },
    ],
  ])('happy flow: every bounded integer accepts its own %s', (_label, settings) => {
    const raw = { ...valid(), ...settings };
    expect(errorOf(raw)).toBeUndefined();
    const config = parseAuthorizerConfig(raw);
    expect(config).toMatchObject(settings);
  });

  it('happy flow: fields that share an inner schema keep their own defaults', () => {
    const config = parseAuthorizerConfig({ ...valid(), revocation: {}, clients: {} });
    expect(config.tokenLimits.clockSkewSeconds).toBe(60);
    expect(config.revocation?.cacheStalenessSeconds).toBe(10);
    expect(config.clients?.cacheStalenessSeconds).toBe(60);
    expect(config.tokenLimits.maxLifetimeSeconds).toBe(3600);
    expect(config.jwks.maxKeyAgeSeconds).toBe(900);
    expect(config.routes[0]?.public).toBe(false);
  });

  it('its JSON Schema gives fields that share an inner schema their own description and default', () => {
    const schema = z.toJSONSchema(edgeConfigSchema, { io: 'input', unrepresentable: 'any' }) as unknown as {
      properties: { auth: { properties: Record<string, any> } };
    };
    const auth = schema.properties.auth.properties;
    const skew = auth.tokenLimits.properties.clockSkewSeconds;
    const staleness = auth.revocation.properties.cacheStalenessSeconds;
    const bounds = { type: 'integer', minimum: 0, maximum: 300 };
    expect(skew).toMatchObject({ ...bounds, default: 60 });
    expect(staleness).toMatchObject({ ...bounds, default: 10 });
    expect(skew.description).not.toEqual(staleness.description);
    const route = auth.routes.items.properties;
    expect(route.anyRoles.description).not.toEqual(route.allRoles.description);
    expect(route.public).toMatchObject({ type: 'boolean', default: false });
    expect(route.authenticatedOnly.default).toBeUndefined();
  });
});

describe('the edge schema (classic zod) holds the mini authorizer schema', () => {
  const example = (): Record<string, unknown> =>
    JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', '..', 'config', 'edge.config.json'), 'utf8'),
    ) as Record<string, unknown>;

  it('happy flow: the example document validates through the edge schema with the auth defaults', () => {
    const config = parseEdgeConfig(example());
    expect(config.auth.tokenLimits.maxTokenBytes).toBeGreaterThan(0);
    expect(config.auth.issuers.length).toBeGreaterThan(0);
  });

  it('error flow: a bad auth field is reported under auth.*, in English', () => {
    const raw = example();
    (raw.auth as { resultCacheTtlSeconds: unknown }).resultCacheTtlSeconds = 99_999;
    const error = errorOf(raw, (r) => parseEdgeConfig(r));
    const issue = error?.issues.find((i) => i.path === 'auth.resultCacheTtlSeconds');
    expect(issue).toBeDefined();
    expect(issue?.message.length).toBeGreaterThan('Invalid input'.length + 5);
  });

  it('its JSON Schema keeps descriptions, defaults, enums and bounds of the auth section', () => {
    const schema = z.toJSONSchema(edgeConfigSchema, { io: 'input', unrepresentable: 'any' }) as unknown as {
      properties: { auth: { description?: string; properties: Record<string, any> } };
    };
    const auth = schema.properties.auth;
    expect(auth.description).toMatch(/JWT authorizer/);
    expect(auth.properties.resultCacheTtlSeconds).toMatchObject({
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 300,
      description: expect.stringMatching(/result cache TTL/),
    });
    expect(auth.properties.tokenLimits.default).toEqual({
      clockSkewSeconds: 60,
      maxLifetimeSeconds: 3600,
      maxTokenBytes: 8192,
    });
    expect(auth.properties.routes.items.properties.method).toMatchObject({
      enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'],
      description: 'HTTP method, or ANY.',
    });
    expect(auth.properties.issuers).toMatchObject({ minItems: 1, maxItems: 20 });
  });
});
