import type { AuthorizerConfigInput, HttpMethod } from '../../lambdas/shared/config/authorizer-config';

/**
 * What a peer authorizer (jose- or jsonwebtoken-based, as a user might write one) needs to do the
 * same job as ours: one issuer, its audiences and algorithms, the token limits and the route rules.
 * Derived from the same AUTH_CONFIG document (no zod: a hand-written authorizer would not validate it).
 */
export interface PeerRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly public?: boolean;
  readonly anyRoles?: readonly string[];
  readonly allRoles?: readonly string[];
  readonly anyScopes?: readonly string[];
  readonly allScopes?: readonly string[];
  readonly authenticatedOnly?: boolean;
}

export interface PeerOptions {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: readonly string[];
  readonly jwksUri: string | undefined;
  readonly requiredTyp: string | undefined;
  readonly clockSkewSeconds: number;
  readonly maxLifetimeSeconds: number;
  readonly rolesClaim: string;
  readonly scopeClaim: string;
  readonly clientIdClaim: string;
  readonly tenantClaim: string | undefined;
  readonly routes: readonly PeerRoute[];
}

export function peerOptionsFromAuthConfig(config: AuthorizerConfigInput): PeerOptions {
  const issuer = config.issuers[0];
  if (issuer === undefined) throw new Error('peer authorizers need one issuer');
  const audience = issuer.audience;
  if (audience === null) throw new Error('peer authorizers always check the audience');
  return {
    issuer: issuer.issuer,
    audience: typeof audience === 'string' ? [audience] : audience,
    algorithms: issuer.algorithms,
    jwksUri: issuer.jwksUri,
    requiredTyp: issuer.requiredTyp,
    clockSkewSeconds: config.tokenLimits?.clockSkewSeconds ?? 60,
    maxLifetimeSeconds: config.tokenLimits?.maxLifetimeSeconds ?? 3600,
    rolesClaim: 'roles',
    scopeClaim: 'scope',
    clientIdClaim: 'client_id',
    tenantClaim: issuer.tenantClaim,
    routes: config.routes,
  };
}

/** Reads the peer options from the AUTH_CONFIG environment variable (the cold-start peers). */
export function peerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PeerOptions {
  const raw = env.AUTH_CONFIG;
  if (raw === undefined) throw new Error('AUTH_CONFIG is not set');
  return peerOptionsFromAuthConfig(JSON.parse(raw) as AuthorizerConfigInput);
}
