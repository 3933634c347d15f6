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

/** Loads the named backends' handlers; an unknown name fails start-up with a clear message. */
export function loadBackends(names: Iterable<string>): Map<string, BackendHandler> {
  const handlers = new Map<string, BackendHandler>();
  for (const name of new Set(names)) {
    const load = LOADERS.get(name);
    if (load === undefined) {
      throw new LocalUsageError(
        `api.routes names backend "${name}", which the local edge cannot run (known: ${LOCAL_BACKEND_NAMES.join(', ')})`,
      );
    }
    handlers.set(name, load().handler);
  }
  return handlers;
}
