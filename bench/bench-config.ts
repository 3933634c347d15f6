import type { AuthorizerConfigInput } from '../lambdas/shared/config/authorizer-config';
import { BENCH_CLAIMS } from './jwt-fixture';

/**
 * The authorizer configuration every authorizer benchmark uses: the example config's route table
 * (config/edge.config.json) with the bench issuer. Checks stay at their secure defaults; only the
 * decision cache is sized so that the miss-path token pool is several times larger than it.
 */

/** Decision-cache capacity in the bench config; the miss-path pool must be larger (see `MISS_POOL`). */
export const BENCH_DECISION_CACHE_ENTRIES = 128;

/** The route the bench events call: allowed for the bench tokens (`orders:read`). */
export const BENCH_METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/orders/42';

export function benchAuthorizerConfig(jwksUri: string): AuthorizerConfigInput {
  return {
    issuers: [
      {
        issuer: BENCH_CLAIMS.issuer,
        audience: [BENCH_CLAIMS.audience],
        jwksUri,
        algorithms: ['RS256', 'ES256'],
        requiredTyp: BENCH_CLAIMS.typ,
        rolesClaims: ['roles', 'groups', 'cognito:groups', 'realm_access.roles'],
        scopesClaims: ['scope', 'scp'],
        clientIdClaims: ['client_id', 'azp'],
        tenantClaim: 'tenant',
      },
    ],
    routes: [
      { method: 'GET', path: '/health', public: true },
      { method: 'GET', path: '/orders', anyRoles: ['orders:read', 'admin'] },
      { method: 'GET', path: '/orders/{id}', anyRoles: ['orders:read', 'admin'] },
      { method: 'POST', path: '/orders', anyRoles: ['orders:write'], anyScopes: ['orders'] },
      { method: 'GET', path: '/profile', authenticatedOnly: true },
      { method: 'ANY', path: '/admin/{proxy+}', allRoles: ['admin'] },
    ],
    tokenLimits: { clockSkewSeconds: 60, maxLifetimeSeconds: 3600, maxTokenBytes: 8192 },
    jwks: { maxKeyAgeSeconds: 900, unknownKidRefetchIntervalSeconds: 60, fetchTimeoutMs: 1500 },
    decisionCache: { maxEntries: BENCH_DECISION_CACHE_ENTRIES, maxAgeSeconds: 300 },
    resultCacheTtlSeconds: 300,
  };
}

/** A REST API TOKEN authorizer event, as API Gateway sends it. */
export interface TokenEvent {
  readonly type: 'TOKEN';
  readonly authorizationToken: string;
  readonly methodArn: string;
}

export function tokenEvent(token: string, methodArn = BENCH_METHOD_ARN): TokenEvent {
  return { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn };
}
