import { en } from 'zod/locales';
import type { $ZodErrorMap } from 'zod/v4/core';
import { authorizerConfigSchema, type AuthorizerConfig } from './authorizer-config';
import { parseJsonConfig, toConfigError } from './config-error';

/** The environment variable the authorizer Lambda reads its configuration from. */
export const AUTH_CONFIG_ENV = 'AUTH_CONFIG';

let english: $ZodErrorMap | undefined;

/**
 * zod's English messages ("Invalid input: expected array, received undefined", "Too big: expected
 * number to be <=3600"). The schema is written with `zod/mini`, which loads no locale, so the parse
 * passes them in (classic zod would set them globally). Messages our schema words itself win. The
 * locale's message tables are built on the first issue only: a valid document, the cold start's
 * case, never needs them.
 */
const englishMessages: $ZodErrorMap = (issue) => (english ??= en().localeError)(issue);

/**
 * Validates an authorizer configuration object. Throws a {@link ConfigError} naming every bad field.
 * @param source what to call the document in error messages, e.g. `AUTH_CONFIG` or a file name
 */
export function parseAuthorizerConfig(raw: unknown, source = AUTH_CONFIG_ENV): AuthorizerConfig {
  const result = authorizerConfigSchema.safeParse(raw, { error: englishMessages });
  if (!result.success) throw toConfigError(source, result.error);
  return result.data;
}

/** Reads and validates `AUTH_CONFIG` (JSON) from an environment. */
export function loadAuthorizerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthorizerConfig {
  return parseAuthorizerConfig(parseJsonConfig(AUTH_CONFIG_ENV, env.AUTH_CONFIG), AUTH_CONFIG_ENV);
}
