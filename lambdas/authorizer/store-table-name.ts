import { ConfigError } from '../shared/config/config-error';
import { REVOCATION_TABLE } from '../shared/contracts/tables';

/**
 * The table a store of the authorizer reads (revocations, the client registry): the section's own
 * `tableName`, else the `REVOCATION_TABLE_NAME` environment variable the stack sets.
 * @param section the config section, for the error (`auth.revocation`, `auth.clients`)
 * @throws ConfigError when neither names a table (fail closed at cold start)
 */
export function storeTableName(
  section: string,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): string {
  const tableName = configured ?? env[REVOCATION_TABLE.envVar];
  if (tableName === undefined || tableName === '') {
    throw new ConfigError(section, [
      {
        path: 'tableName',
        message: `is required: set it, or the ${REVOCATION_TABLE.envVar} environment variable (the stack sets it)`,
      },
    ]);
  }
  return tableName;
}
