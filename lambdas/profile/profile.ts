import type { Caller } from '../shared/contracts/authorizer-context';

/** What the caller may do in the sample API, derived from roles and scopes (per-role behaviour). */
export interface Permissions {
  readonly readOwnOrders: boolean;
  readonly readAllOrders: boolean;
  readonly placeOrders: boolean;
  readonly admin: boolean;
}

/** The profile the service returns: the verified caller, never the token. */
export interface Profile {
  readonly sub: string;
  readonly issuer: string;
  readonly clientId: string | null;
  readonly tenant: string | null;
  /** Usage plan tier from the client registry; null when the registry is off. */
  readonly clientTier: string | null;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly permissions: Permissions;
}

/** Permissions of a caller, using the same role and scope names as the example `auth.routes`. */
export function permissionsOf(caller: Caller): Permissions {
  const admin = caller.roles.includes('admin');
  const reader = admin || caller.roles.includes('orders:read');
  return {
    readOwnOrders: reader,
    readAllOrders: admin,
    placeOrders: caller.roles.includes('orders:write') && caller.scopes.includes('orders'),
    admin,
  };
}

/** Builds the profile of a verified caller. */
export function buildProfile(caller: Caller): Profile {
  return {
    sub: caller.sub,
    issuer: caller.iss,
    clientId: caller.clientId === '' ? null : caller.clientId,
    tenant: caller.tenant === '' ? null : caller.tenant,
    clientTier: caller.clientTier === undefined || caller.clientTier === '' ? null : caller.clientTier,
    roles: [...caller.roles].sort(),
    scopes: [...caller.scopes].sort(),
    permissions: permissionsOf(caller),
  };
}
