import * as z from 'zod/mini';
import { clientRegistryConfigSchema } from './client-registry-config';
import { boundedInt, optionalTableName } from './schema-parts';

/**
 * The authorizer's configuration: one JSON document, validated with the same schema at synth time
 * (by the CDK app) and at Lambda cold start (from the `AUTH_CONFIG` environment variable).
 *
 * Secure by default: every check is on unless the document switches it off with an explicit,
 * loudly named opt-out. Nothing falls back to something permissive.
 *
 * Written with `zod/mini` (the same zod v4 package, functional API) so the authorizer bundle does
 * not carry classic zod: checks go in `.check(…)`, wrappers are functions (`z.optional(s)`,
 * `z._default(s, v)`). A field's description goes into zod's global registry, which the JSON Schema
 * (`npm run schema`) reads: `.register(z.globalRegistry, { description })` on a schema built for that
 * one field (no copy: the config schema is built at every cold start), `.check(z.describe(…))` on a
 * shared one (`fetchUrl`, `pathTemplateSchema`), which copies it so its other uses keep their own.
 * For the same reason, parts without a description of their own (`nonEmptyString`, `flag`,
 * `claimPaths`, the integers inside `boundedInt`, …) are built once and shared: a field wraps them
 * in its own `z.optional`/`z._default`, which carries its description.
 * A classic `z.object` may hold these schemas (lib/config/edge-config.ts does). Mini loads no message
 * locale: parse through `parseAuthorizerConfig` (parse-authorizer-config.ts), which supplies English
 * messages.
 */

/** Asymmetric JWS algorithms this product accepts. `none` and the HMAC family are never accepted. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** HTTP methods a route rule may name. `ANY` matches every method. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * An http(s) URL the authorizer fetches (a JWKS, or an issuer's discovery metadata). Plain http is
 * accepted only for loopback hosts, so that the local identity provider works offline; anything
 * reachable over a network must use https. A user name or password is refused: the fetcher never
 * sends one, so such a URL could only fail at cold start, and JWKS endpoints are public anyway.
 */
const fetchUrl = z.url({ error: 'must be an absolute URL', abort: true }).check(
  z.refine(
    (value) => {
      // `abort` above keeps a non-URL from reaching this check; the guard keeps it from throwing.
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    },
    { error: 'must use https:// (plain http:// is allowed only for 127.0.0.1, localhost or [::1])' },
  ),
  z.refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return url.username === '' && url.password === '';
    },
    {
      error:
        'must not contain a user name or password (user:pass@): put credentials nowhere in the URL; JWKS endpoints are public',
    },
  ),
);

const claimPath = z.string().check(
  z.minLength(1),
  z.maxLength(256),
  z.refine((p) => p.split('.').every((segment) => /^\S+$/.test(segment)), {
    error:
      'must be a claim name or a dotted path such as "realm_access.roles" (no spaces, no empty segments)',
  }),
  z.refine((p) => !p.split('.').some((s) => ['__proto__', 'prototype', 'constructor'].includes(s)), {
    error: 'must not contain __proto__, prototype or constructor',
  }),
);

/** The array inside every claim path list (shared, no description). */
const claimPaths = z.array(claimPath);

/**
 * A list of claim paths with a default list and a description. The description must be registered
 * on the default wrapper itself: `.check(z.describe(…))` would copy it, and a copy reads the default
 * once, so every parse would hand out the same array.
 */
function claimPathList(defaults: readonly string[], description: string) {
  return z._default(claimPaths, () => [...defaults]).register(z.globalRegistry, { description });
}

/** One accepted JWS algorithm (shared, no description). */
const jwtAlgorithm = z.enum(JWT_ALGORITHMS);

/** A non-empty string (shared, no description). */
const nonEmptyString = z.string().check(z.minLength(1));

/** A JSON boolean (shared, no description). */
const flag = z.boolean();

/** A JSON Web Key as published in a JWKS; only public members are allowed in a pinned set. */
const publicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().check(z.minLength(1), z.maxLength(256)),
    use: z.optional(z.literal('sig')),
    alg: z.optional(jwtAlgorithm),
  })
  .check(
    z.refine((jwk) => !('d' in jwk) && !('p' in jwk) && !('q' in jwk) && !('k' in jwk), {
      error: 'a pinned JWKS must contain public keys only (found a private or symmetric key member)',
    }),
  );

export const pinnedJwksSchema = z.strictObject({
  keys: z.array(publicJwk).check(z.minLength(1), z.maxLength(100)),
});

export const issuerConfigSchema = z
  .strictObject({
    issuer: fetchUrl.check(z.describe('The exact `iss` value tokens carry. Compared byte for byte.')),
    audience: z
      .nullable(
        z.union([nonEmptyString, z.array(nonEmptyString).check(z.minLength(1))], {
          error:
            'is required: a string or a non-empty array of accepted audiences (null skips the audience check, explicitly)',
        }),
      )
      .register(z.globalRegistry, {
        description:
          'Accepted `aud` (or `client_id` for IdPs whose access tokens carry no `aud`) values. ' +
          'Required. `null` skips the audience check and must be chosen explicitly.',
      }),
    jwksUri: z
      .optional(fetchUrl)
      .register(z.globalRegistry, { description: 'Where the issuer publishes its JWKS.' }),
    discovery: z.optional(flag).register(z.globalRegistry, {
      description: 'Resolve `jwks_uri` from `{issuer}/.well-known/openid-configuration` at cold start.',
    }),
    jwks: z.optional(pinnedJwksSchema).register(z.globalRegistry, {
      description: 'A pinned JWKS, for Lambdas that cannot reach the IdP. Never refreshed.',
    }),
    algorithms: z.array(jwtAlgorithm).check(z.minLength(1)).register(z.globalRegistry, {
      description: 'The JWS algorithms this issuer signs with. The header `alg` must be one of them.',
    }),
    requiredTyp: z.optional(nonEmptyString).register(z.globalRegistry, {
      description: 'If set, the header `typ` must equal it (case-insensitive, e.g. "at+jwt", RFC 9068).',
    }),
    rolesClaims: claimPathList(
      ['roles', 'groups', 'cognito:groups'],
      'Claim paths whose values (array or space/comma separated string) are roles.',
    ),
    scopesClaims: claimPathList(
      ['scope', 'scp'],
      'Claim paths whose values (space separated string or array) are OAuth scopes.',
    ),
    clientIdClaims: claimPathList(
      ['client_id', 'azp', 'cid'],
      'Claim paths that name the OAuth client; the first present one wins.',
    ),
    tenantClaim: z.optional(claimPath).register(z.globalRegistry, {
      description: 'Claim path that names the tenant, passed on as `tenant`.',
    }),
    contextClaims: claimPathList(
      [],
      'Extra claims passed to backends in the authorizer context as `claim_<name>`. Off by default: ' +
        'list PII claims (email, name) only if backends need them.',
    ),
  })
  .check(
    z.superRefine((issuer, ctx) => {
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
    }),
  );

/**
 * Longest path template accepted. It keeps every policy resource the authorizer returns
 * (`arn:{partition}:execute-api:{region}:{account}:{apiId}/` + `*` (any stage) + `/{METHOD}/{path}`) under the 512
 * characters API Gateway allows per resource ARN in an authorizer policy, whatever the partition,
 * region and stage (policy.test.ts checks the worst case).
 */
export const MAX_PATH_TEMPLATE_LENGTH = 400;

/** A path template as API Gateway writes it: `/orders/{id}`, `/admin/{proxy+}`; `/` for the root. */
export const pathTemplateSchema = z.string().check(
  z.maxLength(MAX_PATH_TEMPLATE_LENGTH),
  z.refine(
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
  ),
  z.refine((p) => !/\{[A-Za-z0-9_]+\+\}\/./.test(p), { error: 'a greedy {proxy+} parameter must be last' }),
);

const roleOrScope = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^\S+$/, { error: 'must not contain spaces' }));

/** A list of roles or scopes (shared, no description). */
const roleOrScopeList = z.array(roleOrScope);

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
    method: z.enum(HTTP_METHODS).register(z.globalRegistry, { description: 'HTTP method, or ANY.' }),
    path: pathTemplateSchema.check(z.describe('Path template, e.g. "/orders/{id}".')),
    public: z._default(flag, false).register(z.globalRegistry, {
      description: 'No token needed. Public routes get no authorizer; mark them deliberately.',
    }),
    anyRoles: z
      .optional(roleOrScopeList)
      .register(z.globalRegistry, { description: 'The caller needs at least one of these roles.' }),
    allRoles: z
      .optional(roleOrScopeList)
      .register(z.globalRegistry, { description: 'The caller needs every one of these roles.' }),
    anyScopes: z
      .optional(roleOrScopeList)
      .register(z.globalRegistry, { description: 'The token needs at least one of these scopes.' }),
    allScopes: z
      .optional(roleOrScopeList)
      .register(z.globalRegistry, { description: 'The token needs every one of these scopes.' }),
    authenticatedOnly: z.optional(flag).register(z.globalRegistry, {
      description: 'Any valid token may call this route (no role or scope). Must be chosen explicitly.',
    }),
  })
  .check(
    z.superRefine((rule, ctx) => {
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
    }),
  );

export const tokenLimitsSchema = z.strictObject({
  clockSkewSeconds: boundedInt(0, 300, 60, 'Leeway for exp, nbf and iat, in seconds (0–300).'),
  maxLifetimeSeconds: boundedInt(
    60,
    86_400,
    3600,
    'Largest accepted `exp - iat`, in seconds (60–86400). Tokens without `iat` are rejected.',
  ),
  maxTokenBytes: boundedInt(
    512,
    16_384,
    8192,
    'Largest accepted Authorization header value, in bytes; checked before any parsing.',
  ),
});

export const jwksPolicySchema = z.strictObject({
  maxKeyAgeSeconds: boundedInt(
    60,
    86_400,
    900,
    'A fetched JWKS is refreshed after this many seconds, so a key the IdP removed stops verifying within it. ' +
      'If the refresh fails the cached keys keep working (JWKS outage tolerance).',
  ),
  unknownKidRefetchIntervalSeconds: boundedInt(
    1,
    3600,
    60,
    'At most one JWKS refetch per issuer in this interval because of an unknown `kid`.',
  ),
  fetchTimeoutMs: boundedInt(100, 10_000, 1500, 'Timeout of one JWKS or discovery request.'),
});

export const decisionCacheSchema = z.strictObject({
  maxEntries: boundedInt(
    0,
    100_000,
    1000,
    'Verified decisions kept in memory per Lambda instance (0 turns the cache off).',
  ),
  maxAgeSeconds: boundedInt(
    1,
    3600,
    300,
    'A cached decision is dropped after this long, or at the token `exp`, whichever is first.',
  ),
});

/** What the authorizer does when the revocation store cannot be read. */
export const REVOCATION_STORE_ERROR_POLICIES = ['deny', 'ALLOW_ON_STORE_ERROR_INSECURE'] as const;

export const revocationConfigSchema = z.strictObject({
  tableName: optionalTableName(
    'The revocation table. Default: the REVOCATION_TABLE_NAME environment variable (set by the stack).',
  ),
  cacheStalenessSeconds: boundedInt(
    0,
    300,
    10,
    'A revocation lookup is cached in the Lambda instance for at most this long (0 = look up on every request). ' +
      'Worst-case revocation delay = resultCacheTtlSeconds + this.',
  ),
  maxRevocationDelaySeconds: boundedInt(
    0,
    3900,
    600,
    'The largest accepted worst-case revocation delay (resultCacheTtlSeconds + cacheStalenessSeconds); synth fails above it.',
  ),
  onStoreError: z._default(z.enum(REVOCATION_STORE_ERROR_POLICIES), 'deny').register(z.globalRegistry, {
    description:
      'When the store cannot be read: "deny" fails closed (the request gets a 500). ' +
      '"ALLOW_ON_STORE_ERROR_INSECURE" accepts the token unchecked; every such event is logged and counted.',
  }),
});

export const authorizerConfigSchema = z
  .strictObject({
    issuers: z
      .array(issuerConfigSchema)
      .check(z.minLength(1), z.maxLength(20))
      .register(z.globalRegistry, { description: 'Trusted token issuers.' }),
    routes: z.array(routeRuleSchema).check(z.minLength(1), z.maxLength(300)).register(z.globalRegistry, {
      description: 'Route rules. Deny by default: a route without a rule is closed.',
    }),
    tokenLimits: z._default(tokenLimitsSchema, () => tokenLimitsSchema.parse({})),
    jwks: z._default(jwksPolicySchema, () => jwksPolicySchema.parse({})),
    decisionCache: z._default(decisionCacheSchema, () => decisionCacheSchema.parse({})),
    resultCacheTtlSeconds: boundedInt(
      0,
      3600,
      300,
      "API Gateway's authorizer result cache TTL (0–3600 s, 0 = off).",
    ),
    revocation: z.optional(revocationConfigSchema).register(z.globalRegistry, {
      description:
        'Token revocation (by jti, subject or client) checked after signature verification. Off when absent.',
    }),
    clients: z.optional(clientRegistryConfigSchema).register(z.globalRegistry, {
      description:
        'Client registry: maps the token client id to a usage-plan tier and API key (usageIdentifierKey). Off when absent.',
    }),
  })
  .check(
    z.superRefine((config, ctx) => {
      if (config.clients !== undefined && config.issuers.length > 1) {
        // Registry items are keyed by client id alone: with two issuers, a token of one could name a
        // client id registered for the other and be metered (and admitted) as that client.
        ctx.addIssue({
          code: 'custom',
          message:
            'the client registry needs exactly one issuer: its items are keyed by client id alone, so a token ' +
            'of one issuer could claim the tier of a client registered for another; deploy one authorizer per ' +
            'issuer, or remove "clients"',
          path: ['clients'],
        });
      }
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
    }),
  );

export type IssuerConfig = z.infer<typeof issuerConfigSchema>;
export type RouteRule = z.infer<typeof routeRuleSchema>;
export type TokenLimits = z.infer<typeof tokenLimitsSchema>;
export type JwksPolicy = z.infer<typeof jwksPolicySchema>;
export type RevocationConfig = z.infer<typeof revocationConfigSchema>;
export type AuthorizerConfig = z.infer<typeof authorizerConfigSchema>;
/** The document as a user writes it (defaults not yet applied). */
export type AuthorizerConfigInput = z.input<typeof authorizerConfigSchema>;
