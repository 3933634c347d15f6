import * as z from 'zod';

/**
 * The flat context the JWT authorizer returns and backends receive in
 * `event.requestContext.authorizer` (API Gateway turns every value into a string).
 *
 * Lists are joined with a single space. The raw token is never part of it.
 */
export interface AuthorizerContext {
  /** `sub` of the token; also the policy's `principalId`. */
  readonly sub: string;
  /** `iss` of the token. */
  readonly iss: string;
  /** Roles found in the configured role claims, space separated. */
  readonly roles: string;
  /** OAuth scopes, space separated. */
  readonly scopes: string;
  /** OAuth client id (`client_id`, `azp`, …), or empty. */
  readonly clientId: string;
  /** Token id (`jti`), or empty. */
  readonly jti: string;
  /** Tenant from the configured tenant claim, or empty. */
  readonly tenant: string;
  /**
   * Usage plan tier of the client, from the client registry (`clients` configured); absent otherwise.
   * For an unknown client admitted under `unknownClients: "default-tier"` it is the default tier.
   */
  readonly clientTier?: string;
  /** Token expiry, seconds since the epoch. */
  readonly exp: number;
  /** Extra claims opted in by `contextClaims`, as `claim_<name>` keys. */
  readonly [extra: `claim_${string}`]: string | number | boolean;
}

/** The context as a backend sees it: everything a string, `principalId` added by API Gateway. */
export const backendAuthorizerContextSchema = z.looseObject({
  principalId: z.string().min(1),
  sub: z.string().min(1),
  iss: z.string().min(1),
  roles: z.string().default(''),
  scopes: z.string().default(''),
  clientId: z.string().default(''),
  jti: z.string().default(''),
  tenant: z.string().default(''),
  clientTier: z.string().default(''),
});

/** The caller as a backend or the request guard reads it. */
export interface Caller {
  readonly sub: string;
  readonly iss: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly jti: string;
  readonly tenant: string;
  /** Usage plan tier from the client registry; empty (or absent) when the registry is off. */
  readonly clientTier?: string;
}

const splitList = (value: string): string[] => value.split(' ').filter((v) => v !== '');

/**
 * Reads the authorizer context of a proxy event (`event.requestContext.authorizer`).
 * Returns `undefined` when the request carries no authorizer context (a public route).
 */
export function readCaller(authorizer: unknown): Caller | undefined {
  const parsed = backendAuthorizerContextSchema.safeParse(authorizer);
  if (!parsed.success) return undefined;
  const ctx = parsed.data;
  return {
    sub: ctx.sub,
    iss: ctx.iss,
    roles: splitList(ctx.roles),
    scopes: splitList(ctx.scopes),
    clientId: ctx.clientId,
    jti: ctx.jti,
    tenant: ctx.tenant,
    clientTier: ctx.clientTier,
  };
}
