import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ClientRegistryConfig } from '../shared/config/client-registry-config';
import {
  clientItemKey,
  DEFAULT_TIER_KEY,
  DynamoClientRegistryStore,
  isAddressableClientId,
  type ClientRecord,
  type ClientRegistryStore,
} from './client-registry-store';
import { ClientRegistryUnavailableError } from './errors';
import { StalenessCache } from './staleness-cache';
import { storeTableName } from './store-table-name';

/** Who a token's client is, for metering: its tier and the API key API Gateway meters it on. */
export interface ClientIdentity {
  /** Usage plan tier, passed to backends as `clientTier`. */
  readonly tier: string;
  /** The API key value, returned as `usageIdentifierKey`. Never log it. */
  readonly apiKeyValue: string;
  /** `registered` (the client's own item) or `default-tier` (an unknown client, default tier). */
  readonly source: 'registered' | 'default-tier';
}

export interface ClientRegistryDeps {
  readonly store: ClientRegistryStore;
  /** Epoch milliseconds. */
  readonly clock: () => number;
}

/** Lookups kept in the in-Lambda cache; the oldest is dropped first. */
export const CLIENT_REGISTRY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Finds the tier and API key of a verified token's client, with an in-Lambda cache of lookups (found
 * and not found alike) that is at most `cacheStalenessSeconds` old. It runs on every decision,
 * including decision-cache hits, so a tier or key change reaches this Lambda within the staleness
 * bound; API Gateway's result cache (which keeps `usageIdentifierKey` with the policy) adds its TTL.
 */
export class ClientRegistry {
  private readonly cache: StalenessCache<ClientRecord | undefined>;

  constructor(
    private readonly config: ClientRegistryConfig,
    private readonly deps: ClientRegistryDeps,
  ) {
    this.cache = new StalenessCache(config.cacheStalenessSeconds * 1000, CLIENT_REGISTRY_CACHE_MAX_ENTRIES);
  }

  /**
   * The identity to meter a token's client on.
   * @param clientId the principal's client id (`clientIdClaims`); empty when the token names none
   * @returns undefined when the client is refused: not registered (or no usable id) under
   *   `unknownClients: "deny"`, or under `"default-tier"` while the default-tier item does not exist
   * @throws ClientRegistryUnavailableError when the store cannot be read or an item does not parse
   */
  async identify(clientId: string): Promise<ClientIdentity | undefined> {
    const now = this.deps.clock();
    if (isAddressableClientId(clientId)) {
      const own = await this.lookup(clientItemKey(clientId), now);
      if (own !== undefined) return { tier: own.tier, apiKeyValue: own.apiKeyValue, source: 'registered' };
    }
    if (this.config.unknownClients !== 'default-tier') return undefined;
    const fallback = await this.lookup(DEFAULT_TIER_KEY, now);
    return fallback === undefined
      ? undefined
      : { tier: fallback.tier, apiKeyValue: fallback.apiKeyValue, source: 'default-tier' };
  }

  private async lookup(key: string, now: number): Promise<ClientRecord | undefined> {
    const cached = this.cache.get(key, now);
    if (cached !== undefined) return cached.value;
    let record: ClientRecord | undefined;
    try {
      record = await this.deps.store.get(key);
    } catch (cause) {
      // Errors and unparsable items are not cached: the next request asks again.
      throw new ClientRegistryUnavailableError('the client registry could not be read', { cause });
    }
    this.cache.set(key, record, now);
    return record;
  }
}

/**
 * Builds the registry for a configuration with a `clients` section: the table is
 * `clients.tableName`, else the `REVOCATION_TABLE_NAME` environment variable.
 * @throws ConfigError when neither names a table (fail closed at cold start)
 */
export function createClientRegistry(
  config: ClientRegistryConfig,
  deps: {
    readonly dynamo: DynamoDBClient;
    readonly env: NodeJS.ProcessEnv;
    readonly clock: () => number;
  },
): ClientRegistry {
  const tableName = storeTableName('auth.clients', config.tableName, deps.env);
  return new ClientRegistry(config, {
    store: new DynamoClientRegistryStore(deps.dynamo, tableName),
    clock: deps.clock,
  });
}
