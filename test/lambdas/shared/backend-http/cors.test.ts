import fc from 'fast-check';
import { ConfigError } from '../../../../lambdas/shared/config/config-error';
import { corsHeaders, loadBackendCors, requestOrigin } from '../../../../lambdas/shared/backend-http/cors';
import { parseJsonBody, UnsafeJsonError } from '../../../../lambdas/shared/backend-http/json-body';

const cors = {
  allowOrigins: ['https://app.example.com'],
  exposeHeaders: ['WWW-Authenticate'],
  allowCredentials: true,
};

describe('backend CORS', () => {
  it('happy flow: an allowed origin is echoed with credentials and exposed headers', () => {
    expect(corsHeaders('https://app.example.com', cors)).toEqual({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'WWW-Authenticate',
    });
  });

  it.each([
    'https://APP.example.com',
    'https://app.example.com.evil',
    'null',
    'https://app.example.com/',
    undefined,
  ])('error flow: origin %s is not echoed', (origin) => {
    expect(corsHeaders(origin, cors)['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('property: only allowlisted origins are ever echoed', () => {
    fc.assert(
      fc.property(fc.string(), (origin) => {
        const echoed = corsHeaders(origin, cors)['Access-Control-Allow-Origin'];
        expect(echoed === undefined || cors.allowOrigins.includes(echoed)).toBe(true);
      }),
    );
  });

  it('reads the Origin header case-insensitively and CORS_CONFIG from the environment', () => {
    expect(requestOrigin({ ORIGIN: 'x' })).toBe('x');
    expect(requestOrigin(null)).toBeUndefined();
    expect(
      loadBackendCors({ CORS_CONFIG: JSON.stringify({ allowOrigins: ['https://a.example'] }) }).allowOrigins,
    ).toEqual(['https://a.example']);
    expect(loadBackendCors({}).allowOrigins).toEqual([]);
    expect(() => loadBackendCors({ CORS_CONFIG: '{"allowOrigins":"*"}' })).toThrow(ConfigError);
  });
});

describe('safe JSON bodies', () => {
  it.each(['{"__proto__":{}}', '{"a":{"constructor":{}}}', '{"prototype":1}', 'nope', ''])(
    'error flow: %s',
    (text) => {
      expect(() => parseJsonBody(text, false)).toThrow(UnsafeJsonError);
    },
  );

  it('happy flow: plain JSON and base64 JSON', () => {
    expect(parseJsonBody('{"a":1}', false)).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('[1]').toString('base64'), true)).toEqual([1]);
  });
});
