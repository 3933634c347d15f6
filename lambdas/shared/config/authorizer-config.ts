import * as z from 'zod';

/**
 * The authorizer's configuration: one JSON document, validated with the same schema at synth time
 * (by the CDK app) and at Lambda cold start (from the `AUTH_CONFIG` environment variable).
 *
 * Secure by default: every check is on unless the document switches it off with an explicit,
 * loudly named opt-out. Nothing falls back to something permissive.
 */

/** Asymmetric JWS algorithms this product accepts. `none` and the HMAC family are never accepted. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** HTTP methods a route rule may name. `ANY` matches every method. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const httpsUrl = z
  .url({ protocol: /^https$/, error: 'must be an absolute https:// URL' })
  .describe('An absolute https:// URL.');

/**
 * An http(s) URL. Plain http is accepted only for loopback hosts, so that the local identity
 * provider works offline; anything reachable over a network must use https.
 */
const fetchUrl = z.url({ error: 'must be an absolute URL' }).refine(
  (value) => {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  },
  { error: 'must use https:// (plain http:// is allowed only for 127.0.0.1, localhost or [::1])' },
);

const claimPath = z
  .string()
  .min(1)
  .max(256)
  .refine((p) => p.split('.').every((segment) => /^\S+$/.test(segment)), {
    error:
      'must be a claim name or a dotted path such as "realm_access.roles" (no spaces, no empty segments)',
  })
  .refine((p) => !p.split('.').some((s) => ['__proto__', 'prototype', 'constructor'].includes(s)), {
    error: 'must not contain __proto__, prototype or constructor',
  });

/** A JSON Web Key as published in a JWKS; only public members are allowed in a pinned set. */
const publicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().min(1).max(256),
    use: z.literal('sig').optional(),
    alg: z.enum(JWT_ALGORITHMS).optional(),
  })
  .refine((jwk) => !('d' in jwk) && !('p' in jwk) && !('q' in jwk) && !('k' in jwk), {
    error: 'a pinned JWKS must contain public keys only (found a private or symmetric key member)',
  });

export const pinnedJwksSchema = z.strictObject({
  keys: z.array(publicJwk).min(1).max(100),
});

export const issuerConfigSchema = z
  .strictObject({
    issuer: fetchUrl.describe('The exact `iss` value tokens carry. Compared byte for byte.'),
    audience: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
        error:
          'is required: a string or a non-empty array of accepted audiences (null skips the audience check, explicitly)',
      })
      .nullable()
      .describe(
        'Accepted `aud` (or `client_id` for IdPs whose access tokens carry no `aud`) values. ' +
          'Required. `null` skips the audience check and must be chosen explicitly.',
      ),
    jwksUri: fetchUrl.optional().describe('Where the issuer publishes its JWKS.'),
    discovery: z
      .boolean()
      .optional()
      .describe('Resolve `jwks_uri` from `{issuer}/.well-known/openid-configuration` at cold start.'),
    jwks: pinnedJwksSchema
      .optional()
      .describe('A pinned JWKS, for Lambdas that cannot reach the IdP. Never refreshed.'),
    algorithms: z
      .array(z.enum(JWT_ALGORITHMS))
      .min(1)
      .describe('The JWS algorithms this issuer signs with. The header `alg` must be one of them.'),
    requiredTyp: z
      .string()
      .min(1)
      .optional()
      .describe('If set, the header `typ` must equal it (case-insensitive, e.g. "at+jwt", RFC 9068).'),
    rolesClaims: z
      .array(claimPath)
      .default(['roles', 'groups', 'cognito:groups'])
      .describe('Claim paths whose values (array or space/comma separated string) are roles.'),
    scopesClaims: z
      .array(claimPath)
      .default(['scope', 'scp'])
      .describe('Claim paths whose values (space separated string or array) are OAuth scopes.'),
    clientIdClaims: z
      .array(claimPath)
      .default(['client_id', 'azp', 'cid'])
      .describe('Claim paths that name the OAuth client; the first present one wins.'),
    tenantClaim: claimPath.optional().describe('Claim path that names the tenant, passed on as `tenant`.'),
    contextClaims: z
      .array(claimPath)
      .default([])
      .describe(
        'Extra claims passed to backends in the authorizer context as `claim_<name>`. Off by default: ' +
          'list PII claims (email, name) only if backends need them.',
      ),
  })
  .superRefine((issuer, ctx) => {
    const sources = [issuer.jwksUri, issuer.discovery === true ? true : undefined, issuer.jwks].filter(
      (s) => s !== undefined,
    ).length;
    if (sources !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          'set exactly one key source: "jwksUri" (URL of the JWKS), "discovery": true (OIDC discovery) or "jwks" (a pinned key set)',
        path: ['jwksUri'],
      });
    }
    if (issuer.jwks !== undefined) {
      for (const [i, key] of issuer.jwks.keys.entries()) {
        if (key.alg !== undefined && !issuer.algorithms.includes(key.alg)) {
          ctx.addIssue({
            code: 'custom',
            message: `key alg ${key.alg} is not in this issuer's "algorithms"`,
            path: ['jwks', 'keys', i, 'alg'],
          });
        }
      }
    }
  });

/** A path template as API Gateway writes it: `/orders/{id}`, `/admin/{proxy+}`; `/` for the root. */
export const pathTemplateSchema = z
  .string()
  .max(400)
  .refine(
    (p) =>
      p === '/' ||
      (p.startsWith('/') &&
        p
          .slice(1)
          .split('/')
          .every((segment) => /^(\{[A-Za-z0-9_]+\+?\}|[A-Za-z0-9._~-]+)$/.test(segment))),
    {
      error:
        'must be an API Gateway path template such as "/orders/{id}" or "/admin/{proxy+}" (letters, digits, ._~- and {param})',
    },
  )
  .refine((p) => !/\{[A-Za-z0-9_]+\+\}\/./.test(p), { error: 'a greedy {proxy+} parameter must be last' });

const roleOrScope = z.string().min(1).max(128).regex(/^\S+$/, { error: 'must not contain spaces' });

/**
 * One route rule: a method and an API Gateway path template, and what a caller needs to call it.
 *
 * Requirement lists combine with AND: every list set on a rule must hold (`anyRoles` — at least one
 * of them; `allRoles` — each of them; `anyScopes` — at least one; `allScopes` — each). For example
 * `{ "anyRoles": ["orders:write"], "anyScopes": ["orders"] }` needs the role **and** the scope.
 * An empty list counts as not set. `authenticatedOnly: true` admits any verified token; `public: true`
 * routes get no authorizer at all. A request that matches no rule is denied (deny by default); when
 * several rules match, the most specific one decides, as API Gateway selects a resource (literal
 * segment over `{param}` over `{proxy+}`, a concrete method over `ANY`).
 */
export const routeRuleSchema = z
  .strictObject({
    method: z.enum(HTTP_METHODS).describe('HTTP method, or ANY.'),
    path: pathTemplateSchema.describe('Path template, e.g. "/orders/{id}".'),
    public: z
      .boolean()
      .default(false)
      .describe('No token needed. Public routes get no authorizer; mark them deliberately.'),
    anyRoles: z.array(roleOrScope).optional().describe('The caller needs at least one of these roles.'),
    allRoles: z.array(roleOrScope).optional().describe('The caller needs every one of these roles.'),
    anyScopes: z.array(roleOrScope).optional().describe('The token needs at least one of these scopes.'),
    allScopes: z.array(roleOrScope).optional().describe('The token needs every one of these scopes.'),
    authenticatedOnly: z
      .boolean()
      .optional()
      .describe('Any valid token may call this route (no role or scope). Must be chosen explicitly.'),
  })
  .superRefine((rule, ctx) => {
    const requirements = [rule.anyRoles, rule.allRoles, rule.anyScopes, rule.allScopes].filter(
      (r) => r !== undefined && r.length > 0,
    ).length;
    if (rule.public) {
      if (requirements > 0 || rule.authenticatedOnly === true) {
        ctx.addIssue({
          code: 'custom',
          message: 'a public route cannot also require roles, scopes or authentication',
          path: ['public'],
        });
      }
      return;
    }
    if (requirements === 0 && rule.authenticatedOnly !== true) {
      ctx.addIssue({
        code: 'custom',
        message:
          'name the roles or scopes this route needs (anyRoles, allRoles, anyScopes, allScopes), or set "authenticatedOnly": true to let any valid token in',
        path: ['anyRoles'],
      });
    }
    if (requirements > 0 && rule.authenticatedOnly === true) {
      ctx.addIssue({
        code: 'custom',
        message: '"authenticatedOnly": true cannot be combined with role or scope requirements',
        path: ['authenticatedOnly'],
      });
    }
  });

export const tokenLimitsSchema = z.strictObject({
  clockSkewSeconds: z
    .int()
    .min(0)
    .max(300)
    .default(60)
    .describe('Leeway for exp, nbf and iat, in seconds (0–300).'),
  maxLifetimeSeconds: z
    .int()
    .min(60)
    .max(86_400)
    .default(3600)
    .describe('Largest accepted `exp - iat`, in seconds (60–86400). Tokens without `iat` are rejected.'),
  maxTokenBytes: z
    .int()
    .min(512)
    .max(16_384)
    .default(8192)
    .describe('Largest accepted Authorization header value, in bytes; checked before any parsing.'),
});

export const jwksPolicySchema = z.strictObject({
  maxKeyAgeSeconds: z
    .int()
    .min(60)
    .max(86_400)
    .default(900)
    .describe(
      'A fetched JWKS is refreshed after this many seconds, so a key the IdP removed stops verifying within it. ' +
        'If the refresh fails the cached keys keep working (JWKS outage tolerance).',
    ),
  unknownKidRefetchIntervalSeconds: z
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe('At most one JWKS refetch per issuer in this interval because of an unknown `kid`.'),
  fetchTimeoutMs: z
    .int()
    .min(100)
    .max(10_000)
    .default(1500)
    .describe('Timeout of one JWKS or discovery request.'),
});

export const decisionCacheSchema = z.strictObject({
  maxEntries: z
    .int()
    .min(0)
    .max(100_000)
    .default(1000)
    .describe('Verified decisions kept in memory per Lambda instance (0 turns the cache off).'),
  maxAgeSeconds: z
    .int()
    .min(1)
    .max(3600)
    .default(300)
    .describe('A cached decision is dropped after this long, or at the token `exp`, whichever is first.'),
});

/** What the authorizer does when the revocation store cannot be read. */
export const REVOCATION_STORE_ERROR_POLICIES = ['deny', 'ALLOW_ON_STORE_ERROR_INSECURE'] as const;

export const revocationConfigSchema = z.strictObject({
  tableName: z
    .string()
    .min(3)
    .max(255)
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a DynamoDB table name (letters, digits, _ . -)' })
    .optional()
    .describe(
      'The revocation table. Default: the REVOCATION_TABLE_NAME environment variable (set by the stack).',
    ),
  cacheStalenessSeconds: z
    .int()
    .min(0)
    .max(300)
    .default(10)
    .describe(
      'A revocation lookup is cached in the Lambda instance for at most this long (0 = look up on every request). ' +
        'Worst-case revocation delay = resultCacheTtlSeconds + this.',
    ),
  maxRevocationDelaySeconds: z
    .int()
    .min(0)
    .max(3900)
    .default(600)
    .describe(
      'The largest accepted worst-case revocation delay (resultCacheTtlSeconds + cacheStalenessSeconds); synth fails above it.',
    ),
  onStoreError: z
    .enum(REVOCATION_STORE_ERROR_POLICIES)
    .default('deny')
    .describe(
      'When the store cannot be read: "deny" fails closed (the request gets a 500). ' +
        '"ALLOW_ON_STORE_ERROR_INSECURE" accepts the token unchecked; every such event is logged and counted.',
    ),
});

export const authorizerConfigSchema = z
  .strictObject({
    issuers: z.array(issuerConfigSchema).min(1).max(20).describe('Trusted token issuers.'),
    routes: z
      .array(routeRuleSchema)
      .min(1)
      .max(300)
      .describe('Route rules. Deny by default: a route without a rule is closed.'),
    tokenLimits: tokenLimitsSchema.default(tokenLimitsSchema.parse({})),
    jwks: jwksPolicySchema.default(jwksPolicySchema.parse({})),
    decisionCache: decisionCacheSchema.default(decisionCacheSchema.parse({})),
    resultCacheTtlSeconds: z
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe("API Gateway's authorizer result cache TTL (0–3600 s, 0 = off)."),
    revocation: revocationConfigSchema
      .optional()
      .describe(
        'Token revocation (by jti, subject or client) checked after signature verification. Off when absent.',
      ),
  })
  .superRefine((config, ctx) => {
    const seenIssuers = new Set<string>();
    for (const [i, issuer] of config.issuers.entries()) {
      if (seenIssuers.has(issuer.issuer)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate issuer ${issuer.issuer}`,
          path: ['issuers', i, 'issuer'],
        });
      }
      seenIssuers.add(issuer.issuer);
    }
    const seenRoutes = new Set<string>();
    for (const [i, route] of config.routes.entries()) {
      const key = `${route.method} ${route.path}`;
      if (seenRoutes.has(key)) {
        ctx.addIssue({ code: 'custom', message: `duplicate route ${key}`, path: ['routes', i] });
      }
      seenRoutes.add(key);
    }
  });

export type IssuerConfig = z.infer<typeof issuerConfigSchema>;
export type RouteRule = z.infer<typeof routeRuleSchema>;
export type TokenLimits = z.infer<typeof tokenLimitsSchema>;
export type JwksPolicy = z.infer<typeof jwksPolicySchema>;
export type RevocationConfig = z.infer<typeof revocationConfigSchema>;
export type AuthorizerConfig = z.infer<typeof authorizerConfigSchema>;
/** The document as a user writes it (defaults not yet applied). */
export type AuthorizerConfigInput = z.input<typeof authorizerConfigSchema>;
