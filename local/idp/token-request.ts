import { z } from 'zod';
import { TokenRequestError } from '../errors';
import { LOCAL_IDP_ALGORITHMS } from './signing-keys';

const name = z.string().min(1).max(128).regex(/^\S+$/, { error: 'must not contain spaces' });

/** Default token lifetime, seconds. */
export const DEFAULT_TOKEN_TTL_SECONDS = 900;

/**
 * What a script asks the local identity provider for (`POST /token`, `npm run token`).
 * Local only: there is no client authentication, any caller on 127.0.0.1 gets any token.
 */
export const tokenRequestSchema = z.strictObject({
  sub: z.string().min(1).max(256).describe('Subject (`sub`).'),
  roles: z.array(name).max(50).default([]).describe('Roles, put in the `roles` claim.'),
  scopes: z.array(name).max(50).default([]).describe('OAuth scopes, put space separated in `scope`.'),
  clientId: name.default('local-cli').describe('OAuth client id (`client_id`).'),
  tenant: name.optional().describe('Tenant (`tenant` claim).'),
  audience: z.string().min(1).max(256).optional().describe('`aud`; defaults to the configured audience.'),
  ttl: z
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_TOKEN_TTL_SECONDS)
    .describe('Lifetime in seconds (`exp - iat`).'),
  alg: z.enum(LOCAL_IDP_ALGORITHMS).default('RS256').describe('Signing algorithm.'),
  extraClaims: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$/),
      z.union([z.string(), z.number(), z.boolean()]),
    )
    .optional()
    .describe('Further claims, e.g. `email`, for contextClaims tests.'),
});

export type TokenRequest = z.infer<typeof tokenRequestSchema>;
export type TokenRequestInput = z.input<typeof tokenRequestSchema>;

/** Validates a token request; throws {@link TokenRequestError} naming every bad field. */
export function parseTokenRequest(raw: unknown): TokenRequest {
  const result = tokenRequestSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw new TokenRequestError(`invalid token request: ${issues.join('; ')}`, issues, {
      cause: result.error,
    });
  }
  return result.data;
}

/** Splits a CLI list value: `orders:read,admin` or `orders:read admin`. */
export function splitListArgument(value: string): string[] {
  return value.split(/[\s,]+/).filter((v) => v !== '');
}
