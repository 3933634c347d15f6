import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GUARD_BACKENDS_ENV,
  GUARD_CLIENT_KEY_TABLE_ENV,
  GUARD_CONFIG_ENV,
  GUARD_NONCE_TABLE_ENV,
  GUARD_SIGNING_KEY_ID_ENV,
} from '../lambdas/shared/config/guard-config';
import { COLD_TARGET_NAMES, type ColdTarget } from './cold-start';

/** The request guard's handler module. */
export const GUARD_ENTRY = join(__dirname, '..', 'lambdas', 'guard', 'handler.ts');

/**
 * The guard as a cold-start target: the example config's `guard` section, a backend per route and
 * table names, as the stack sets them. Its init only builds SDK clients (no network call), so the
 * figure is module load + construction.
 */
export function guardColdTarget(): ColdTarget | undefined {
  if (!existsSync(GUARD_ENTRY)) return undefined;
  const example = JSON.parse(readFileSync(join(__dirname, '..', 'config', 'edge.config.json'), 'utf8')) as {
    guard: { routes: Record<string, unknown> };
  };
  const backends = Object.fromEntries(Object.keys(example.guard.routes).map((key) => [key, 'bench-backend']));
  return {
    name: COLD_TARGET_NAMES.guard,
    entry: GUARD_ENTRY,
    env: {
      [GUARD_CONFIG_ENV]: JSON.stringify(example.guard),
      [GUARD_BACKENDS_ENV]: JSON.stringify(backends),
      [GUARD_NONCE_TABLE_ENV]: 'Nonces',
      [GUARD_CLIENT_KEY_TABLE_ENV]: 'ClientKeys',
      [GUARD_SIGNING_KEY_ID_ENV]:
        'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_SERVICE_NAME: 'guard',
    },
  };
}
