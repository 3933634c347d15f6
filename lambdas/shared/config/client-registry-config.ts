import * as z from 'zod/mini';
import { boundedInt, optionalTableName } from './schema-parts';

/**
 * The `clients` section of the authorizer configuration: the client registry that maps a token's
 * client id (the issuer's `clientIdClaims`) to a usage-plan tier and its API key, so the authorizer
 * can return `usageIdentifierKey` and API Gateway meters each client on its own key.
 *
 * Secure by default: a token whose client is not registered is refused (403) unless the document
 * opts into the default tier; a registry that cannot be read always fails closed (500).
 */

/** What the authorizer does with a token whose client id is absent or not registered. */
export const UNKNOWN_CLIENT_POLICIES = ['deny', 'default-tier'] as const;
export type UnknownClientPolicy = (typeof UNKNOWN_CLIENT_POLICIES)[number];

/** Bounds of `cacheStalenessSeconds`; the upper bound keeps the worst-case change delay known. */
export const CLIENT_CACHE_STALENESS_LIMITS = { min: 0, max: 300, default: 60 } as const;

export const clientRegistryConfigSchema = z.strictObject({
  tableName: optionalTableName(
    'The table holding the registry (items `client#<client id>` and `client-default#`). Default: the ' +
      'REVOCATION_TABLE_NAME environment variable (the stack sets it to its revocation table).',
  ),
  cacheStalenessSeconds: boundedInt(
    CLIENT_CACHE_STALENESS_LIMITS.min,
    CLIENT_CACHE_STALENESS_LIMITS.max,
    CLIENT_CACHE_STALENESS_LIMITS.default,
    'A registry lookup (found or not found) is cached in the Lambda instance for at most this long ' +
      '(0–300 s, 0 = look up on every request). Worst-case delay of a tier or key change = ' +
      'resultCacheTtlSeconds + this.',
  ),
  unknownClients: z._default(z.enum(UNKNOWN_CLIENT_POLICIES), 'deny').register(z.globalRegistry, {
    description:
      'Tokens whose client id claim is absent or not registered: "deny" refuses them (403, reason ' +
      'unknown_client); "default-tier" meters them on the key of the default-tier item ' +
      '(`npm run clients -- set-default-tier`), and refuses them while that item does not exist.',
  }),
});

export type ClientRegistryConfig = z.infer<typeof clientRegistryConfigSchema>;
export type ClientRegistryConfigInput = z.input<typeof clientRegistryConfigSchema>;
