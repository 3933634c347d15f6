import { ACCESS_LOG_FIELDS } from '../../lib/access-log-format';
import { renderAccessLog } from '../../local/gateway/access-log';
import { corsEnabled, preflightHeaders, preflightMethods } from '../../local/gateway/cors';
import {
  MalformedProxyResponseError,
  parseIntegrationResponse,
} from '../../local/gateway/integration-response';

const cors = {
  allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
  allowHeaders: ['Authorization', 'Content-Type'],
  exposeHeaders: ['WWW-Authenticate'],
  allowCredentials: false,
  maxAgeSeconds: 600,
  allowMethods: ['GET', 'POST'],
};

describe('CORS preflight', () => {
  it('happy flow: an allowed origin is echoed', () => {
    expect(preflightHeaders(cors, 'https://admin.example.com')).toMatchObject({
      'Access-Control-Allow-Origin': 'https://admin.example.com',
      'Access-Control-Allow-Headers': 'Authorization,Content-Type',
      'Access-Control-Allow-Methods': 'GET,POST',
      'Access-Control-Expose-Headers': 'WWW-Authenticate',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    });
  });

  it.each([['https://evil.example.com'], [undefined], ['https://app.example.com.evil.com']])(
    'error flow: origin %s is never echoed',
    (origin) => {
      expect(preflightHeaders(cors, origin)['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    },
  );

  it('with a single origin it is always that origin (a static header, as CDK writes it)', () => {
    const single = { ...cors, allowOrigins: ['https://app.example.com'] };
    expect(preflightHeaders(single, 'https://evil.example.com')['Access-Control-Allow-Origin']).toBe(
      'https://app.example.com',
    );
    expect(preflightHeaders(single, undefined).Vary).toBe('Origin');
  });

  it('allowed methods: the route methods; ANY means every method', () => {
    expect(preflightMethods(['GET', 'POST', 'GET'])).toEqual(['GET', 'POST']);
    expect(preflightMethods(['GET', 'ANY'])).toEqual([
      'GET',
      'OPTIONS',
      'PUT',
      'POST',
      'DELETE',
      'PATCH',
      'HEAD',
    ]);
  });

  it('credentials only when configured; no allowlist means no CORS', () => {
    expect(preflightHeaders(cors, undefined)['Access-Control-Allow-Credentials']).toBeUndefined();
    expect(
      preflightHeaders({ ...cors, allowCredentials: true }, undefined)['Access-Control-Allow-Credentials'],
    ).toBe('true');
    expect(corsEnabled({ ...cors, allowOrigins: [] })).toBe(false);
  });
});

describe('access log record', () => {
  it('has every field of the stack format, each a string, "-" when empty', () => {
    const record = renderAccessLog({
      '$context.requestId': 'r1',
      '$context.status': 200,
      '$context.authorizer.error': '',
    });
    expect(Object.keys(record).sort()).toEqual(Object.keys(ACCESS_LOG_FIELDS).sort());
    expect(record.requestId).toBe('r1');
    expect(record.status).toBe('200');
    expect(record.authorizerError).toBe('-');
    for (const value of Object.values(record)) expect(typeof value).toBe('string');
  });
});

describe('Lambda proxy integration response', () => {
  it('happy flow: headers and multi-value headers merge; base64 bodies decode', () => {
    const parsed = parseIntegrationResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'Content-Length': '999' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(parsed.statusCode).toBe(201);
    expect(parsed.headers).toEqual({ 'Set-Cookie': ['a=1', 'b=2'], 'Content-Type': 'application/json' });
    expect(parsed.body.toString()).toBe('hi');
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['no headers', { statusCode: 200, body: '{}' }, { 'Content-Type': 'application/json' }],
    [
      'other headers only',
      { statusCode: 204, headers: { 'X-A': '1' } },
      { 'X-A': '1', 'Content-Type': 'application/json' },
    ],
    [
      'its own Content-Type, any case',
      { statusCode: 200, headers: { 'content-type': 'text/plain' } },
      { 'content-type': 'text/plain' },
    ],
  ])(
    "Content-Type: API Gateway's default application/json when the Lambda set none (%s)",
    (_name, raw, headers) => {
      expect(parseIntegrationResponse(raw).headers).toEqual(headers);
    },
  );

  it.each([
    ['no status', { body: 'x' }],
    ['status as string', { statusCode: '200' }],
    ['object body', { statusCode: 200, body: { a: 1 } }],
    ['nested header', { statusCode: 200, headers: { a: { b: 1 } } }],
    ['undefined', undefined],
  ])('error flow: %s → malformed (502)', (_label, raw) => {
    expect(() => parseIntegrationResponse(raw)).toThrow(MalformedProxyResponseError);
  });
});
