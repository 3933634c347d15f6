import type { PeerOptions, PeerRoute } from './peer-options';

/**
 * The role check and policy a peer authorizer builds after its JWT library verified the token:
 * the same decision shape as ours (Allow for every route the caller may call, public ones included;
 * an explicit Deny for the others, `ANY` spelled out per method, because IAM's `*` also matches `/`;
 * trailing-slash twins of literal-ending patterns; stage-independent ARNs; a flat context), written
 * the straightforward way, rebuilt per request.
 */

export interface PeerPolicy {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: readonly {
      readonly Action: 'execute-api:Invoke';
      readonly Effect: 'Allow' | 'Deny';
      readonly Resource: readonly string[];
    }[];
  };
  readonly context: Readonly<Record<string, string | number>>;
}

/** The error message API Gateway maps to 401. */
export const UNAUTHORIZED = 'Unauthorized';

const CONCRETE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of a `Bearer` Authorization value; throws `Unauthorized` for anything else. */
export function bearerToken(authorization: string | undefined): string {
  const match = authorization === undefined ? null : BEARER.exec(authorization);
  if (match?.[1] === undefined) throw new Error(UNAUTHORIZED);
  return match[1];
}

const asList = (value: unknown, separator: RegExp): string[] => {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(separator).filter((v) => v !== '');
  return [];
};

const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

function allows(route: PeerRoute, roles: readonly string[], scopes: readonly string[]): boolean {
  if (route.public === true || route.authenticatedOnly === true) return true;
  const has = (list: readonly string[], v: string): boolean => list.includes(v);
  return (
    (route.anyRoles === undefined || route.anyRoles.some((r) => has(roles, r))) &&
    (route.allRoles === undefined || route.allRoles.every((r) => has(roles, r))) &&
    (route.anyScopes === undefined || route.anyScopes.some((s) => has(scopes, s))) &&
    (route.allScopes === undefined || route.allScopes.every((s) => has(scopes, s)))
  );
}

/** A pattern and its trailing-slash twin when its path ends in a literal (as ours: `/x/` is routed like `/x`). */
const withTwin = (pattern: string): string[] =>
  pattern.endsWith('*') || pattern.endsWith('/') ? [pattern] : [pattern, `${pattern}/`];

/** `/orders/{id}` → `orders/*`, `/admin/{proxy+}` → `admin/*`. */
const resourcePath = (path: string): string => path.slice(1).replace(/\{[A-Za-z0-9_]+\+?\}/g, '*');

export function buildPeerPolicy(
  claims: Readonly<Record<string, unknown>>,
  methodArn: string,
  options: PeerOptions,
): PeerPolicy {
  const sub = asString(claims.sub);
  if (sub === '') throw new Error(UNAUTHORIZED);
  const roles = asList(claims[options.rolesClaim], /[\s,]+/);
  const scopes = asList(claims[options.scopeClaim], /\s+/);
  const apiArn = methodArn.split('/', 1)[0]!;
  const arn = (method: string, path: string): string => `${apiArn}/*/${method}/${resourcePath(path)}`;
  const allow: string[] = [];
  const deny: string[] = [];
  for (const route of options.routes) {
    if (allows(route, roles, scopes)) {
      allow.push(...withTwin(arn(route.method === 'ANY' ? '*' : route.method, route.path)));
    } else if (route.method !== 'ANY') {
      deny.push(...withTwin(arn(route.method, route.path)));
    } else {
      const own = new Set(options.routes.filter((r) => r.path === route.path).map((r) => r.method));
      for (const method of CONCRETE_METHODS)
        if (!own.has(method)) deny.push(...withTwin(arn(method, route.path)));
    }
  }
  const statements = [
    ...(allow.length > 0
      ? [{ Action: 'execute-api:Invoke' as const, Effect: 'Allow' as const, Resource: allow }]
      : []),
    ...(deny.length > 0
      ? [{ Action: 'execute-api:Invoke' as const, Effect: 'Deny' as const, Resource: deny }]
      : []),
  ];
  return {
    principalId: sub,
    policyDocument: { Version: '2012-10-17', Statement: statements },
    context: {
      sub,
      iss: asString(claims.iss),
      roles: roles.join(' '),
      scopes: scopes.join(' '),
      clientId: asString(claims[options.clientIdClaim]),
      jti: asString(claims.jti),
      tenant: options.tenantClaim === undefined ? '' : asString(claims[options.tenantClaim]),
      exp: typeof claims.exp === 'number' ? claims.exp : 0,
    },
  };
}
