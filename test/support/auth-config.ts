import { parseAuthorizerConfig } from '../../lambdas/shared/config/parse-authorizer-config';
import type { AuthorizerConfig, AuthorizerConfigInput } from '../../lambdas/shared/config/authorizer-config';

/** An issuer URL served by a test server (http on loopback is accepted by the schema). */
export const TEST_AUDIENCE = 'orders-api';

/** Route rules used across the authorizer tests (the README example plus a few overlaps). */
export const TEST_ROUTES: AuthorizerConfigInput['routes'] = [
  { method: 'GET', path: '/health', public: true },
  { method: 'GET', path: '/orders', anyRoles: ['orders:read', 'admin'] },
  { method: 'GET', path: '/orders/{id}', anyRoles: ['orders:read', 'admin'] },
  { method: 'GET', path: '/orders/{id}/secret', allRoles: ['admin'] },
  { method: 'POST', path: '/orders', anyRoles: ['orders:write'], anyScopes: ['orders'] },
  { method: 'GET', path: '/profile', authenticatedOnly: true },
  { method: 'ANY', path: '/admin/{proxy+}', allRoles: ['admin'] },
];

/**
 * Builds a validated authorizer config through the real schema. `issuers` entries need at least
 * `issuer` and a key source; audience and algorithms default to the test values.
 */
export function testAuthorizerConfig(
  issuers: (Partial<AuthorizerConfigInput['issuers'][number]> & { issuer: string })[],
  overrides: Partial<Omit<AuthorizerConfigInput, 'issuers'>> = {},
): AuthorizerConfig {
  return parseAuthorizerConfig(
    {
      issuers: issuers.map((i) => ({
        audience: [TEST_AUDIENCE],
        algorithms: ['RS256', 'ES256'],
        ...i,
      })),
      routes: TEST_ROUTES,
      ...overrides,
    },
    'test config',
  );
}

/** A REST TOKEN authorizer event for a method and path on a fixed API. */
export function tokenEvent(
  authorizationToken: string | undefined,
  method = 'GET',
  path = '/orders',
  stage = 'prod',
): { type: 'TOKEN'; authorizationToken: string | undefined; methodArn: string } {
  return {
    type: 'TOKEN',
    authorizationToken,
    methodArn: methodArnFor(method, path, stage),
  };
}

export const TEST_ARN_PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/';

export function methodArnFor(method: string, path: string, stage = 'prod'): string {
  return `${TEST_ARN_PREFIX}${stage}/${method}${path.startsWith('/') ? path : `/${path}`}`;
}

/** An HTTP API payload 2.0 REQUEST authorizer event. */
export function httpApiEvent(
  authorization: string | undefined,
  routeKey: string,
  method: string,
  rawPath: string,
): Record<string, unknown> {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:eu-west-1:123456789012:abc123def4/$default/${method}${rawPath}`,
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: authorization === undefined ? {} : { authorization },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123def4',
      domainName: 'abc123def4.execute-api.eu-west-1.amazonaws.com',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
  };
}
