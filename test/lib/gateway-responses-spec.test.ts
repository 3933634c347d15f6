import fc from 'fast-check';
import {
  accessLogFormatString,
  ACCESS_LOG_FIELDS,
  ALLOWED_IDENTITY_VARIABLES,
} from '../../lib/access-log-format';
import {
  GATEWAY_RESPONSE_TYPES,
  GATEWAY_RESPONSES,
  gatewayCorsHeaders,
  gatewayProblemTemplate,
  PROBLEM_CONTENT_TYPE,
  renderGatewayResponse,
} from '../../lib/gateway-responses-spec';

const oneOrigin = {
  allowOrigins: ['https://app.example.com'],
  exposeHeaders: ['WWW-Authenticate'],
  allowCredentials: false,
};

describe('gateway responses spec (shared with the local gateway)', () => {
  it.each(GATEWAY_RESPONSE_TYPES)('%s renders a problem+json body with the request id', (type) => {
    const rendered = renderGatewayResponse(type, { requestId: 'req-1', cors: oneOrigin });
    expect(rendered.headers['Content-Type']).toBe(PROBLEM_CONTENT_TYPE);
    expect(rendered.headers['Cache-Control']).toBe('no-store');
    const body = JSON.parse(rendered.body) as Record<string, unknown>;
    for (const member of ['type', 'title', 'detail']) expect(typeof body[member]).toBe('string');
    expect(body.requestId).toBe('req-1');
    if (body.status !== undefined) expect(body.status).toBe(rendered.statusCode);
  });

  it.each([
    ['UNAUTHORIZED', 401, 'Bearer error="invalid_token"'],
    ['ACCESS_DENIED', 403, 'Bearer error="insufficient_scope"'],
  ] as const)('%s → %d with WWW-Authenticate %s', (type, status, header) => {
    const rendered = renderGatewayResponse(type, { requestId: 'r', cors: oneOrigin });
    expect(rendered.statusCode).toBe(status);
    expect(rendered.headers['WWW-Authenticate']).toBe(header);
  });

  it.each([
    ['THROTTLED', 429],
    ['QUOTA_EXCEEDED', 429],
    ['AUTHORIZER_FAILURE', 500],
    ['AUTHORIZER_CONFIGURATION_ERROR', 500],
  ] as const)('%s → %d', (type, status) => {
    expect(renderGatewayResponse(type, { requestId: 'r', cors: oneOrigin }).statusCode).toBe(status);
  });

  it('the defaults keep the status of the error they replace', () => {
    expect(
      renderGatewayResponse('DEFAULT_4XX', { requestId: 'r', cors: oneOrigin, fallbackStatus: 413 })
        .statusCode,
    ).toBe(413);
    expect(
      renderGatewayResponse('DEFAULT_5XX', { requestId: 'r', cors: oneOrigin, fallbackStatus: 504 })
        .statusCode,
    ).toBe(504);
  });

  it('CORS: one origin is sent as is; several are never reflected; none sends nothing', () => {
    expect(gatewayCorsHeaders(oneOrigin)).toEqual({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Expose-Headers': 'WWW-Authenticate',
    });
    expect(
      gatewayCorsHeaders({ ...oneOrigin, allowOrigins: ['https://a.example.com', 'https://b.example.com'] }),
    ).toEqual({
      Vary: 'Origin',
    });
    expect(gatewayCorsHeaders({ ...oneOrigin, allowOrigins: [] })).toEqual({});
  });

  it('property: the API Gateway template becomes the rendered body for any request id', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GATEWAY_RESPONSE_TYPES),
        fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/),
        (type, requestId) => {
          const fromTemplate = gatewayProblemTemplate(GATEWAY_RESPONSES[type]).replace(
            '$context.requestId',
            requestId,
          );
          expect(JSON.parse(fromTemplate)).toEqual(
            JSON.parse(renderGatewayResponse(type, { requestId, cors: oneOrigin }).body),
          );
        },
      ),
    );
  });

  it('no text contains characters the template engine would interpret', () => {
    for (const spec of Object.values(GATEWAY_RESPONSES)) {
      const text = JSON.stringify({ ...spec.problem, headers: spec.headers });
      expect(text).not.toMatch(/[$#']/);
    }
  });
});

describe('access log format (shared with the local gateway)', () => {
  it('is one JSON object whose every value is a $context variable', () => {
    const parsed = JSON.parse(accessLogFormatString()) as Record<string, string>;
    expect(parsed).toEqual(ACCESS_LOG_FIELDS);
    for (const v of Object.values(parsed)) expect(v).toMatch(/^\$context\.[A-Za-z.]+$/);
  });

  it('uses only the allowed $context.identity variables and nothing that can carry a token or key', () => {
    for (const v of Object.values(ACCESS_LOG_FIELDS)) {
      if (v.startsWith('$context.identity.')) expect(ALLOWED_IDENTITY_VARIABLES).toContain(v);
    }
    expect(accessLogFormatString()).not.toMatch(
      /apiKey"|\$input|\$method|header|authorization|cognito|caller|user/i,
    );
  });
});
