/**
 * Integration: real RSA-2048 and EC P-256 keys generated at run time, tokens signed at run time,
 * a JWKS served over HTTP on 127.0.0.1 (port 0). The clock is injected: nothing sleeps.
 */
import { createAuthorizer, type AuthorizerHandler } from '../../../lambdas/authorizer/handler';
import {
  Authorizer,
  type PolicyAuthorizerResult,
  type SimpleAuthorizerResult,
} from '../../../lambdas/authorizer/authorizer';
import type { RevocationCheck } from '../../../lambdas/authorizer/revocation-check';
import { evaluatePolicy } from '../../../local/gateway/policy-evaluator';
import {
  testAuthorizerConfig,
  tokenEvent,
  httpApiEvent,
  methodArnFor,
  TEST_AUDIENCE,
} from '../../support/auth-config';
import { captureLogger, captureMetrics, manualClock } from '../../support/capture';
import { generateEcKey, generateRsaKey, jwksOf, type TestKey } from '../../support/keys';
import { startJwksServer, type JwksServer } from '../../support/jwks-server';
import { mintJwt, standardClaims } from '../../support/tokens';
import type { AuthorizerConfig } from '../../../lambdas/shared/config/authorizer-config';

const JWKS_PATH = '/.well-known/jwks.json';

describe('authorizer integration (JWKS over HTTP on 127.0.0.1)', () => {
  let server: JwksServer;
  let rsa: TestKey;
  let ec: TestKey;

  beforeAll(() => {
    rsa = generateRsaKey();
    ec = generateEcKey();
  });

  beforeEach(async () => {
    server = await startJwksServer(jwksOf(rsa, ec));
  });

  afterEach(async () => {
    await server.stop();
  });

  function build(
    overrides: Parameters<typeof testAuthorizerConfig>[1] = {},
    issuerOverrides: Record<string, unknown> = {},
  ) {
    const clock = manualClock();
    const logger = captureLogger();
    const metrics = captureMetrics();
    const config: AuthorizerConfig = testAuthorizerConfig(
      [{ issuer: server.origin, jwksUri: server.jwksUri, ...issuerOverrides }],
      overrides,
    );
    const handler: AuthorizerHandler = createAuthorizer(config, { clock: clock.now, logger, metrics });
    const claims = (over: Record<string, unknown> = {}) =>
      standardClaims(server.origin, TEST_AUDIENCE, Math.floor(clock.now() / 1000), over);
    const reasons = () => logger.lines.map((l) => l.attributes.reason);
    return { clock, logger, metrics, handler, claims, reasons, config };
  }

  it('happy flow: RS256 token with orders:read → policy allowing GET /orders, context without the token', async () => {
    const { handler, claims } = build();
    await handler.ready();
    const token = mintJwt(rsa, claims({ roles: ['orders:read'], scope: 'orders profile', client_id: 'web' }));
    const result = (await handler(tokenEvent(`Bearer ${token}`))) as PolicyAuthorizerResult;
    expect(result.principalId).toBe('user-123');
    expect(evaluatePolicy(result.policyDocument, methodArnFor('GET', '/orders'))).toBe('allow');
    expect(result.context).toMatchObject({
      sub: 'user-123',
      iss: server.origin,
      roles: 'orders:read',
      scopes: 'orders profile',
      clientId: 'web',
    });
    expect(JSON.stringify(result)).not.toContain(token);
    for (const value of Object.values(result.context))
      expect(['string', 'number', 'boolean']).toContain(typeof value);
  });

  it('happy flow: ES256 (P-256) token is accepted', async () => {
    const { handler, claims } = build();
    await handler.ready();
    const token = mintJwt(ec, claims({ roles: ['admin'] }));
    const result = (await handler(
      tokenEvent(`Bearer ${token}`, 'DELETE', '/admin/users/7'),
    )) as PolicyAuthorizerResult;
    expect(evaluatePolicy(result.policyDocument, methodArnFor('DELETE', '/admin/users/7'))).toBe('allow');
  });

  it('cold start: the JWKS is pre-loaded, the first request makes no JWKS request', async () => {
    const { handler, claims } = build();
    await handler.ready();
    expect(server.requestsFor(JWKS_PATH)).toBe(1);
    await handler(tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`));
    await handler(tokenEvent(`Bearer ${mintJwt(ec, claims({ roles: ['orders:read'] }))}`));
    expect(server.requestsFor(JWKS_PATH)).toBe(1);
  });

  it('key rotation: a new key published by the IdP is picked up through the unknown-kid refetch', async () => {
    const { handler, claims } = build();
    await handler.ready();
    const next = generateRsaKey();
    server.setJwks(jwksOf(rsa, ec, next));
    const result = (await handler(
      tokenEvent(`Bearer ${mintJwt(next, claims({ roles: ['orders:read'] }))}`),
    )) as PolicyAuthorizerResult;
    expect(evaluatePolicy(result.policyDocument, methodArnFor('GET', '/orders'))).toBe('allow');
    expect(server.requestsFor(JWKS_PATH)).toBe(2);
  });

  it('key removal: a key the IdP removed stops verifying once the cached JWKS is older than maxKeyAgeSeconds', async () => {
    const { handler, claims, clock, reasons } = build({ jwks: { maxKeyAgeSeconds: 120 } });
    await handler.ready();
    server.setJwks(jwksOf(ec)); // rsa removed at the IdP
    await expect(
      handler(tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`)),
    ).resolves.toBeDefined();
    clock.advance(119);
    await expect(
      handler(tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`)),
    ).resolves.toBeDefined();
    clock.advance(2);
    await expect(
      handler(tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`)),
    ).rejects.toThrow(/^Unauthorized$/);
    expect(reasons().at(-1)).toBe('unknown_kid');
    // The refresh fetched the new set once; the remaining key still works without another fetch.
    const before = server.requestsFor(JWKS_PATH);
    await expect(
      handler(tokenEvent(`Bearer ${mintJwt(ec, claims({ roles: ['orders:read'] }))}`)),
    ).resolves.toBeDefined();
    expect(server.requestsFor(JWKS_PATH)).toBe(before);
  });

  it('kid flood: many distinct unknown kids cause at most one JWKS refetch per interval', async () => {
    const { handler, claims, clock, reasons } = build({ jwks: { unknownKidRefetchIntervalSeconds: 60 } });
    await handler.ready();
    const forged = (i: number) => mintJwt({ ...rsa, kid: `unknown-${i}` }, claims({ roles: ['admin'] }));
    await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => handler(tokenEvent(`Bearer ${forged(i)}`))),
    );
    for (let i = 25; i < 50; i++) await handler(tokenEvent(`Bearer ${forged(i)}`)).catch(() => undefined);
    expect(server.requestsFor(JWKS_PATH)).toBe(2); // pre-load + one refetch
    expect(reasons().filter((r) => r === 'unknown_kid')).toHaveLength(50);
    clock.advance(61);
    await handler(tokenEvent(`Bearer ${forged(99)}`)).catch(() => undefined);
    expect(server.requestsFor(JWKS_PATH)).toBe(3);
  });

  it('JWKS outage: cached keys keep verifying after maxKeyAgeSeconds, without hammering the IdP', async () => {
    const { handler, claims, clock, logger } = build({ jwks: { maxKeyAgeSeconds: 60 } });
    await handler.ready();
    server.setOutage(true);
    clock.advance(61);
    for (let i = 0; i < 5; i++) {
      const result = (await handler(
        tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`),
      )) as PolicyAuthorizerResult;
      expect(evaluatePolicy(result.policyDocument, methodArnFor('GET', '/orders'))).toBe('allow');
    }
    expect(server.requestsFor(JWKS_PATH)).toBe(2); // pre-load + one failed refresh, then backoff
    expect(logger.lines.every((l) => l.attributes.outcome === 'allow')).toBe(true);
    server.setOutage(false);
    clock.advance(11);
    await handler(tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`));
    expect(server.requestsFor(JWKS_PATH)).toBe(3); // refreshed once the backoff passed
  });

  it('error flow: JWKS unreachable at cold start and nothing cached → 401 jwks_unavailable (fail closed)', async () => {
    server.setOutage(true);
    const { handler, claims, reasons, logger } = build();
    await handler.ready();
    expect(logger.lines.some((l) => l.level === 'warn' && l.attributes.reason === 'jwks_unavailable')).toBe(
      true,
    );
    await expect(handler(tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: ['admin'] }))}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    expect(reasons().at(-1)).toBe('jwks_unavailable');
  });

  it('OIDC discovery: jwks_uri is resolved from the issuer metadata at cold start', async () => {
    const issuer = `${server.origin}/realms/edge`;
    server.serveDiscovery('/realms/edge', { issuer, jwks_uri: server.jwksUri });
    const clock = manualClock();
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer, discovery: true }]), {
      clock: clock.now,
      logger: captureLogger(),
      metrics: captureMetrics(),
    });
    await handler.ready();
    expect(server.requests).toEqual(['/realms/edge/.well-known/openid-configuration', JWKS_PATH]);
    const token = mintJwt(
      rsa,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['orders:read'] }),
    );
    const result = (await handler(tokenEvent(`Bearer ${token}`))) as PolicyAuthorizerResult;
    expect(evaluatePolicy(result.policyDocument, methodArnFor('GET', '/orders'))).toBe('allow');
    expect(server.requestCount()).toBe(2);
  });

  it('error flow: discovery metadata naming another issuer is refused → jwks_unavailable', async () => {
    const issuer = `${server.origin}/realms/edge`;
    server.serveDiscovery('/realms/edge', { issuer: `${issuer}/`, jwks_uri: server.jwksUri });
    const logger = captureLogger();
    const clock = manualClock();
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer, discovery: true }]), {
      clock: clock.now,
      logger,
      metrics: captureMetrics(),
    });
    await handler.ready();
    expect(server.requestsFor(JWKS_PATH)).toBe(0);
    const token = mintJwt(
      rsa,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['admin'] }),
    );
    await expect(handler(tokenEvent(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)?.attributes.reason).toBe('jwks_unavailable');
  });

  it('pinned JWKS: verifies without ever contacting the network', async () => {
    const issuer = server.origin;
    const clock = manualClock();
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer, jwks: jwksOf(rsa) as never }]), {
      clock: clock.now,
      logger: captureLogger(),
      metrics: captureMetrics(),
    });
    await handler.ready();
    const token = mintJwt(
      rsa,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['orders:read'] }),
    );
    await expect(handler(tokenEvent(`Bearer ${token}`))).resolves.toBeDefined();
    const unknown = mintJwt(
      ec,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['orders:read'] }),
    );
    await expect(handler(tokenEvent(`Bearer ${unknown}`))).rejects.toThrow(/^Unauthorized$/);
    expect(server.requestCount()).toBe(0);
  });

  it('decision cache: a repeated token skips verification; an expired entry is verified again', async () => {
    const { handler, claims, logger, clock, reasons } = build({
      decisionCache: { maxEntries: 10, maxAgeSeconds: 600 },
    });
    await handler.ready();
    const token = mintJwt(rsa, claims({ roles: ['orders:read'], exp: Math.floor(clock.now() / 1000) + 120 }));
    await handler(tokenEvent(`Bearer ${token}`));
    await handler(tokenEvent(`Bearer ${token}`, 'GET', '/orders/7'));
    expect(logger.lines.map((l) => l.attributes.cached)).toEqual([false, true]);
    clock.advance(121 + 60); // past exp + skew: the entry is gone and the token is expired
    await expect(handler(tokenEvent(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)?.attributes.cached).toBe(false);
    expect(reasons().at(-1)).toBe('expired');
  });

  it.each([
    ['a trailing space', (t: string) => `Bearer ${t} `],
    ['a second token', (t: string) => `Bearer ${t} ${t}`],
    ['a character outside token68', (t: string) => `Bearer ${t}$`],
    ['a newline', (t: string) => `Bearer ${t}\nX-Evil: 1`],
  ])(
    'error flow: with the genuine token cached, the header with %s is still malformed (401)',
    async (_label, variant) => {
      const { handler, claims, logger, reasons } = build({
        decisionCache: { maxEntries: 10, maxAgeSeconds: 600 },
      });
      await handler.ready();
      const token = mintJwt(rsa, claims({ roles: ['orders:read'] }));
      await handler(tokenEvent(`Bearer ${token}`));
      await handler(tokenEvent(`Bearer ${token}`));
      expect(logger.lines.map((l) => l.attributes.cached)).toEqual([false, true]);
      await expect(handler(tokenEvent(variant(token)))).rejects.toThrow(/^Unauthorized$/);
      expect(reasons().at(-1)).toBe('malformed');
      expect(logger.lines.at(-1)?.attributes.cached).toBe(false);
    },
  );

  it('REST routes: one method ARN resolved again and again, and many distinct ones, get the same answers', async () => {
    const { handler, claims } = build();
    await handler.ready();
    const reader = `Bearer ${mintJwt(rsa, claims({ roles: ['orders:read'] }))}`;
    const allowed = async (method: string, path: string): Promise<boolean> => {
      const result = (await handler(tokenEvent(reader, method, path))) as PolicyAuthorizerResult;
      return evaluatePolicy(result.policyDocument, methodArnFor(method, path)) === 'allow';
    };
    for (let round = 0; round < 2; round++) {
      expect(await allowed('GET', '/orders')).toBe(true);
      expect(await allowed('POST', '/orders')).toBe(false);
      expect(await allowed('GET', '/orders/7/secret')).toBe(false);
    }
    // More distinct ARNs than the resolver remembers (512): every answer stays right.
    for (let id = 0; id < 600; id += 1) expect(await allowed('GET', `/orders/${id}`)).toBe(true);
    expect(await allowed('GET', '/orders/1/secret')).toBe(false);
    await expect(
      handler({ type: 'TOKEN', authorizationToken: reader, methodArn: 'not-an-arn' }),
    ).rejects.toThrow(/^Unauthorized$/);
  });

  it('403 flow: a genuine token without the role gets a policy that does not allow the route (not 401)', async () => {
    const { handler, claims, reasons } = build();
    await handler.ready();
    const token = mintJwt(rsa, claims({ roles: ['orders:read'] }));
    const result = (await handler(
      tokenEvent(`Bearer ${token}`, 'POST', '/orders'),
    )) as PolicyAuthorizerResult;
    expect(evaluatePolicy(result.policyDocument, methodArnFor('POST', '/orders'))).toBe('deny');
    expect(reasons()).toEqual(['missing_role']);
  });

  it('403 flow: a genuine token with no allowed route at all still gets a policy (a Deny)', async () => {
    const { handler, claims } = build({
      routes: [{ method: 'GET', path: '/orders', anyRoles: ['orders:read'] }],
    });
    await handler.ready();
    const result = (await handler(
      tokenEvent(`Bearer ${mintJwt(rsa, claims({ roles: [] }))}`),
    )) as PolicyAuthorizerResult;
    expect(result.policyDocument.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
    expect(evaluatePolicy(result.policyDocument, methodArnFor('GET', '/orders'))).toBe('deny');
  });

  it('one decision, many routes: the cached policy answers every later route and stage correctly', async () => {
    const { handler, claims } = build();
    await handler.ready();
    const reader = mintJwt(rsa, claims({ roles: ['orders:read'] }));
    const { policyDocument } = (await handler(
      tokenEvent(`Bearer ${reader}`, 'GET', '/orders'),
    )) as PolicyAuthorizerResult;
    const verdicts = Object.fromEntries(
      [
        ['GET', '/orders', 'prod'],
        ['GET', '/orders/42', 'prod'],
        ['GET', '/orders/42', 'staging'],
        ['GET', '/profile', 'prod'],
        ['GET', '/orders/42/secret', 'prod'],
        ['POST', '/orders', 'prod'],
        ['DELETE', '/admin/users/1', 'prod'],
        ['GET', '/admin/x', 'prod'],
      ].map(([m, p, s]) => [`${m} ${p} @${s}`, evaluatePolicy(policyDocument, methodArnFor(m!, p!, s))]),
    );
    expect(verdicts).toEqual({
      'GET /orders @prod': 'allow',
      'GET /orders/42 @prod': 'allow',
      'GET /orders/42 @staging': 'allow',
      'GET /profile @prod': 'allow',
      'GET /orders/42/secret @prod': 'deny',
      'POST /orders @prod': 'deny',
      'DELETE /admin/users/1 @prod': 'deny',
      'GET /admin/x @prod': 'deny',
    });
    // The same token asked about another route first gets the same policy (cacheable per token).
    const second = (await handler(
      tokenEvent(`Bearer ${reader}`, 'GET', '/orders/42/secret'),
    )) as PolicyAuthorizerResult;
    expect(second.policyDocument).toEqual(policyDocument);
  });

  it('HTTP API payload 2.0: simple responses, isAuthorized false for a wrong role or a bad token', async () => {
    const { handler, claims, reasons } = build();
    await handler.ready();
    const reader = `Bearer ${mintJwt(ec, claims({ roles: ['orders:read'] }))}`;
    const allowed = (await handler(
      httpApiEvent(reader, 'GET /orders/{id}', 'GET', '/orders/9'),
    )) as SimpleAuthorizerResult;
    expect(allowed.isAuthorized).toBe(true);
    expect(allowed.context).toMatchObject({ sub: 'user-123', roles: 'orders:read' });
    const denied = (await handler(
      httpApiEvent(reader, 'ANY /admin/{proxy+}', 'GET', '/admin/x'),
    )) as SimpleAuthorizerResult;
    expect(denied).toEqual({ isAuthorized: false, context: {} });
    const bad = (await handler(
      httpApiEvent('Bearer abc.def.ghi', 'GET /orders', 'GET', '/orders'),
    )) as SimpleAuthorizerResult;
    expect(bad).toEqual({ isAuthorized: false, context: {} });
    const missing = (await handler(
      httpApiEvent(undefined, 'GET /orders', 'GET', '/orders'),
    )) as SimpleAuthorizerResult;
    expect(missing.isAuthorized).toBe(false);
    expect(reasons()).toEqual(['ok', 'missing_role', 'malformed', 'missing_token']);
  });

  it.each([
    ['/orders/%65xport', 'an encoded letter'],
    ['/orders/9/%73ecret', 'an encoded letter in a later segment'],
    ['/orders//9', 'an empty segment'],
  ])(
    'HTTP API $default route: a non-canonical path (%s: %s) matches no rule → isAuthorized false',
    async (path) => {
      const { handler, claims, reasons } = build();
      await handler.ready();
      const reader = `Bearer ${mintJwt(ec, claims({ roles: ['orders:read'] }))}`;
      const canonical = (await handler(
        httpApiEvent(reader, '$default', 'GET', '/orders/9'),
      )) as SimpleAuthorizerResult;
      expect(canonical.isAuthorized).toBe(true);
      const other = (await handler(httpApiEvent(reader, '$default', 'GET', path))) as SimpleAuthorizerResult;
      expect(other).toEqual({ isAuthorized: false, context: {} });
      expect(reasons()).toEqual(['ok', 'no_matching_rule']);
    },
  );

  it('error flow: an event of an unknown shape fails closed (Unauthorized, outcome error)', async () => {
    const { handler, logger } = build();
    await handler.ready();
    await expect(handler({ hello: 'world' })).rejects.toThrow(/^Unauthorized$/);
    await expect(
      handler({ type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: 'not-an-arn' }),
    ).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.map((l) => [l.level, l.attributes.outcome, l.attributes.reason])).toEqual([
      ['error', 'error', 'internal_error'],
      ['error', 'error', 'internal_error'],
    ]);
  });
});

describe('an unexpected failure is logged with where it came from, never what it says', () => {
  it('error flow: a bug on the decision path → Unauthorized (fail closed), logged as error with its frames and without its message', async () => {
    const key = generateRsaKey();
    const issuer = 'https://idp.example.com';
    const logger = captureLogger();
    const clock = manualClock();
    // Stands in for a bug anywhere on the decision path: a plain TypeError from a dependency.
    const broken = {
      check: async function brokenCheck(): Promise<void> {
        await Promise.resolve();
        throw new TypeError('cannot read "eyJhbGciOi" of undefined');
      },
      keysOf: () => ['jti#x'],
    } as unknown as RevocationCheck;
    const authorizer = new Authorizer(
      testAuthorizerConfig([{ issuer, jwks: jwksOf(key) as never }], {
        revocation: { tableName: 'Revocations' },
      }),
      { clock: clock.now, logger, metrics: captureMetrics(), revocation: broken },
    );
    await authorizer.ready();
    const token = mintJwt(
      key,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['orders:read'] }),
    );
    await expect(
      authorizer.handle(
        { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: methodArnFor('GET', '/orders') },
        undefined,
      ),
    ).rejects.toThrow(/^Unauthorized$/);
    const line = logger.lines.at(-1)!;
    expect(line).toMatchObject({
      level: 'error',
      attributes: { outcome: 'error', reason: 'internal_error' },
    });
    expect(line.attributes.errorName).toBe('TypeError');
    const frames = line.attributes.errorFrames as string[];
    expect(frames[0]).toMatch(/^at (async )?(Object\.)?brokenCheck /);
    expect(JSON.stringify(line)).not.toContain('eyJhbGciOi');
  });
});

describe('fail closed when observability fails', () => {
  it('error flow: a logger that throws turns every answer into exactly Unauthorized, never an allow', async () => {
    const key = generateRsaKey();
    const issuer = 'https://idp.example.com';
    const throwing = {
      info: () => {
        throw new Error('disk full');
      },
      warn: () => undefined,
      error: () => {
        throw new Error('disk full');
      },
    };
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer, jwks: jwksOf(key) as never }]), {
      logger: throwing,
      metrics: captureMetrics(),
    });
    await handler.ready();
    const token = mintJwt(
      key,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(Date.now() / 1000), { roles: ['admin'] }),
    );
    await expect(handler(tokenEvent(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(tokenEvent('Bearer x.y.z'))).rejects.toThrow(/^Unauthorized$/);
  });
});
