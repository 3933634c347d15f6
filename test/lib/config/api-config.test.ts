import {
  apiConfigSchema,
  checkApiAgainstAuth,
  cidrSchema,
  isPublicMethod,
  originSchema,
  type ApiConfigInput,
} from '../../../lib/config/api-config';
import { parseEdgeConfig } from '../../../lib/config/edge-config';
import { ConfigError } from '../../../lambdas/shared/config/config-error';
import { apiOf, exampleConfigRaw } from '../edge-config-fixture';

const minimal: ApiConfigInput = { routes: [{ method: 'GET', path: '/orders', backend: 'orders' }] };

function issuesOf(input: unknown): string[] {
  const result = apiConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('api config: secure defaults', () => {
  const api = apiConfigSchema.parse(minimal);

  it('happy flow: a minimal section gets WAF, throttling, logging, tables and TLS defaults', () => {
    expect(api.stageName).toBe('prod');
    expect(api.waf.rateLimitPerIp).toEqual({ limit: 1000, windowSeconds: 300 });
    expect(api.waf.maxBodyBytes).toBe(16_384);
    expect(api.waf.anonymousIpList).toBe(false);
    expect(api.throttle).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(api.logging.retentionDays).toBe(365);
    expect(api.tables).toEqual({ deletionProtection: true, retainOnStackDelete: true });
    expect(api.cors.allowOrigins).toEqual([]);
    expect(api.apiKeys).toEqual({ source: 'HEADER', required: false });
    expect(api.customDomain).toBeUndefined();
  });

  it('happy flow: a custom domain defaults to TLS 1.2 with the execute-api endpoint off', () => {
    const withDomain = apiConfigSchema.parse({
      ...minimal,
      customDomain: {
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
      },
    });
    expect(withDomain.customDomain).toMatchObject({
      securityPolicy: 'TLS_1_2',
      keepExecuteApiEndpoint: false,
    });
  });

  it('happy flow: the committed example config validates', () => {
    expect(() => parseEdgeConfig(exampleConfigRaw())).not.toThrow();
  });
});

describe('api config: rejections name the field', () => {
  it.each([
    [
      'TLS 1.0 policy',
      {
        customDomain: {
          domainName: 'api.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x',
          securityPolicy: 'TLS_1_0',
        },
      },
      'customDomain.securityPolicy',
    ],
    ['wildcard origin', { cors: { allowOrigins: ['*'] } }, 'cors.allowOrigins.0'],
    ['plain http origin', { cors: { allowOrigins: ['http://app.example.com'] } }, 'cors.allowOrigins.0'],
    ['origin with a path', { cors: { allowOrigins: ['https://app.example.com/x'] } }, 'cors.allowOrigins.0'],
    ['bad CIDR', { waf: { ipDenyList: ['10.0.0.1'] } }, 'waf.ipDenyList.0'],
    ['both geo lists', { waf: { geo: { allowCountries: ['DE'], blockCountries: ['FR'] } } }, 'waf.geo'],
    [
      'rate window',
      { waf: { rateLimitPerIp: { limit: 100, windowSeconds: 30 } } },
      'waf.rateLimitPerIp.windowSeconds',
    ],
    ['retention', { logging: { retentionDays: 2 } }, 'logging.retentionDays'],
    ['keys required without a plan', { apiKeys: { required: true } }, 'apiKeys.required'],
    [
      'throttle of an unknown route',
      { methodThrottles: [{ method: 'GET', path: '/nope', rateLimit: 1, burstLimit: 1 }] },
      'methodThrottles.0',
    ],
    [
      'OPTIONS route',
      { routes: [{ method: 'OPTIONS', path: '/orders', backend: 'orders' }] },
      'routes.0.method',
    ],
    ['duplicate route', { routes: [minimal.routes[0], minimal.routes[0]] }, 'routes.1'],
    ['unknown field', { wafEnabled: false }, ''],
  ])('error flow: %s', (_name, change, path) => {
    expect(issuesOf({ ...minimal, ...change })).toContain(path);
  });

  it.each([
    'https://app.example.com',
    'https://app.example.com:8443',
    'http://127.0.0.1:3000',
    'http://localhost:5173',
  ])('happy flow: origin %s is accepted', (origin) => {
    expect(originSchema.safeParse(origin).success).toBe(true);
  });

  it.each(['203.0.113.0/24', '2001:db8::/32', '10.0.0.1/32'])('happy flow: CIDR %s', (cidr) => {
    expect(cidrSchema.safeParse(cidr).success).toBe(true);
  });

  it.each(['203.0.113.0', '203.0.113.0/33', '0.0.0.0/0', 'fe80::/129', 'abc/8'])(
    'error flow: CIDR %s',
    (cidr) => {
      expect(cidrSchema.safeParse(cidr).success).toBe(false);
    },
  );

  it('error flow: a bad api section fails the whole document with a ConfigError naming api.*', () => {
    const raw = exampleConfigRaw();
    apiOf(raw).stageName = 'bad stage!';
    expect(() => parseEdgeConfig(raw)).toThrow(ConfigError);
    try {
      parseEdgeConfig(raw);
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.path)).toContain('api.stageName');
    }
  });
});

describe('public methods come from auth.routes', () => {
  const rules = [
    { method: 'GET', path: '/health', public: true },
    { method: 'GET', path: '/orders', public: false },
    { method: 'ANY', path: '/open/{proxy+}', public: true },
    { method: 'ANY', path: '/admin/{proxy+}', public: false },
  ];
  it.each([
    ['OPTIONS', '/orders', true],
    ['OPTIONS', '/anything', true],
    ['GET', '/health', true],
    ['POST', '/health', false],
    ['GET', '/orders', false],
    ['GET', '/unknown', false],
    ['GET', '/open/{proxy+}', true],
    ['ANY', '/open/{proxy+}', true],
    ['ANY', '/admin/{proxy+}', false],
    ['ANY', '/health', false],
  ])('%s %s → public %s', (method, path, expected) => {
    expect(isPublicMethod(rules, method, path)).toBe(expected);
  });

  it('error flow: an API route without an auth rule is reported by index', () => {
    const api = apiConfigSchema.parse({
      routes: [
        { method: 'GET', path: '/orders', backend: 'orders' },
        { method: 'DELETE', path: '/orders', backend: 'orders' },
      ],
    });
    expect(checkApiAgainstAuth(api, rules).map((i) => i.path)).toEqual(['api.routes[1]']);
  });

  it('error flow: an ANY route over mixed public and protected rules is reported', () => {
    const api = apiConfigSchema.parse({ routes: [{ method: 'ANY', path: '/mixed', backend: 'orders' }] });
    const mixed = [
      { method: 'ANY', path: '/mixed', public: false },
      { method: 'GET', path: '/mixed', public: true },
    ];
    expect(checkApiAgainstAuth(api, mixed).map((i) => i.path)).toEqual(['api.routes[0]']);
  });
});
