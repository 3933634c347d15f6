import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { HTTP_METHODS, pathTemplateSchema } from '../../lambdas/shared/config/authorizer-config';
import type { ConfigIssue } from '../../lambdas/shared/config/config-error';
import { responseSigningSchema } from './response-signing-config';

/**
 * The `api` section of the edge configuration: everything the CDK stack needs besides the
 * authorizer's own settings (`auth`). Which routes are public is NOT configured here: it comes from
 * `auth.routes[].public`, so the authorizer and the API Gateway methods can never disagree.
 *
 * Secure by default: WAF on with the AWS managed rule groups, per-IP rate limiting and size limits;
 * stage throttling on; execution logs at ERROR with data trace off; JSON access logs without tokens;
 * tables with deletion protection; TLS 1.2+ on custom domains with the execute-api endpoint off.
 */

/** Retention periods CloudWatch Logs accepts (days). "Never expire" is deliberately not offered. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** TLS security policies a regional custom domain may use: TLS 1.2 or newer only. */
export const TLS_SECURITY_POLICIES = [
  'TLS_1_2',
  'SecurityPolicy_TLS13_1_3_2025_09',
  'SecurityPolicy_TLS13_1_3_FIPS_2025_09',
  'SecurityPolicy_TLS13_1_2_PQ_2025_09',
  'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
] as const;
export type TlsSecurityPolicy = (typeof TLS_SECURITY_POLICIES)[number];

/** Methods an API route may serve (`OPTIONS` is answered by the CORS preflight, never a backend). */
export const API_ROUTE_METHODS = HTTP_METHODS.filter((m) => m !== 'OPTIONS');

const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]'];

/** A browser origin: `https://host[:port]`, no path, no wildcard (plain http only for loopback). */
export const originSchema = z
  .string()
  .max(253)
  .refine(
    (value) => {
      if (value.includes('*')) return false;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false;
      }
      if (url.origin !== value) return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.includes(url.hostname));
    },
    {
      error:
        'must be an exact origin such as "https://app.example.com" (scheme, host and optional port; no path, ' +
        'no trailing slash, no wildcard; http:// only for 127.0.0.1, localhost or [::1])',
    },
  );

const headerName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'must be an HTTP header name' });

/** An IPv4 or IPv6 CIDR block as AWS WAF IP sets take it (`203.0.113.0/24`, `2001:db8::/32`). */
export const cidrSchema = z.string().refine(
  (value) => {
    const slash = value.indexOf('/');
    if (slash < 0) return false;
    const address = value.slice(0, slash);
    const prefixText = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return false;
    const prefix = Number(prefixText);
    if (isIPv4(address)) return prefix >= 1 && prefix <= 32;
    if (isIPv6(address)) return prefix >= 1 && prefix <= 128;
    return false;
  },
  { error: 'must be an IPv4 or IPv6 CIDR block with a prefix length, e.g. "203.0.113.0/24"' },
);

/** Whether a CIDR block (already validated) is IPv6. */
export function isIpv6Cidr(cidr: string): boolean {
  return cidr.includes(':');
}

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code, e.g. "DE"' });

const throttleSchema = z.strictObject({
  rateLimit: z
    .number()
    .positive()
    .max(10_000)
    .describe('Steady-state requests per second (token bucket refill rate).'),
  burstLimit: z.int().min(1).max(5000).describe('Bucket size: requests allowed in a burst.'),
});

const methodThrottleSchema = z.strictObject({
  method: z.enum(API_ROUTE_METHODS).describe('HTTP method of the route (ANY for an ANY route).'),
  path: pathTemplateSchema.check(z.describe('Path template of the route, as in `api.routes`.')),
  rateLimit: throttleSchema.shape.rateLimit,
  burstLimit: throttleSchema.shape.burstLimit,
});

export const apiRouteSchema = z.strictObject({
  method: z.enum(API_ROUTE_METHODS).describe('HTTP method, or ANY. OPTIONS is reserved for CORS preflight.'),
  path: pathTemplateSchema.check(
    z.describe('Path template, e.g. "/orders/{id}". Needs a matching `auth.routes` rule.'),
  ),
  backend: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'must be a backend name such as "orders" (lower case)' })
    .describe(
      'Name of the backend Lambda that serves the route (the sample stack has orders, profile, health).',
    ),
});

export const usagePlanSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1–64 letters, digits, "_" or "-"' })
    .describe('Tier name, e.g. "free", "standard", "partner".'),
  description: z.string().max(256).optional().describe('Shown in the API Gateway console.'),
  throttle: throttleSchema.describe('Per-client token bucket for every method of the stage.'),
  quota: z
    .strictObject({
      limit: z.int().min(1).describe('Requests allowed per period.'),
      period: z.enum(['DAY', 'WEEK', 'MONTH']).describe('Quota period.'),
    })
    .optional()
    .describe('Per-client request quota; none when unset.'),
  methodThrottles: z
    .array(methodThrottleSchema)
    .max(50)
    .default([])
    .describe('Per-client, per-method throttles that override `throttle` for one route.'),
  apiKeys: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'must be 1–128 letters, digits, "_" or "-"' })
          .describe('Name of the API key; API Gateway generates the value.'),
      }),
    )
    .max(100)
    .default([])
    .describe(
      'API keys to create in this tier (values generated by API Gateway). Per-client keys issued at run time ' +
        'are registered by the operator CLI instead.',
    ),
});

export const wafConfigSchema = z
  .strictObject({
    rateLimitPerIp: z
      .strictObject({
        limit: z
          .int()
          .min(10)
          .max(2_000_000_000)
          .default(1000)
          .describe('Requests one IP may send per evaluation window before WAF blocks it.'),
        windowSeconds: z
          .union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)])
          .default(300)
          .describe('Evaluation window of the rate-based rule (60, 120, 300 or 600 s).'),
      })
      .default({ limit: 1000, windowSeconds: 300 })
      .describe('Rate-based rule per source IP.'),
    maxAuthorizationHeaderBytes: z
      .int()
      .min(64)
      .max(16_391)
      .optional()
      .describe(
        'Largest `Authorization` header WAF lets through. Defaults to `auth.tokenLimits.maxTokenBytes` + 7 ' +
          '(the "Bearer " prefix), so oversized tokens never reach the authorizer.',
      ),
    maxBodyBytes: z
      .int()
      .min(0)
      .max(65_536)
      .default(16_384)
      .describe(
        'Largest request body WAF lets through (bytes). Bodies larger than what WAF inspects are blocked, ' +
          'never passed uninspected. Above 16 KiB the web ACL raises its API Gateway inspection limit.',
      ),
    anonymousIpList: z
      .boolean()
      .default(false)
      .describe('Add the AWS managed Anonymous IP list (VPNs, Tor, hosting providers). Off by default.'),
    ipAllowList: z
      .array(cidrSchema)
      .max(1000)
      .default([])
      .describe('If not empty, only these CIDR blocks may call the API; everything else is blocked.'),
    ipDenyList: z.array(cidrSchema).max(1000).default([]).describe('CIDR blocks that are always blocked.'),
    geo: z
      .strictObject({
        allowCountries: z
          .array(countryCode)
          .min(1)
          .max(250)
          .optional()
          .describe('Only requests from these countries pass.'),
        blockCountries: z
          .array(countryCode)
          .min(1)
          .max(250)
          .optional()
          .describe('Requests from these countries are blocked.'),
      })
      .optional()
      .describe('Geo rules; set at most one of allowCountries and blockCountries.'),
  })
  .superRefine((waf, ctx) => {
    if (waf.geo?.allowCountries !== undefined && waf.geo.blockCountries !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'set either "allowCountries" or "blockCountries", not both',
        path: ['geo'],
      });
    }
  });

export const alarmsConfigSchema = z.strictObject({
  snsTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
      error: 'must be an SNS topic ARN',
    })
    .optional()
    .describe('Existing SNS topic that receives alarm and OK notifications. No notifications when unset.'),
  serverErrors: z.int().min(1).default(5).describe('5XX responses per 5 minutes that raise an alarm.'),
  clientErrors: z
    .int()
    .min(1)
    .default(500)
    .describe('4XX responses per 5 minutes that raise an alarm (a spike of rejected calls).'),
  authorizerErrors: z
    .int()
    .min(1)
    .default(1)
    .describe(
      'Authorizer failures per 5 minutes that raise an alarm: fail-closed errors (internal error, revocation store or client registry unreadable) and an unreachable JWKS, counted from its decision metrics (not the Lambda Errors metric, which counts every 401 too).',
    ),
  latencyP99Ms: z
    .int()
    .min(50)
    .max(29_000)
    .default(3000)
    .describe('p99 API latency (ms) that raises an alarm.'),
  wafBlockedRequests: z
    .int()
    .min(1)
    .default(1000)
    .describe('WAF-blocked requests per 5 minutes that raise an alarm.'),
  throttledRequests: z
    .int()
    .min(1)
    .default(100)
    .describe('429 responses (throttle or quota) per 5 minutes that raise an alarm.'),
  lambdaErrors: z.int().min(1).default(1).describe('Errors per 5 minutes of any backend or guard Lambda.'),
  lambdaThrottles: z.int().min(1).default(1).describe('Throttles per 5 minutes of any Lambda of the edge.'),
});

export const customDomainSchema = z.strictObject({
  domainName: z
    .string()
    .max(253)
    .refine(
      (name) => {
        const labels = name.split('.');
        return (
          labels.length >= 2 &&
          labels.every((l) => /^[a-z0-9-]{1,63}$/.test(l) && !l.startsWith('-') && !l.endsWith('-')) &&
          /^[a-z]{2,63}$/.test(labels[labels.length - 1] ?? '')
        );
      },
      { error: 'must be a lower-case DNS name such as "api.example.com"' },
    )
    .describe('Custom domain name (lower case).'),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, {
      error: 'must be an ACM certificate ARN in the stack region',
    })
    .describe('ACM certificate for the domain, in the same region as the (regional) API.'),
  securityPolicy: z
    .enum(TLS_SECURITY_POLICIES, {
      error: `must be one of ${TLS_SECURITY_POLICIES.join(', ')} (TLS 1.2 or newer)`,
    })
    .default('TLS_1_2')
    .describe('TLS security policy; TLS 1.0 is not offered.'),
  endpointAccessMode: z
    .enum(['STRICT', 'BASIC'])
    .default('STRICT')
    .describe('Endpoint access mode, used with the enhanced `SecurityPolicy_*` policies only.'),
  basePath: z
    .string()
    .max(300)
    .refine((p) => p.split('/').every((segment) => /^[A-Za-z0-9._~-]+$/.test(segment)), {
      error:
        'must be a base path such as "v1" or "orders/v1" (letters, digits and ._~-; no leading, trailing or double /)',
    })
    .optional()
    .describe('Base path under which the stage is mapped; the domain root when unset.'),
  keepExecuteApiEndpoint: z
    .boolean()
    .default(false)
    .describe(
      'Keep the default execute-api endpoint reachable. Off by default: with a custom domain, clients must ' +
        'use it (and its TLS policy).',
    ),
});

export const apiConfigSchema = z
  .strictObject({
    stageName: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,128}$/, { error: 'must be 1–128 letters, digits or "_"' })
      .default('prod')
      .describe('Name of the API Gateway stage.'),
    description: z.string().max(256).optional().describe('Description of the REST API.'),
    routes: z
      .array(apiRouteSchema)
      .min(1)
      .max(300)
      .describe(
        'The methods the REST API serves and the backend behind each. Every route needs an `auth.routes` ' +
          'rule (deny by default); it is public only when that rule says `"public": true`.',
      ),
    cors: z
      .strictObject({
        allowOrigins: z
          .array(originSchema)
          .max(20)
          .default([])
          .describe('Browser origins allowed to call the API. Empty = no CORS (no preflight routes).'),
        allowHeaders: z
          .array(headerName)
          .max(30)
          .default([
            'Authorization',
            'Content-Type',
            'X-Api-Key',
            'Content-Digest',
            'Signature',
            'Signature-Input',
          ])
          .describe('Request headers a browser may send.'),
        exposeHeaders: z
          .array(headerName)
          .max(30)
          .default([
            'WWW-Authenticate',
            'Content-Digest',
            'Signature',
            'Signature-Input',
            'Accept-Signature',
            'Want-Content-Digest',
          ])
          .describe('Response headers a browser script may read.'),
        allowCredentials: z
          .boolean()
          .default(false)
          .describe('Send `Access-Control-Allow-Credentials: true`. Bearer tokens do not need it.'),
        maxAgeSeconds: z.int().min(0).max(7200).default(600).describe('How long browsers cache a preflight.'),
      })
      .default({
        allowOrigins: [],
        allowHeaders: [
          'Authorization',
          'Content-Type',
          'X-Api-Key',
          'Content-Digest',
          'Signature',
          'Signature-Input',
        ],
        exposeHeaders: [
          'WWW-Authenticate',
          'Content-Digest',
          'Signature',
          'Signature-Input',
          'Accept-Signature',
          'Want-Content-Digest',
        ],
        allowCredentials: false,
        maxAgeSeconds: 600,
      })
      .describe('CORS allowlist, used by preflight, backends and gateway responses.'),
    apiKeys: z
      .strictObject({
        source: z
          .enum(['HEADER', 'AUTHORIZER'])
          .default('HEADER')
          .describe(
            'Where API Gateway takes the usage-plan key from: the `x-api-key` header (HEADER) or the ' +
              "authorizer's `usageIdentifierKey` (AUTHORIZER), so the token decides who is metered.",
          ),
        required: z
          .boolean()
          .default(false)
          .describe(
            'Protected methods require an API key (403 without one). Needed for usage-plan throttles and ' +
              'quotas to apply per client; public routes never require one.',
          ),
      })
      .default({ source: 'HEADER', required: false }),
    usagePlans: z.array(usagePlanSchema).max(20).default([]).describe('Usage plan tiers.'),
    throttle: throttleSchema
      .default({ rateLimit: 100, burstLimit: 200 })
      .describe(
        'Default throttle of the stage, applied to each method separately (all clients of that method together).',
      ),
    methodThrottles: z
      .array(methodThrottleSchema)
      .max(50)
      .default([])
      .describe('Stage-level throttles for single routes (all clients together).'),
    waf: wafConfigSchema.default(wafConfigSchema.parse({})).describe('AWS WAF web ACL on the stage.'),
    logging: z
      .strictObject({
        retentionDays: z
          .literal([...LOG_RETENTION_DAYS], { error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}` })
          .default(365)
          .describe('Retention of every log group of the edge (access, WAF, Lambda logs).'),
        manageAccountCloudWatchRole: z
          .boolean()
          .default(true)
          .describe(
            "Create API Gateway's account-level CloudWatch Logs role (needed once per account and region for " +
              'execution and access logs). Set false when the account already has one.',
          ),
      })
      .default({ retentionDays: 365, manageAccountCloudWatchRole: true })
      .describe('Logging. The access log format is fixed by the product (JSON, no tokens).'),
    alarms: alarmsConfigSchema.default(alarmsConfigSchema.parse({})).describe('CloudWatch alarm thresholds.'),
    customDomain: customDomainSchema.optional().describe('Custom domain with a TLS 1.2+ policy.'),
    responseSigning: responseSigningSchema
      .optional()
      .describe(
        "The request guard's response-signing keys (needs a `guard` section). When unset the stack creates " +
          'the key and the JWKS publishes only it.',
      ),
    tables: z
      .strictObject({
        deletionProtection: z
          .boolean()
          .default(true)
          .describe('DynamoDB deletion protection on every table of the edge.'),
        retainOnStackDelete: z
          .boolean()
          .default(true)
          .describe('Keep the tables when the stack is deleted (removal policy RETAIN).'),
      })
      .default({ deletionProtection: true, retainOnStackDelete: true }),
    functions: z
      .strictObject({
        authorizerMemoryMb: z.int().min(128).max(10_240).default(512).describe('Authorizer memory (MB).'),
        authorizerTimeoutSeconds: z
          .int()
          .min(1)
          .max(29)
          .default(5)
          .describe('Authorizer timeout (s); a timeout is a 500 (fail closed).'),
        authorizerReservedConcurrency: z
          .int()
          .min(1)
          .optional()
          .describe('Reserved concurrency of the authorizer; unreserved when unset.'),
        backendMemoryMb: z.int().min(128).max(10_240).default(256).describe('Memory of each backend (MB).'),
        backendTimeoutSeconds: z.int().min(1).max(29).default(10).describe('Timeout of each backend (s).'),
      })
      .default({
        authorizerMemoryMb: 512,
        authorizerTimeoutSeconds: 5,
        backendMemoryMb: 256,
        backendTimeoutSeconds: 10,
      })
      .describe('Lambda sizing.'),
  })
  .superRefine((api, ctx) => {
    const seen = new Set<string>();
    for (const [i, route] of api.routes.entries()) {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', message: `duplicate route ${key}`, path: ['routes', i] });
      seen.add(key);
    }
    const names = new Set<string>();
    for (const [i, plan] of api.usagePlans.entries()) {
      if (names.has(plan.name)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate usage plan ${plan.name}`,
          path: ['usagePlans', i, 'name'],
        });
      }
      names.add(plan.name);
    }
    if (api.apiKeys.required && api.usagePlans.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'API keys are required but no usage plan exists: every protected call would get 403',
        path: ['apiKeys', 'required'],
      });
    }
    const checkThrottles = (list: readonly { method: string; path: string }[], path: (string | number)[]) => {
      for (const [i, t] of list.entries()) {
        if (!api.routes.some((r) => r.method === t.method && r.path === t.path)) {
          ctx.addIssue({
            code: 'custom',
            message: `throttle for ${t.method} ${t.path}, which is not in api.routes`,
            path: [...path, i],
          });
        }
      }
    };
    checkThrottles(api.methodThrottles, ['methodThrottles']);
    for (const [i, plan] of api.usagePlans.entries())
      checkThrottles(plan.methodThrottles, ['usagePlans', i, 'methodThrottles']);
  });

export type ApiConfig = z.infer<typeof apiConfigSchema>;
export type ApiConfigInput = z.input<typeof apiConfigSchema>;
export type ApiRoute = z.infer<typeof apiRouteSchema>;
export type UsagePlanConfig = z.infer<typeof usagePlanSchema>;
export type WafConfig = z.infer<typeof wafConfigSchema>;
export type AlarmsConfig = z.infer<typeof alarmsConfigSchema>;
export type CustomDomainConfig = z.infer<typeof customDomainSchema>;

/** A route rule as the `auth` section has it (only the fields the API needs). */
export interface AuthRouteLike {
  readonly method: string;
  readonly path: string;
  readonly public: boolean;
}

/** The `auth` rule that governs a route: the same template, and the same method or ANY. */
export function findAuthRule<T extends AuthRouteLike>(
  rules: readonly T[],
  method: string,
  path: string,
): T | undefined {
  return (
    rules.find((r) => r.path === path && r.method === method) ??
    rules.find((r) => r.path === path && r.method === 'ANY')
  );
}

/**
 * Whether a method is public: CORS preflight (`OPTIONS`) always is; anything else only when the
 * `auth` rule for it says `"public": true`. An `ANY` method is public only under a public `ANY` rule.
 */
export function isPublicMethod(rules: readonly AuthRouteLike[], method: string, path: string): boolean {
  if (method === 'OPTIONS') return true;
  if (method === 'ANY') return rules.some((r) => r.path === path && r.method === 'ANY' && r.public);
  return findAuthRule(rules, method, path)?.public === true;
}

/**
 * Cross-section checks between `api` and `auth`: every API route needs an auth rule (or it could only
 * ever answer 403), and an ANY route may not mix public and protected methods.
 */
export function checkApiAgainstAuth(api: ApiConfig, authRoutes: readonly AuthRouteLike[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [i, route] of api.routes.entries()) {
    const rule = findAuthRule(authRoutes, route.method, route.path);
    if (rule === undefined) {
      issues.push({
        path: `api.routes[${i}]`,
        message: `${route.method} ${route.path} has no auth.routes rule (same path, same method or ANY); it would always be denied`,
      });
      continue;
    }
    if (route.method === 'ANY') {
      const mixed = authRoutes.some(
        (r) => r.path === route.path && r.method !== 'ANY' && r.public !== rule.public,
      );
      if (mixed) {
        issues.push({
          path: `api.routes[${i}]`,
          message: `ANY ${route.path} mixes public and protected auth rules; list the methods separately`,
        });
      }
    }
  }
  return issues;
}
