import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LocalUsageError } from './errors';

/** A backend Lambda handler as the local edge calls it (in-process, no Lambda context). */
export type BackendHandler = (event: APIGatewayProxyEvent) => Promise<unknown>;

/**
 * The backend Lambdas of the sample stack by name (`api.routes[].backend`), each loaded from its
 * real `lambdas/<name>/handler.ts`. Loaded lazily, after the environment the stack would set
 * (CORS_CONFIG, table names) is in place, because handler modules read it at module scope.
 */
const LOADERS = new Map<string, () => { handler: BackendHandler }>([
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: env first
  ['orders', () => require('../lambdas/orders/handler') as { handler: BackendHandler }],
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: env first
  ['profile', () => require('../lambdas/profile/handler') as { handler: BackendHandler }],
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: env first
  ['health', () => require('../lambdas/health/handler') as { handler: BackendHandler }],
]);

/** Names of the backends the local edge can run. */
export const LOCAL_BACKEND_NAMES = [...LOADERS.keys()];

/** Your own backend handler module for a backend name (`npm start -- --backend name=module`). */
export interface BackendModule {
  readonly name: string;
  /** Path of a .ts or .js module exporting `handler`, relative to the working directory. */
  readonly modulePath: string;
  /** Where it was given (`--backend` or `EDGE_BACKENDS`), for error messages. */
  readonly source: string;
}

/**
 * Loads the named backends' handlers: your modules first (they replace a sample backend of the same
 * name), then the samples. An unknown name, a module that is missing, fails to load or exports no
 * `handler` function, or a module no route uses fails start-up with a message naming it.
 */
export function loadBackends(
  names: Iterable<string>,
  modules: readonly BackendModule[] = [],
): Map<string, BackendHandler> {
  const wanted = new Set(names);
  for (const module of modules) {
    if (!wanted.has(module.name)) {
      throw new LocalUsageError(
        `${module.source} gives backend "${module.name}", but no api.routes[].backend names it (used: ${[...wanted].join(', ')})`,
      );
    }
  }
  const handlers = new Map<string, BackendHandler>();
  for (const name of wanted) {
    const own = modules.find((m) => m.name === name);
    if (own !== undefined) {
      handlers.set(name, loadBackendModule(own));
      continue;
    }
    const load = LOADERS.get(name);
    if (load === undefined) {
      throw new LocalUsageError(
        `api.routes names backend "${name}", which the local edge cannot run (known: ${LOCAL_BACKEND_NAMES.join(', ')}); ` +
          `give its handler module with: npm start -- --backend ${name}=./path/to/handler.ts`,
      );
    }
    handlers.set(name, load().handler);
  }
  return handlers;
}

function loadBackendModule(module: BackendModule): BackendHandler {
  const file = resolve(module.modulePath);
  const where = `${module.source} ${module.name}=${module.modulePath}`;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the developer's own module path
  if (!existsSync(file)) throw new LocalUsageError(`${where}: no such file (${file})`);
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, security/detect-non-literal-require -- the developer's own module, named on the command line of the local edge
    loaded = require(file);
  } catch (error) {
    throw new LocalUsageError(
      `${where}: the module failed to load: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const handler = (loaded as { handler?: unknown } | null)?.handler;
  if (typeof handler !== 'function') {
    throw new LocalUsageError(
      `${where}: the module must export a function named "handler", as the Lambda does`,
    );
  }
  return handler as BackendHandler;
}
