import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import type { AccessLogRecord } from '../../lib/access-log-format';
import { BEARER_VALIDATION_REGEX } from '../../lib/identity-validation';

// eslint-disable-next-line security/detect-non-literal-regexp -- the stack's constant
const BEARER = new RegExp(BEARER_VALIDATION_REGEX);
import {
  createGateway,
  type GatewayDeps,
  type GatewayRequest,
  type RouteTarget,
  type TokenAuthorizerEvent,
} from '../../local/gateway/gateway';
import { LOCAL_API } from '../../local/gateway/method-arn';
import { evaluatePolicy } from '../../local/gateway/policy-evaluator';
import type { ApiMethod } from '../../local/gateway/route-table';
import { generateApiKey } from '../../local/gateway/usage-plans';
import { PolicyBuilder } from '../../lambdas/authorizer/policy';
import { compileRoutes } from '../../lambdas/authorizer/route-matcher';
import { allowedRoutes, allowedRoutesKey, entitlementsOf } from '../../lambdas/authorizer/rules';
import { routeRuleSchema } from '../../lambdas/shared/config/authorizer-config';

/**
 * The gateway's decision pipeline with an injected clock, a scripted authorizer (standing in for
 * the Lambda, which has its own suites) and the real IAM policy evaluator.
 */
const route = (
  httpMethod: string,
  resourcePath: string,
  target: Partial<RouteTarget> = {},
): ApiMethod<RouteTarget> => ({
  httpMethod,
  resourcePath,
  target: { authorized: true, apiKeyRequired: false, integration: 'backend:test', ...target },
});

const ROUTES = [
  route('GET', '/health', { authorized: false }),
  route('GET', '/orders'),
  route('GET', '/orders/{id}'),
  route('POST', '/orders'),
  route('GET', '/profile'),
];

const arn = (method: string, path: string): string =>
  `arn:aws:execute-api:local:000000000000:edgelocal1/*/${method}/${path}`;

/** What the scripted authorizer answers for a token (the part after "Bearer "). */
const ANSWERS: Record<string, unknown> = {
  reader: {
    principalId: 'alice',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'execute-api:Invoke',
          Resource: [arn('GET', 'orders'), arn('GET', 'orders/*'), arn('GET', 'profile')],
        },
      ],
    },
    context: { sub: 'alice', iss: 'https://idp', roles: 'orders:read', exp: 1_900_000_000, admin: false },
  },
  denyAll: {
    principalId: 'mallory',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*' }],
    },
  },
  objectContext: { ...answerBase(), context: { nested: { a: 1 } } },
  arrayContext: { ...answerBase(), context: { roles: ['a'] } },
  badPolicy: {
    principalId: 'p',
    policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe' }] },
  },
};
function answerBase(): Record<string, unknown> {
  return {
    principalId: 'p',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }],
    },
  };
}

interface Harness {
  readonly deps: GatewayDeps;
  readonly calls: TokenAuthorizerEvent[];
  readonly events: APIGatewayProxyEvent[];
  readonly logs: AccessLogRecord[];
  readonly clock: { now: number };
}

function harness(overrides: Partial<GatewayDeps> = {}): Harness {
  const calls: TokenAuthorizerEvent[] = [];
  const events: APIGatewayProxyEvent[] = [];
  const logs: AccessLogRecord[] = [];
  const clock = { now: Date.UTC(2026, 10, 23, 12) };
  let requestNo = 0;
  const deps: GatewayDeps = {
    api: LOCAL_API,
    routes: ROUTES,
    identitySource: { headerName: 'Authorization', validationRegex: BEARER },
    resultCacheTtlSeconds: 300,
    authorizerTimeoutMs: 1000,
    invokeAuthorizer: (event) => {
      calls.push(event);
      const script = event.authorizationToken.slice('Bearer '.length);
      if (script === 'boom') return Promise.reject(new Error('database down'));
      if (script === 'slow') return new Promise(() => undefined);
      const answer = Object.hasOwn(ANSWERS, script) ? ANSWERS[script] : undefined;
      return answer === undefined ? Promise.reject(new Error('Unauthorized')) : Promise.resolve(answer);
    },
    evaluatePolicy,
    invokeIntegration: (_integration, event) => {
      events.push(event);
      if (event.path === '/orders/malformed') return Promise.resolve({ body: 'no status' });
      if (event.path === '/orders/throws') return Promise.reject(new Error('backend crashed'));
      if (event.path === '/orders/hangs') return new Promise(() => undefined);
      return Promise.resolve({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ok: true }),
      });
    },
    integrationTimeout: { ms: 1000, status: 504 },
    apiKeySource: 'HEADER',
    usage: {
      plans: [],
      keys: [],
      stageThrottle: { rateLimit: 10_000, burstLimit: 5_000 },
      stageMethodThrottles: [],
    },
    cors: {
      allowOrigins: ['https://app.example.com'],
      allowHeaders: ['Authorization'],
      exposeHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 600,
      allowMethods: ['GET', 'POST'],
    },
    nowMs: () => clock.now,
    newRequestId: () => `req-${++requestNo}`,
    accessLog: (record) => logs.push(record),
    ...overrides,
  };
  return { deps, calls, events, logs, clock };
}

const req = (method: string, url: string, headers: string[] = [], body = ''): GatewayRequest => ({
  method,
  url,
  rawHeaders: headers,
  body: Buffer.from(body),
  sourceIp: '127.0.0.1',
  localPort: 3000,
});
const bearer = (token: string): string[] => ['Authorization', `Bearer ${token}`];
const json = (body: Buffer): Record<string, unknown> =>
  JSON.parse(body.toString()) as Record<string, unknown>;

describe('local gateway pipeline', () => {
  it('happy flow: allowed → backend gets the proxy event with the flattened context', async () => {
    const h = harness();
    const res = await createGateway(h.deps).handle(req('GET', '/orders/42?x=1', bearer('reader')));
    expect(res.statusCode).toBe(200);
    expect(h.calls).toEqual([
      {
        type: 'TOKEN',
        authorizationToken: 'Bearer reader',
        methodArn: 'arn:aws:execute-api:local:000000000000:edgelocal1/local/GET/orders/42',
      },
    ]);
    const [event] = h.events;
    expect(event?.resource).toBe('/orders/{id}');
    expect(event?.pathParameters).toEqual({ id: '42' });
    expect(event?.requestContext.authorizer).toMatchObject({
      principalId: 'alice',
      sub: 'alice',
      exp: '1900000000',
      admin: 'false',
    });
    expect(res.headers['x-amzn-RequestId']).toBe('req-1');
  });

  it('cache: one authorizer call per token within the TTL; the cached policy is evaluated per route', async () => {
    const h = harness();
    const gw = createGateway(h.deps);
    expect((await gw.handle(req('GET', '/orders', bearer('reader')))).statusCode).toBe(200);
    expect((await gw.handle(req('GET', '/profile', bearer('reader')))).statusCode).toBe(200);
    expect((await gw.handle(req('GET', '/orders/7', bearer('reader')))).statusCode).toBe(200);
    const denied = await gw.handle(req('POST', '/orders', bearer('reader')));
    expect(denied.statusCode).toBe(403);
    expect(h.calls).toHaveLength(1);
    h.clock.now += 299_000;
    expect((await gw.handle(req('GET', '/profile', bearer('reader')))).statusCode).toBe(200);
    expect(h.calls).toHaveLength(1);
    h.clock.now += 1_000;
    expect((await gw.handle(req('GET', '/profile', bearer('reader')))).statusCode).toBe(200);
    expect(h.calls).toHaveLength(2);
  });

  it('cache off (TTL 0): every request invokes the authorizer', async () => {
    const h = harness({ resultCacheTtlSeconds: 0 });
    const gw = createGateway(h.deps);
    await gw.handle(req('GET', '/orders', bearer('reader')));
    await gw.handle(req('GET', '/orders', bearer('reader')));
    expect(h.calls).toHaveLength(2);
  });

  it('error flow: Unauthorized → 401 with WWW-Authenticate; not cached', async () => {
    const h = harness();
    const gw = createGateway(h.deps);
    const res = await gw.handle(req('GET', '/orders', bearer('unknown')));
    expect(res.statusCode).toBe(401);
    expect(res.headers['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(json(res.body)).toMatchObject({ status: 401, requestId: 'req-1' });
    await gw.handle(req('GET', '/orders', bearer('unknown')));
    expect(h.calls).toHaveLength(2);
    expect(h.events).toHaveLength(0);
  });

  it.each([
    ['missing header', []],
    ['wrong scheme', ['Authorization', 'Basic abc']],
    ['two tokens', ['Authorization', 'Bearer a b']],
    ['duplicate headers', [...bearer('reader'), ...bearer('reader')]],
  ])('error flow: %s → 401 without invoking the authorizer', async (_label, headers) => {
    const h = harness();
    const res = await createGateway(h.deps).handle(req('GET', '/orders', headers));
    expect(res.statusCode).toBe(401);
    expect(h.calls).toHaveLength(0);
  });

  it('error flow: explicit deny → 403 and the backend is never called', async () => {
    const h = harness();
    const res = await createGateway(h.deps).handle(req('GET', '/orders', bearer('denyAll')));
    expect(res.statusCode).toBe(403);
    expect(h.events).toHaveLength(0);
  });

  it.each([
    ['an object in the context', 'objectContext', 'AUTHORIZER_CONFIGURATION_ERROR'],
    ['an array in the context', 'arrayContext', 'AUTHORIZER_CONFIGURATION_ERROR'],
    ['a policy API Gateway cannot read', 'badPolicy', 'AUTHORIZER_CONFIGURATION_ERROR'],
    ['an error other than Unauthorized', 'boom', 'AUTHORIZER_CONFIGURATION_ERROR'],
    ['no answer within the timeout', 'slow', 'AUTHORIZER_FAILURE'],
  ])('error flow: %s → 500 (%s), backend never called, nothing cached', async (_label, token, type) => {
    const h = harness({ authorizerTimeoutMs: 20 });
    const gw = createGateway(h.deps);
    const res = await gw.handle(req('GET', '/orders', bearer(token)));
    expect(res.statusCode).toBe(500);
    expect(h.logs[0]?.errorType).toBe(type);
    expect(h.events).toHaveLength(0);
    expect(gw.authorizerCache.size).toBe(0);
  });

  it('public routes skip the authorizer and carry no authorizer context', async () => {
    const h = harness();
    const res = await createGateway(h.deps).handle(req('GET', '/health', bearer('garbage')));
    expect(res.statusCode).toBe(200);
    expect(h.calls).toHaveLength(0);
    expect(h.events[0]?.requestContext.authorizer).toBeNull();
  });

  it.each([
    ['GET', '/nope'],
    ['DELETE', '/orders'],
    ['GET', '/orders/1/items'],
  ])(
    'unknown resource or method %s %s → MISSING_AUTHENTICATION_TOKEN, before any authorizer call',
    async (method, path) => {
      const h = harness();
      const res = await createGateway(h.deps).handle(req(method, path, bearer('reader')));
      expect(h.logs[0]?.errorType).toBe('MISSING_AUTHENTICATION_TOKEN');
      expect(res.headers['x-amzn-ErrorType']).toBe('MissingAuthenticationTokenException');
      expect(h.calls).toHaveLength(0);
    },
  );

  it('bad percent-encoding in the path → 400, not a crash', async () => {
    const h = harness();
    const res = await createGateway(h.deps).handle(req('GET', '/orders/%E0%A4%A', bearer('reader')));
    expect(res.statusCode).toBe(400);
  });

  it.each([
    ['a malformed proxy result', '/orders/malformed'],
    ['a backend that throws', '/orders/throws'],
  ])('%s → 502', async (_label, path) => {
    const h = harness();
    const res = await createGateway(h.deps).handle(req('GET', path, bearer('reader')));
    expect(res.statusCode).toBe(502);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
  });

  it('an integration that does not answer in time → the configured timeout status', async () => {
    const h = harness({ integrationTimeout: { ms: 20, status: 504 } });
    const res = await createGateway(h.deps).handle(req('GET', '/orders/hangs', bearer('reader')));
    expect(res.statusCode).toBe(504);
  });

  it('CORS preflight: answered by the mock integration, no authorizer', async () => {
    const h = harness();
    const res = await createGateway(h.deps).handle(
      req('OPTIONS', '/orders/3', ['Origin', 'https://app.example.com']),
    );
    expect(res.statusCode).toBe(204);
    expect(res.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect(h.calls).toHaveLength(0);
    expect(h.events).toHaveLength(0);
  });

  it('stage throttle → 429 THROTTLED before the authorizer runs', async () => {
    const h = harness({
      usage: {
        plans: [],
        keys: [],
        stageThrottle: { rateLimit: 1, burstLimit: 1 },
        stageMethodThrottles: [],
      },
    });
    const gw = createGateway(h.deps);
    expect((await gw.handle(req('GET', '/orders', bearer('reader')))).statusCode).toBe(200);
    const res = await gw.handle(req('GET', '/orders', bearer('reader')));
    expect(res.statusCode).toBe(429);
    expect(h.logs[1]?.errorType).toBe('THROTTLED');
    expect(h.calls).toHaveLength(1);
    h.clock.now += 1000;
    expect((await gw.handle(req('GET', '/orders', bearer('reader')))).statusCode).toBe(200);
  });

  it('access log: one line per request in the stack format, never the token', async () => {
    const h = harness();
    const gw = createGateway(h.deps);
    await gw.handle(req('GET', '/orders', bearer('reader')));
    await gw.handle(req('GET', '/orders', bearer('unknown')));
    expect(h.logs).toHaveLength(2);
    expect(h.logs[0]).toMatchObject({
      status: '200',
      principalId: 'alice',
      resourcePath: '/orders',
      authorizerStatus: '200',
      httpMethod: 'GET',
    });
    expect(h.logs[1]).toMatchObject({
      status: '401',
      authorizerError: 'Unauthorized',
      errorType: 'UNAUTHORIZED',
    });
    expect(JSON.stringify(h.logs)).not.toContain('Bearer');
  });

  it('property: any Authorization value → 401/403/500 or an allow only for a token the authorizer allowed; never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.constantFrom('Bearer reader', 'Bearer denyAll', 'Bearer objectContext', 'bearer reader'),
        ),
        async (value) => {
          const h = harness();
          const res = await createGateway(h.deps).handle(req('GET', '/orders', ['Authorization', value]));
          expect([200, 401, 403, 500]).toContain(res.statusCode);
          if (res.statusCode === 200) expect(value.slice(7)).toBe('reader');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('other spellings of a path cannot reach a route the token may not call', () => {
  // The real authorizer policy for a reader: /orders/{id} allowed, its literal siblings admin-only.
  const rules = [
    routeRuleSchema.parse({ method: 'GET', path: '/orders/{id}', anyRoles: ['reader'] }),
    routeRuleSchema.parse({ method: 'GET', path: '/orders/{id}/secret', anyRoles: ['admin'] }),
    routeRuleSchema.parse({ method: 'GET', path: '/orders/export', anyRoles: ['admin'] }),
  ];
  const compiled = compileRoutes(rules);
  const allowed = allowedRoutes(compiled, entitlementsOf({ roles: ['reader'], scopes: [] }));
  const policy = new PolicyBuilder(compiled).build(
    'arn:aws:execute-api:local:000000000000:edgelocal1/',
    allowed,
    allowedRoutesKey(allowed),
  );
  const routes = rules.map((r) => route(r.method, r.path));

  it.each<[string, number, string | undefined]>([
    ['/orders/1', 200, '/orders/{id}'],
    ['/orders/1/', 200, '/orders/{id}'],
    ['/orders/1/secret', 403, undefined],
    ['/orders/1/secret/', 403, undefined],
    ['/orders/export', 403, undefined],
    ['/orders/export/', 403, undefined],
    ['/orders/%65xport', 403, undefined],
    ['/orders/1/%73ecret', 403, undefined],
    ['/orders//export', 403, undefined],
    ['/orders/a%20b', 200, '/orders/{id}'],
  ])('reader: GET %s → %i', async (path, status, resource) => {
    const h = harness({
      routes,
      invokeAuthorizer: () => Promise.resolve({ principalId: 'reader', policyDocument: policy, context: {} }),
    });
    const res = await createGateway(h.deps).handle(req('GET', path, bearer('reader')));
    expect(res.statusCode).toBe(status);
    expect(h.events.map((e) => e.resource)).toEqual(resource === undefined ? [] : [resource]);
  });

  it('a percent-encoded unreserved character or an empty segment is refused like the WAF rule does (403, WAF_FILTERED), before the authorizer', async () => {
    const h = harness({ routes });
    const res = await createGateway(h.deps).handle(req('GET', '/orders/%65xport', bearer('reader')));
    expect(res.statusCode).toBe(403);
    expect(res.headers['x-amzn-ErrorType']).toBe('ForbiddenException');
    expect(h.calls).toEqual([]);
    expect(h.logs.at(-1)).toMatchObject({ status: '403', wafStatus: '403' });
  });
});

describe('throttling per method, as API Gateway applies stage and usage-plan limits', () => {
  const stage = (
    stageThrottle: { rateLimit: number; burstLimit: number },
    stageMethodThrottles: GatewayDeps['usage']['stageMethodThrottles'] = [],
  ): Partial<GatewayDeps> => ({
    usage: { plans: [], keys: [], stageThrottle, stageMethodThrottles },
  });
  const statuses = async (
    gw: ReturnType<typeof createGateway>,
    requests: readonly GatewayRequest[],
  ): Promise<number[]> => {
    const out: number[] = [];
    for (const request of requests) out.push((await gw.handle(request)).statusCode);
    return out;
  };

  it('the stage default is one bucket per method: a busy GET /orders does not throttle GET /profile', async () => {
    const h = harness(stage({ rateLimit: 1, burstLimit: 2 }));
    const gw = createGateway(h.deps);
    expect(
      await statuses(gw, [
        req('GET', '/orders', bearer('reader')),
        req('GET', '/orders', bearer('reader')),
        req('GET', '/profile', bearer('reader')),
        req('GET', '/orders', bearer('reader')),
      ]),
    ).toEqual([200, 200, 200, 429]);
  });

  it('the bucket is the declared method: GET /orders/1 and GET /orders/2 share GET /orders/{id}', async () => {
    const h = harness(stage({ rateLimit: 1, burstLimit: 1 }));
    const gw = createGateway(h.deps);
    expect(
      await statuses(gw, [
        req('GET', '/orders/1', bearer('reader')),
        req('GET', '/orders/2', bearer('reader')),
      ]),
    ).toEqual([200, 429]);
  });

  it('a stage method throttle on an ANY route applies to every verb it serves (one bucket)', async () => {
    const h = harness({
      routes: [...ROUTES, route('ANY', '/things', { authorized: false })],
      ...stage({ rateLimit: 1000, burstLimit: 1000 }, [
        { method: 'ANY', path: '/things', rateLimit: 1, burstLimit: 1 },
      ]),
    });
    const gw = createGateway(h.deps);
    expect(await statuses(gw, [req('GET', '/things'), req('GET', '/things'), req('GET', '/things')])).toEqual(
      [200, 429, 429],
    );
    h.clock.now += 1000;
    expect(await statuses(gw, [req('POST', '/things'), req('DELETE', '/things')])).toEqual([200, 429]);
    expect(h.logs.filter((l) => l.status === '429').map((l) => l.errorType)).toEqual([
      'THROTTLED',
      'THROTTLED',
      'THROTTLED',
    ]);
  });

  it("a usage plan's method throttle on an ANY route applies to every verb it serves", async () => {
    const key = generateApiKey('tiny', 'tiny-1');
    const h = harness({
      routes: [...ROUTES, route('ANY', '/things', { authorized: false, apiKeyRequired: true })],
      usage: {
        plans: [
          {
            name: 'tiny',
            throttle: { rateLimit: 1000, burstLimit: 1000 },
            methodThrottles: [{ method: 'ANY', path: '/things', rateLimit: 1, burstLimit: 1 }],
          },
        ],
        keys: [key],
        stageThrottle: { rateLimit: 1000, burstLimit: 1000 },
        stageMethodThrottles: [],
      },
    });
    const gw = createGateway(h.deps);
    const withKey = (method: string): GatewayRequest => req(method, '/things', ['x-api-key', key.value]);
    expect(await statuses(gw, [withKey('GET'), withKey('GET'), withKey('POST')])).toEqual([200, 429, 429]);
    expect(h.events).toHaveLength(1);
  });

  it('CORS preflight: the OPTIONS mock method is throttled by the stage limit, in its own bucket', async () => {
    const h = harness(stage({ rateLimit: 1, burstLimit: 1 }));
    const gw = createGateway(h.deps);
    const preflight = (path: string): GatewayRequest =>
      req('OPTIONS', path, ['Origin', 'https://app.example.com']);
    expect(
      await statuses(gw, [
        preflight('/orders'),
        preflight('/orders'),
        req('GET', '/orders', bearer('reader')),
        preflight('/profile'),
      ]),
    ).toEqual([204, 429, 200, 204]);
    expect(h.logs[1]).toMatchObject({ status: '429', errorType: 'THROTTLED', resourcePath: '/orders' });
    expect(h.calls).toHaveLength(1);
  });
});

describe('Lambda invocations are JSON: the event and the result cross a serialization boundary', () => {
  const allowAll = (context: Record<string, unknown>): Record<string, unknown> => ({
    ...answerBase(),
    context,
  });

  it('an authorizer context member that is undefined disappears (AWS: 200), it is not a malformed context', async () => {
    const h = harness({
      invokeAuthorizer: () => Promise.resolve(allowAll({ a: 'x', b: undefined })),
    });
    const res = await createGateway(h.deps).handle(req('GET', '/orders', bearer('any')));
    expect(res.statusCode).toBe(200);
    expect(h.events[0]?.requestContext.authorizer).toEqual({
      a: 'x',
      principalId: 'p',
      integrationLatency: 0,
    });
  });

  it('a backend header that is undefined disappears (AWS: 200), it is not a malformed proxy result', async () => {
    const h = harness({
      invokeIntegration: () =>
        Promise.resolve({ statusCode: 201, headers: { 'x-a': undefined, 'x-b': 'b' }, body: 'ok' }),
    });
    const res = await createGateway(h.deps).handle(req('GET', '/orders', bearer('reader')));
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-b']).toBe('b');
    expect(Object.keys(res.headers)).not.toContain('x-a');
  });

  it('a result is a copy: an authorizer that changes its returned policy later does not change the cached decision', async () => {
    const shared = {
      principalId: 'p',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [arn('GET', 'orders')] }],
      },
    };
    const h = harness({ invokeAuthorizer: () => Promise.resolve(shared) });
    const gw = createGateway(h.deps);
    expect((await gw.handle(req('GET', '/orders', bearer('t')))).statusCode).toBe(200);
    shared.policyDocument.Statement[0]!.Resource = ['*'];
    expect((await gw.handle(req('GET', '/profile', bearer('t')))).statusCode).toBe(403);
  });

  it('an event is a copy: the authorizer and the integration each get a plain JSON document of their own', async () => {
    const seen: unknown[] = [];
    const h = harness({
      invokeAuthorizer: (event) => {
        seen.push(event);
        return Promise.resolve(answerBase());
      },
      invokeIntegration: (_name, event) => {
        seen.push(event);
        return Promise.resolve({ statusCode: 200, body: '' });
      },
    });
    const gw = createGateway(h.deps);
    await gw.handle(req('GET', '/orders?a=1', bearer('t')));
    await gw.handle(req('GET', '/orders?a=1', bearer('u')));
    expect(seen).toHaveLength(4);
    for (const event of seen) expect(event).toStrictEqual(JSON.parse(JSON.stringify(event)));
    expect(new Set(seen).size).toBe(4);
    expect(h.logs.map((l) => l.status)).toEqual(['200', '200']);
  });

  const cyclic = (): Record<string, unknown> => {
    const value: Record<string, unknown> = { statusCode: 200, body: 'ok' };
    value.self = value;
    return value;
  };

  it.each<[string, () => unknown]>([
    ['a BigInt', () => ({ ...answerBase(), context: { n: 1n } })],
    ['a cycle', () => ({ ...answerBase(), extra: cyclic() })],
  ])(
    'error flow: an authorizer result that cannot be serialized (%s) is a function error → 500, nothing cached',
    async (_label, result) => {
      const h = harness({ invokeAuthorizer: () => Promise.resolve(result()) });
      const gw = createGateway(h.deps);
      const res = await gw.handle(req('GET', '/orders', bearer('t')));
      expect(res.statusCode).toBe(500);
      expect(h.logs[0]?.errorType).toBe('AUTHORIZER_CONFIGURATION_ERROR');
      expect(h.events).toHaveLength(0);
      expect(gw.authorizerCache.size).toBe(0);
    },
  );

  it.each<[string, () => unknown]>([
    ['a BigInt', () => ({ statusCode: 200, body: 'ok', size: 1n })],
    ['a cycle', cyclic],
  ])(
    'error flow: an integration result that cannot be serialized (%s) is a function error → 502',
    async (_label, result) => {
      const h = harness({ invokeIntegration: () => Promise.resolve(result()) });
      const res = await createGateway(h.deps).handle(req('GET', '/orders', bearer('reader')));
      expect(res.statusCode).toBe(502);
      expect(res.headers['Content-Type']).toBe('application/problem+json');
    },
  );

  it('error flow: an integration that returns nothing → the runtime sends null → 502', async () => {
    const h = harness({ invokeIntegration: () => Promise.resolve(undefined) });
    const res = await createGateway(h.deps).handle(req('GET', '/orders', bearer('reader')));
    expect(res.statusCode).toBe(502);
  });
});
