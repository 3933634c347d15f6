import type { AuthorizerContext } from '../shared/contracts/authorizer-context';
import type { IssuerConfig } from '../shared/config/authorizer-config';

/** The verified caller, as the rule engine and the context builder see it. */
export interface Principal {
  readonly sub: string;
  readonly iss: string;
  /** Roles from the configured role claims, de-duplicated, in claim order. */
  readonly roles: readonly string[];
  /** OAuth scopes from the configured scope claims, de-duplicated. */
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly jti: string;
  readonly tenant: string;
  readonly exp: number;
  /** Opted-in extra claims (`contextClaims`), flattened to `claim_<name>` keys. */
  readonly extra: Readonly<Record<`claim_${string}`, string | number | boolean>>;
}

/** Longest role or scope kept; longer ones are dropped (they could not be configured anyway). */
export const MAX_ENTITLEMENT_LENGTH = 128;
/** Most roles or scopes kept per token; the rest are dropped (bounds the context size). */
export const MAX_ENTITLEMENTS = 100;
/** Longest string value passed on for an opted-in context claim; longer values are dropped. */
export const MAX_CONTEXT_VALUE_LENGTH = 1024;

const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Reads a claim by name or dotted path (`realm_access.roles`). A claim whose name itself contains
 * dots (namespaced claims such as `https://example.com/roles`) is found by its full name first.
 * Own properties only; prototype members are never read.
 */
export function readClaim(payload: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return Reflect.get(payload, path);
  let current: unknown = payload;
  for (const segment of path.split('.')) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return undefined;
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = Reflect.get(current, segment);
  }
  return current;
}

const SEPARATORS = /[\s,]+/;

/**
 * Values of a role or scope claim: an array of strings, or one string separated by spaces or commas.
 * Entries that are not strings, are empty, contain whitespace (they could not survive the
 * space-joined context) or are longer than {@link MAX_ENTITLEMENT_LENGTH} are dropped.
 */
export function claimValues(value: unknown): string[] {
  if (typeof value === 'string') {
    return value.split(SEPARATORS).filter((v) => v !== '' && v.length <= MAX_ENTITLEMENT_LENGTH);
  }
  if (Array.isArray(value)) {
    return value.filter(
      (v): v is string =>
        typeof v === 'string' && v !== '' && v.length <= MAX_ENTITLEMENT_LENGTH && !/\s/.test(v),
    );
  }
  return [];
}

function collect(payload: Readonly<Record<string, unknown>>, paths: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const path of paths) {
    for (const value of claimValues(readClaim(payload, path))) {
      if (seen.size >= MAX_ENTITLEMENTS) break;
      seen.add(value);
    }
  }
  return [...seen];
}

function firstString(payload: Readonly<Record<string, unknown>>, paths: readonly string[]): string {
  for (const path of paths) {
    const value = readClaim(payload, path);
    if (typeof value === 'string' && value.length <= MAX_CONTEXT_VALUE_LENGTH) return value;
  }
  return '';
}

/** `claim_<name>`: the claim path with every character outside `[A-Za-z0-9_]` replaced by `_`. */
export function contextClaimKey(path: string): `claim_${string}` {
  return `claim_${path.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function contextValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return value.length <= MAX_CONTEXT_VALUE_LENGTH ? value : undefined;
  if (Array.isArray(value)) {
    const joined = claimValues(value).join(' ');
    return joined.length <= MAX_CONTEXT_VALUE_LENGTH ? joined : undefined;
  }
  return undefined;
}

/** Maps verified claims to the principal, following the issuer's claim configuration. */
export function principalFromClaims(
  payload: Readonly<Record<string, unknown>> & { sub: string; iss: string; exp: number },
  issuer: IssuerConfig,
): Principal {
  const extra: Record<`claim_${string}`, string | number | boolean> = {};
  for (const path of issuer.contextClaims) {
    const value = contextValue(readClaim(payload, path));
    if (value !== undefined) extra[contextClaimKey(path)] = value;
  }
  const tenant = issuer.tenantClaim === undefined ? undefined : readClaim(payload, issuer.tenantClaim);
  const jti = payload.jti;
  return {
    sub: payload.sub,
    iss: payload.iss,
    roles: collect(payload, issuer.rolesClaims),
    scopes: collect(payload, issuer.scopesClaims),
    clientId: firstString(payload, issuer.clientIdClaims),
    jti: typeof jti === 'string' && jti.length <= MAX_CONTEXT_VALUE_LENGTH ? jti : '',
    tenant:
      typeof tenant === 'string' && tenant.length <= MAX_CONTEXT_VALUE_LENGTH
        ? tenant
        : typeof tenant === 'number' && Number.isFinite(tenant)
          ? String(tenant)
          : '',
    exp: payload.exp,
    extra,
  };
}

/**
 * The flat context backends receive (see `lambdas/shared/contracts/authorizer-context.ts`):
 * strings, numbers and booleans only, lists joined with one space, never the token.
 */
export function buildAuthorizerContext(principal: Principal): AuthorizerContext {
  return {
    ...principal.extra,
    sub: principal.sub,
    iss: principal.iss,
    roles: principal.roles.join(' '),
    scopes: principal.scopes.join(' '),
    clientId: principal.clientId,
    jti: principal.jti,
    tenant: principal.tenant,
    exp: principal.exp,
  };
}
