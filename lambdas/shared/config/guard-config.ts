import * as z from 'zod';
import { CLIENT_KEY_TABLE, NONCE_TABLE } from '../contracts/tables';
import { HTTP_METHODS, pathTemplateSchema } from './authorizer-config';
import { ConfigError, parseJsonConfig, toConfigError, type ConfigIssue } from './config-error';

/**
 * The request guard's configuration: the `guard` section of the edge configuration document,
 * validated with the same schema at synth time (by the CDK app) and at Lambda cold start (from the
 * `GUARD_CONFIG` environment variable).
 *
 * Secure by default: routes are signed unless a route says `"signed": false`; every request schema
 * must be named (or `null` chosen explicitly); a route the guard has no entry for is never forwarded.
 */

// ---------------------------------------------------------------------------------------------
// Environment contract (what the stack sets on the guard Lambda)
// ---------------------------------------------------------------------------------------------

/** JSON text of the `guard` section. */
export const GUARD_CONFIG_ENV = 'GUARD_CONFIG';
/** Name of the nonce table (conditional writes, TTL = created + window). */
export const GUARD_NONCE_TABLE_ENV = NONCE_TABLE.envVar;
/** Name of the client-key table (keyid → public JWK, status, owner). */
export const GUARD_CLIENT_KEY_TABLE_ENV = CLIENT_KEY_TABLE.envVar;
/**
 * JSON object mapping each guarded route key (`"POST /orders"`) to the backend Lambda function name
 * or ARN the guard invokes synchronously. Every configured route must have an entry.
 */
export const GUARD_BACKENDS_ENV = 'GUARD_BACKENDS';
/**
 * Id or ARN of the KMS key (asymmetric, `ECC_NIST_P256`, key usage `SIGN_VERIFY`) that signs
 * responses. The guard needs `kms:Sign` and `kms:GetPublicKey` on it.
 */
export const GUARD_SIGNING_KEY_ID_ENV = 'GUARD_SIGNING_KEY_ID';
/**
 * Optional, comma-separated ids or ARNs of previous response-signing KMS keys (rotation list). Their
 * public keys are published in the JWKS after the current key; they never sign. The guard needs
 * `kms:GetPublicKey` (only) on each. Unset or empty: no previous keys.
 */
export const GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV = 'GUARD_PREVIOUS_SIGNING_KEY_IDS';
/** Most previous response-signing keys the guard publishes (a rotation needs one or two). */
export const MAX_PREVIOUS_SIGNING_KEYS = 5;

// ---------------------------------------------------------------------------------------------
// Names shared by the config and the code
// ---------------------------------------------------------------------------------------------

/** RFC 9421 algorithms the guard verifies (HTTP Signature Algorithms registry names). */
export const SIGNATURE_ALGORITHMS = ['ed25519', 'ecdsa-p256-sha256'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** RFC 9530 digest algorithms the guard accepts in `Content-Digest`. */
export const DIGEST_ALGORITHMS = ['sha-256', 'sha-512'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/**
 * Names of the request schemas in `lambdas/guard/request-schemas.ts` (zod schemas cannot live in
 * JSON, so the config names one). The registry there is typed by this list, so the two cannot drift.
 */
export const REQUEST_SCHEMA_NAMES = ['createOrder', 'getOrder', 'listOrders'] as const;
export type RequestSchemaName = (typeof REQUEST_SCHEMA_NAMES)[number];

/** Default path of the guard's public JWKS route (response-signing keys). */
export const DEFAULT_GUARD_JWKS_PATH = '/.well-known/guard-jwks.json';

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/** `"METHOD /path/template"`, the same method and template an auth route rule uses. */
export const guardRouteKeySchema = z
  .string()
  .max(420)
  .refine(
    (key) => {
      const space = key.indexOf(' ');
      if (space < 0) return false;
      const method = key.slice(0, space);
      const path = key.slice(space + 1);
      return (
        (HTTP_METHODS as readonly string[]).includes(method) && pathTemplateSchema.safeParse(path).success
      );
    },
    {
      error:
        'route keys are "METHOD /path/template", e.g. "POST /orders" or "GET /orders/{id}" (method one of ' +
        HTTP_METHODS.join(', ') +
        ')',
    },
  );

/** A media type without parameters, lower case: `application/json`. */
const mediaType = z.string().regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/, {
  error: 'must be a lower-case media type without parameters, e.g. "application/json"',
});

export const guardRouteSchema = z
  .strictObject({
    signed: z
      .boolean()
      .default(true)
      .describe(
        'Require an RFC 9421 request signature (default true). `false` gives up signature, digest and replay checks.',
      ),
    validation: z
      .enum(REQUEST_SCHEMA_NAMES, {
        error: `must name a request schema of lambdas/guard/request-schemas.ts (${REQUEST_SCHEMA_NAMES.join(', ')}), or be null`,
      })
      .nullable()
      .describe(
        'Request schema (path parameters, query, headers, JSON body) from the guard registry. Required; ' +
          '`null` forwards any well-formed JSON without schema checks and must be chosen explicitly.',
      ),
    contentTypes: z
      .array(mediaType)
      .min(1)
      .max(10)
      .default(['application/json'])
      .describe('Media types accepted for a request body (415 otherwise). JSON types only are parsed.'),
    maxBodyBytes: z
      .int()
      .min(0)
      .max(6 * 1024 * 1024)
      .default(16_384)
      .describe('Largest accepted request body in bytes (413 otherwise); 0 forbids a body.'),
    signResponse: z
      .boolean()
      .optional()
      .describe('Sign the response (RFC 9421, `sig` label `guard`). Defaults to the value of `signed`.'),
  })
  .superRefine((route, ctx) => {
    if (route.signResponse === true && !route.signed) {
      ctx.addIssue({
        code: 'custom',
        message: 'a response signature covers the request signature, so "signResponse" needs "signed": true',
        path: ['signResponse'],
      });
    }
  })
  .transform((route) => ({ ...route, signResponse: route.signResponse ?? route.signed }));

export const guardSignatureSchema = z.strictObject({
  windowSeconds: z
    .int()
    .min(60)
    .max(300)
    .default(300)
    .describe(
      'How old `created` may be, in seconds (60–300); nonces are kept this long (DynamoDB TTL = created + window).',
    ),
  futureSkewSeconds: z
    .int()
    .min(0)
    .max(60)
    .default(5)
    .describe('How far in the future `created` may lie (clock skew), in seconds (0–60).'),
  algorithms: z
    .array(z.enum(SIGNATURE_ALGORITHMS))
    .min(1)
    .default(['ed25519', 'ecdsa-p256-sha256'])
    .describe(
      'Accepted RFC 9421 algorithms; the client key decides the algorithm, `alg` must match if sent.',
    ),
  digestAlgorithms: z
    .array(z.enum(DIGEST_ALGORITHMS))
    .min(1)
    .default(['sha-256', 'sha-512'])
    .describe('Accepted Content-Digest algorithms (RFC 9530).'),
  keyCacheTtlSeconds: z
    .int()
    .min(0)
    .max(300)
    .default(30)
    .describe(
      'Client keys are cached in memory this long (0–300 s; 0 = off). Bounds how late a revocation bites.',
    ),
  maxSignatureHeaderBytes: z
    .int()
    .min(256)
    .max(8192)
    .default(4096)
    .describe('Largest accepted Signature or Signature-Input header, in bytes; checked before parsing.'),
});

export const guardConfigSchema = z
  .strictObject({
    routes: z
      .record(z.string(), guardRouteSchema)
      .superRefine((routes, ctx) => {
        const keys = Object.keys(routes);
        if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'list at least one route', path: [] });
        for (const key of keys) {
          const result = guardRouteKeySchema.safeParse(key);
          if (!result.success) {
            ctx.addIssue({
              code: 'custom',
              message: result.error.issues[0]?.message ?? 'invalid route key',
              path: [key],
            });
          }
        }
      })
      .describe(
        'Per-route settings keyed by "METHOD /path/template" (as in the auth route rules). A route without an entry is never forwarded.',
      ),
    signatures: guardSignatureSchema.default(guardSignatureSchema.parse({})),
    jwksPath: z
      ._default(pathTemplateSchema, DEFAULT_GUARD_JWKS_PATH)
      .describe(
        'Path of the public GET route, served by the guard, that publishes the response-signing JWKS.',
      ),
  })
  .superRefine((config, ctx) => {
    if (Object.keys(config.routes).some((key) => key.endsWith(` ${config.jwksPath}`))) {
      ctx.addIssue({
        code: 'custom',
        message: `"${config.jwksPath}" is the JWKS route served by the guard; it cannot also be a backend route`,
        path: ['jwksPath'],
      });
    }
  });

/** Backend map (`GUARD_BACKENDS`): route key → Lambda function name or ARN. */
export const guardBackendsSchema = z.record(
  z.string().max(420),
  z.string().regex(/^[A-Za-z0-9:_.\-/$]{1,170}$/, { error: 'must be a Lambda function name or ARN' }),
);

export type GuardRouteKey = string;
export type GuardRoute = z.infer<typeof guardRouteSchema>;
export type GuardSignatureSettings = z.infer<typeof guardSignatureSchema>;
export type GuardConfig = z.infer<typeof guardConfigSchema>;
/** The section as a user writes it (defaults not yet applied). */
export type GuardConfigInput = z.input<typeof guardConfigSchema>;
export type GuardBackends = z.infer<typeof guardBackendsSchema>;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** Validates a `guard` section. Throws a ConfigError naming every bad field. */
export function parseGuardConfig(raw: unknown, source = GUARD_CONFIG_ENV): GuardConfig {
  const result = guardConfigSchema.safeParse(raw);
  if (!result.success) throw toConfigError(source, result.error);
  return result.data;
}

/** Validates a backend map and checks that every configured route has a backend. */
export function parseGuardBackends(
  raw: unknown,
  config: GuardConfig,
  source = GUARD_BACKENDS_ENV,
): GuardBackends {
  const result = guardBackendsSchema.safeParse(raw);
  if (!result.success) throw toConfigError(source, result.error);
  const missing = Object.keys(config.routes).filter((key) => !Object.hasOwn(result.data, key));
  const unknown = Object.keys(result.data).filter((key) => !Object.hasOwn(config.routes, key));
  if (missing.length > 0 || unknown.length > 0) {
    throw new ConfigError(source, [
      ...missing.map((key) => ({ path: key, message: 'no backend function for this guarded route' })),
      ...unknown.map((key) => ({ path: key, message: 'not a route of the guard config' })),
    ]);
  }
  return result.data;
}

/** Reads and validates `GUARD_CONFIG` (JSON) from an environment. */
export function loadGuardConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GuardConfig {
  // eslint-disable-next-line security/detect-object-injection -- the name is a constant
  return parseGuardConfig(parseJsonConfig(GUARD_CONFIG_ENV, env[GUARD_CONFIG_ENV]), GUARD_CONFIG_ENV);
}

/** A KMS key id, key ARN, alias name or alias ARN (KMS allows 1–2048 characters). */
const KMS_KEY_ID = /^[A-Za-z0-9:/_.+=@-]{1,2048}$/;

/**
 * Validates the rotation list (`GUARD_PREVIOUS_SIGNING_KEY_IDS`): comma-separated KMS key ids or
 * ARNs, surrounding spaces ignored. Unset or blank → `[]`. Throws a ConfigError naming the variable
 * on an empty entry, a malformed id, a duplicate, the current signing key, or more than
 * {@link MAX_PREVIOUS_SIGNING_KEYS} keys.
 */
export function parsePreviousSigningKeyIds(
  text: string | undefined,
  currentKeyId: string,
  source = GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV,
): string[] {
  if (text === undefined || text.trim() === '') return [];
  const ids = text.split(',').map((id) => id.trim());
  const issues: ConfigIssue[] = [];
  if (ids.length > MAX_PREVIOUS_SIGNING_KEYS) {
    issues.push({
      path: '',
      message: `lists ${ids.length} keys; at most ${MAX_PREVIOUS_SIGNING_KEYS} previous keys are allowed — drop keys whose signatures no client still verifies`,
    });
  }
  for (const [i, id] of ids.entries()) {
    const at = `[${i}]`;
    if (id === '') issues.push({ path: at, message: 'is empty; remove the extra comma' });
    else if (!KMS_KEY_ID.test(id)) issues.push({ path: at, message: 'must be a KMS key id or ARN' });
    else if (id === currentKeyId.trim())
      issues.push({
        path: at,
        message: `is the current signing key (${GUARD_SIGNING_KEY_ID_ENV}); list only previous keys`,
      });
    else if (ids.indexOf(id) !== i) issues.push({ path: at, message: 'is listed twice' });
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return ids;
}

/** Reads and validates `GUARD_PREVIOUS_SIGNING_KEY_IDS` from an environment. */
export function loadPreviousSigningKeyIdsFromEnv(
  currentKeyId: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  // eslint-disable-next-line security/detect-object-injection -- the name is a constant
  return parsePreviousSigningKeyIds(env[GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV], currentKeyId);
}

/**
 * Route keys of the guard that no auth route rule covers (same method or ANY, same template).
 * The CDK app calls it at synth time; an empty list means the two sections agree.
 */
export function guardRoutesWithoutAuthRule(
  guard: GuardConfig,
  authRoutes: readonly { readonly method: string; readonly path: string }[],
): string[] {
  return Object.keys(guard.routes).filter((key) => {
    const space = key.indexOf(' ');
    const method = key.slice(0, space);
    const path = key.slice(space + 1);
    return !authRoutes.some((r) => r.path === path && (r.method === method || r.method === 'ANY'));
  });
}
