import {
  backendAuthorizerContextSchema,
  readCaller,
} from '../../lambdas/shared/contracts/authorizer-context';
import { canonicalUrl } from '../../client/sign-request';
import { requestPartsFromEvent } from '../../lambdas/guard/proxy-request';
import { LOCAL_API } from '../../local/gateway/method-arn';
import {
  buildProxyEvent,
  formatRequestTime,
  parseQuery,
  type ProxyEventInput,
} from '../../local/gateway/proxy-event';

const base: ProxyEventInput = {
  api: LOCAL_API,
  requestId: 'req-1',
  httpMethod: 'GET',
  path: '/orders/42',
  rawQuery: 'a=1&b=x%20y&a=2&flag',
  resourcePath: '/orders/{id}',
  pathParameters: { id: '42' },
  rawHeaders: ['Host', '127.0.0.1:3000', 'X-Trace', 'one', 'x-trace', 'two', 'User-Agent', 'curl/8'],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  requestTimeEpochMs: Date.UTC(2026, 10, 23, 10, 42, 5),
  authorizer: {
    principalId: 'alice',
    context: {
      sub: 'alice',
      iss: 'http://127.0.0.1:9400',
      roles: 'orders:read',
      scopes: '',
      clientId: 'c',
      jti: 'j',
      tenant: '',
      exp: '1700000000',
    },
    integrationLatencyMs: 12,
  },
  apiKey: undefined,
  forwarded: { proto: 'http', port: 3000 },
};

describe('REST proxy event (payload 1.0)', () => {
  it('happy flow: has every field API Gateway sends', () => {
    const event = buildProxyEvent(base);
    expect(event).toMatchObject({
      resource: '/orders/{id}',
      path: '/orders/42',
      httpMethod: 'GET',
      pathParameters: { id: '42' },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'edgelocal1',
        stage: 'local',
        requestId: 'req-1',
        resourcePath: '/orders/{id}',
        httpMethod: 'GET',
        path: '/orders/42',
        requestTimeEpoch: base.requestTimeEpochMs,
        requestTime: '23/Nov/2026:10:42:05 +0000',
        identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8', apiKey: null, apiKeyId: null },
      },
    });
  });

  it('headers: single map holds the last value, multi map all; names keep their spelling', () => {
    const event = buildProxyEvent(base);
    expect(event.headers['X-Trace']).toBe('one');
    expect(event.headers['x-trace']).toBe('two');
    expect(event.multiValueHeaders['X-Trace']).toEqual(['one']);
    expect(event.headers.Host).toBe('127.0.0.1:3000');
  });

  it('API Gateway sets X-Forwarded-Proto/Port and appends the caller to X-Forwarded-For', () => {
    const event = buildProxyEvent({
      ...base,
      rawHeaders: ['X-Forwarded-Proto', 'https', 'X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Port', '1'],
    });
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe('3000');
    expect(event.headers['X-Forwarded-For']).toBe('203.0.113.9, 127.0.0.1');
    expect(Object.keys(event.headers).filter((h) => h.toLowerCase() === 'x-forwarded-proto')).toHaveLength(1);
  });

  it('hostile header and query names never reach a prototype', () => {
    const event = buildProxyEvent({
      ...base,
      rawHeaders: ['__proto__', 'x', 'constructor', 'y'],
      rawQuery: '__proto__=1&constructor=2',
    });
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('x');
    expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, '__proto__')?.value).toBe('1');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(JSON.parse(JSON.stringify(event.multiValueHeaders)) as unknown).toMatchObject({
      constructor: ['y'],
    });
  });

  it('query: single map holds the last value, multi map all, values decoded', () => {
    const event = buildProxyEvent(base);
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x y', flag: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x y'], flag: [''] });
  });

  it('no query and no path parameters are null, as in API Gateway', () => {
    const event = buildProxyEvent({ ...base, rawQuery: '', pathParameters: null });
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
  });

  it('authorizer: context strings plus principalId, readable by the shared contract', () => {
    const event = buildProxyEvent(base);
    const authorizer: unknown = event.requestContext.authorizer;
    expect(authorizer).toMatchObject({
      ...base.authorizer?.context,
      principalId: 'alice',
      integrationLatency: 12,
    });
    expect(backendAuthorizerContextSchema.safeParse(authorizer).success).toBe(true);
    expect(readCaller(authorizer)).toMatchObject({ sub: 'alice', roles: ['orders:read'] });
  });

  it('public routes carry no authorizer context', () => {
    expect(buildProxyEvent({ ...base, authorizer: undefined }).requestContext.authorizer).toBeNull();
  });

  it('body is a UTF-8 string; API key value and id are in identity', () => {
    const event = buildProxyEvent({
      ...base,
      body: Buffer.from('{"a":"ü"}'),
      apiKey: { value: 'v', id: 'i' },
    });
    expect(event.body).toBe('{"a":"ü"}');
    expect(event.requestContext.identity.apiKey).toBe('v');
    expect(event.requestContext.identity.apiKeyId).toBe('i');
  });

  it('parseQuery keeps malformed escapes instead of throwing', () => {
    expect(parseQuery('a=%E0%A4%A&b+c=d+e')).toEqual([
      ['a', '%E0%A4%A'],
      ['b c', 'd e'],
    ]);
  });

  it.each<[string, [string, string][]]>([
    [
      'a=1;b=2',
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    [
      'a=1;b=2&c=3;;d',
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
        ['d', ''],
      ],
    ],
    ['a=x%3By', [['a', 'x;y']]],
  ])('query %j: a semicolon separates parameters like "&", as API Gateway splits it', (raw, pairs) => {
    expect(parseQuery(raw)).toEqual(pairs);
  });

  it('a semicolon in the query reaches the backend as separate parameters', () => {
    const event = buildProxyEvent({ ...base, rawQuery: 'limit=5;cursor=abc' });
    expect(event.queryStringParameters).toEqual({ limit: '5', cursor: 'abc' });
    expect(event.multiValueQueryStringParameters).toEqual({ limit: ['5'], cursor: ['abc'] });
  });

  it.each([
    ['a semicolon', 'https://api.example.com/orders?limit=5;cursor=abc'],
    ['a semicolon and an ampersand', 'https://api.example.com/orders?a=1;b=2&a=3'],
  ])(
    'signing: with %s in the URL, the guard rebuilds exactly the query the client library signed and sends',
    (_label, url) => {
      // The client signs and sends the canonical form, in which a semicolon is data (%3B).
      const sent = canonicalUrl(url);
      const event = buildProxyEvent({ ...base, rawQuery: sent.search.replace(/^\?/, '') });
      expect(requestPartsFromEvent(event).query).toBe(sent.search.replace(/^\?/, ''));
    },
  );

  it('signing: a literal semicolon as sent is not what the guard rebuilds (such a signature fails, as in AWS)', () => {
    const event = buildProxyEvent({ ...base, rawQuery: 'limit=5;cursor=abc' });
    expect(requestPartsFromEvent(event).query).toBe('limit=5&cursor=abc');
  });

  it('formats requestTime like API Gateway', () => {
    expect(formatRequestTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('02/Jan/2026:03:04:05 +0000');
  });
});
