import { z } from 'zod';
import { authorizerConfigSchema } from '../../lambdas/shared/config/authorizer-config';
import { ConfigError, parseJsonConfig, toConfigError } from '../../lambdas/shared/config/config-error';
import { guardConfigSchema } from '../../lambdas/shared/config/guard-config';
import { apiConfigSchema } from './api-config';
import { clientRegistryIssues } from './client-registry-checks';

/**
 * The product's one configuration document. Each section is validated by its own schema; the
 * `auth` section is exactly what the authorizer Lambda receives as `AUTH_CONFIG`.
 *
 * Sections are added by the areas that own them (stack, guard, revocation); each lives in its
 * own file and is composed here.
 */
export const edgeConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('Path of the JSON Schema, for editors.'),
  auth: authorizerConfigSchema.check(z.describe('The JWT authorizer: issuers, route rules, token limits.')),
  guard: guardConfigSchema
    .optional()
    .describe('The request guard: validation, signed requests, signed responses.'),
  api: apiConfigSchema
    .optional()
    .describe('The CDK stack: REST API routes, usage plans, WAF, logging, alarms.'),
});

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;

/** Validates an edge configuration object; throws a ConfigError naming every bad field. */
export function parseEdgeConfig(raw: unknown, source = 'edge config'): EdgeConfig {
  const result = edgeConfigSchema.safeParse(raw);
  if (!result.success) throw toConfigError(source, result.error);
  const issues = clientRegistryIssues(result.data);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return result.data;
}

/** Parses and validates an edge configuration JSON text. */
export function parseEdgeConfigJson(text: string, source = 'edge config'): EdgeConfig {
  return parseEdgeConfig(parseJsonConfig(source, text), source);
}
