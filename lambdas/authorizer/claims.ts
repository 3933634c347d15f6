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
 * A claim name or dotted path, split once (at cold start) rather than on every token: `segments` is
 * left out when only the full name can match (a single segment, or a forbidden segment).
 */
export interface ClaimPath {
  readonly name: string;
  readonly segments?: readonly string[];
}

export function compileClaimPath(path: string): ClaimPath {
  const segments = path.split('.');
  return segments.length < 2 || segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment))
    ? { name: path }
    : { name: path, segments };
}

/**
 * Reads a claim by name or dotted path (`realm_access.roles`). A claim whose name itself contains
 * dots (namespaced claims such as `https://example.com/roles`) is found by its full name first.
 * Own properties only; prototype members are never read.
 */
export function readClaim(payload: Readonly<Record<string, unknown>>, path: string | ClaimPath): unknown {
  const claim = typeof path === 'string' ? compileClaimPath(path) : path;
  if (Object.hasOwn(payload, claim.name)) return Reflect.get(payload, claim.name);
  if (claim.segments === undefined) return undefined;
  let current: unknown = payload;
  for (const segment of claim.segments) {
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

function collect(payload: Readonly<Record<string, unknown>>, paths: readonly ClaimPath[]): string[] {
  const seen = new Set<string>();
  for (const path of paths) {
    for (const value of claimValues(readClaim(payload, path))) {
      if (seen.size >= MAX_ENTITLEMENTS) break;
      seen.add(value);
    }
  }
  return [...seen];
}

function firstString(payload: Readonly<Record<string, unknown>>, paths: readonly ClaimPath[]): string {
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

/** An issuer's claim configuration with every path compiled, and the context keys precomputed. */
interface ClaimMapping {
  readonly roles: readonly ClaimPath[];
  readonly scopes: readonly ClaimPath[];
  readonly clientId: readonly ClaimPath[];
  readonly tenant: ClaimPath | undefined;
  readonly context: readonly { readonly path: ClaimPath; readonly key: `claim_${string}` }[];
}

function compileClaimMapping(issuer: IssuerConfig): ClaimMapping {
  return {
    roles: issuer.rolesClaims.map(compileClaimPath),
    scopes: issuer.scopesClaims.map(compileClaimPath),
    clientId: issuer.clientIdClaims.map(compileClaimPath),
    tenant: issuer.tenantClaim === undefined ? undefined : compileClaimPath(issuer.tenantClaim),
    context: issuer.contextClaims.map((path) => ({
      path: compileClaimPath(path),
      key: contextClaimKey(path),
    })),
  };
}

/** Compiled once per issuer configuration object (the parsed config lives as long as the Lambda). */
const mappings = new WeakMap<IssuerConfig, ClaimMapping>();

function claimMappingOf(issuer: IssuerConfig): ClaimMapping {
  let mapping = mappings.get(issuer);
  if (mapping === undefined) {
    mapping = compileClaimMapping(issuer);
    mappings.set(issuer, mapping);
  }
  return mapping;
}

/** Maps verified claims to the principal, following the issuer's claim configuration. */
export function principalFromClaims(
  payload: Readonly<Record<string, unknown>> & { sub: string; iss: string; exp: number },
  issuer: IssuerConfig,
): Principal {
  const mapping = claimMappingOf(issuer);
  const extra: Record<`claim_${string}`, string | number | boolean> = {};
  for (const { path, key } of mapping.context) {
    const value = contextValue(readClaim(payload, path));
    // eslint-disable-next-line security/detect-object-injection -- key is `claim_<configured path>`, built at cold start
    if (value !== undefined) extra[key] = value;
  }
  const tenant = mapping.tenant === undefined ? undefined : readClaim(payload, mapping.tenant);
  const jti = payload.jti;
  return {
    sub: payload.sub,
    iss: payload.iss,
    roles: collect(payload, mapping.roles),
    scopes: collect(payload, mapping.scopes),
    clientId: firstString(payload, mapping.clientId),
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
