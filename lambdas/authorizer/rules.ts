import type { RouteRule } from '../shared/config/authorizer-config';
import type { Principal } from './claims';
import type { CompiledRoute } from './route-matcher';

/** Roles and scopes as sets, built once per principal. */
export interface Entitlements {
  readonly roles: ReadonlySet<string>;
  readonly scopes: ReadonlySet<string>;
}

export function entitlementsOf(principal: Pick<Principal, 'roles' | 'scopes'>): Entitlements {
  return { roles: new Set(principal.roles), scopes: new Set(principal.scopes) };
}

const isSet = (list: readonly string[] | undefined): list is readonly string[] =>
  list !== undefined && list.length > 0;

/**
 * Whether a verified principal satisfies a route rule. Every requirement list set on the rule must
 * hold (they combine with AND): `anyRoles` (one of), `allRoles` (each), `anyScopes` (one of),
 * `allScopes` (each). Empty lists count as not set. `authenticatedOnly` and `public` routes admit
 * any verified principal.
 */
export function ruleAllows(rule: RouteRule, entitlements: Entitlements): boolean {
  if (rule.public || rule.authenticatedOnly === true) return true;
  const { anyRoles, allRoles, anyScopes, allScopes } = rule;
  let required = 0;
  if (isSet(anyRoles)) {
    required++;
    if (!anyRoles.some((r) => entitlements.roles.has(r))) return false;
  }
  if (isSet(allRoles)) {
    required++;
    if (!allRoles.every((r) => entitlements.roles.has(r))) return false;
  }
  if (isSet(anyScopes)) {
    required++;
    if (!anyScopes.some((s) => entitlements.scopes.has(s))) return false;
  }
  if (isSet(allScopes)) {
    required++;
    if (!allScopes.every((s) => entitlements.scopes.has(s))) return false;
  }
  // A rule without any requirement and without authenticatedOnly is closed (the schema forbids it).
  return required > 0;
}

/** Which configured routes a principal may call, as one flag per route (route index order). */
export function allowedRoutes(routes: readonly CompiledRoute[], entitlements: Entitlements): boolean[] {
  return routes.map((route) => ruleAllows(route.rule, entitlements));
}

/** A compact, stable key for an allowed-route set (for caching the policy built from it). */
export function allowedRoutesKey(allowed: readonly boolean[]): string {
  let key = '';
  for (let i = 0; i < allowed.length; i += 4) {
    let nibble = 0;
    for (let j = 0; j < 4; j++) if (allowed[i + j] === true) nibble |= 1 << j;
    key += nibble.toString(16);
  }
  return key;
}
