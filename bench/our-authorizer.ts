import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorizerConfig } from '../lambdas/shared/config/authorizer-config';

/**
 * Loads our authorizer (lambdas/authorizer/handler.ts) when it exists. Imported dynamically so the
 * bench type-checks and runs (reporting the section as pending) before that file lands.
 */

export const OUR_AUTHORIZER_ENTRY = join(__dirname, '..', 'lambdas', 'authorizer', 'handler.ts');

export type OurAuthorizerHandler = ((event: unknown) => Promise<unknown>) & {
  ready?: () => Promise<unknown>;
};

interface OurAuthorizerModule {
  createAuthorizer(config: AuthorizerConfig, deps?: unknown): OurAuthorizerHandler;
  /** The module-level handler, built from AUTH_CONFIG at import time. */
  handler?: OurAuthorizerHandler;
}

export function ourAuthorizerExists(): boolean {
  return existsSync(OUR_AUTHORIZER_ENTRY);
}

function isModule(value: unknown): value is OurAuthorizerModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { createAuthorizer?: unknown }).createAuthorizer === 'function'
  );
}

/**
 * Imports the handler module. The module builds its own module-level `handler` from AUTH_CONFIG at
 * import time, so callers set `process.env.AUTH_CONFIG` first.
 */
export async function loadOurAuthorizer(): Promise<OurAuthorizerModule> {
  const mod: unknown = await import(OUR_AUTHORIZER_ENTRY);
  if (!isModule(mod)) throw new Error(`${OUR_AUTHORIZER_ENTRY} does not export createAuthorizer(config)`);
  // Let the module-level handler finish its own JWKS pre-load, so it is not counted later.
  if (typeof mod.handler?.ready === 'function') await mod.handler.ready();
  return mod;
}

/**
 * Builds a handler from a parsed config (and optional `AuthorizerDeps`, e.g. a silent logger) and
 * waits for its JWKS pre-load.
 */
export async function buildOurAuthorizer(
  config: AuthorizerConfig,
  options: { readonly deps?: unknown; readonly beforeBuild?: () => void } = {},
): Promise<OurAuthorizerHandler> {
  const mod = await loadOurAuthorizer();
  options.beforeBuild?.();
  const handler = mod.createAuthorizer(config, options.deps);
  if (typeof handler.ready === 'function') await handler.ready();
  return handler;
}
