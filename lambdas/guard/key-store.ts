import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyObject } from 'node:crypto';
import { publicKeyFromJwk } from '../shared/http-signatures/algorithms';
import { clientKeyFromItem, type ClientKeyRecord } from '../shared/http-signatures/client-key-record';
import { DependencyUnavailableError } from './errors';

/** A client key as the guard uses it: the record plus its imported public key. */
export interface ClientKey {
  readonly record: ClientKeyRecord;
  readonly publicKey: KeyObject;
}

export interface ClientKeyLookup {
  /** The key, or undefined when the table has no (valid) item for this id. Throws DependencyUnavailableError. */
  find(keyId: string): Promise<ClientKey | undefined>;
}

const MAX_CACHED_KEYS = 1000;

/**
 * Reads client keys from the client-key table (strongly consistent reads) and caches found keys
 * in memory for `ttlSeconds`, so a revocation bites within that time. Unknown ids are not cached.
 */
export class DynamoClientKeyStore implements ClientKeyLookup {
  private readonly cache = new Map<string, { key: ClientKey; until: number }>();

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number,
  ) {}

  async find(keyId: string): Promise<ClientKey | undefined> {
    const now = this.nowMs();
    const cached = this.cache.get(keyId);
    if (cached !== undefined && cached.until > now) return cached.key;
    this.cache.delete(keyId);

    let item;
    try {
      const out = await this.dynamo.send(
        new GetItemCommand({ TableName: this.tableName, Key: { keyId: { S: keyId } }, ConsistentRead: true }),
      );
      item = out.Item;
    } catch (cause) {
      throw new DependencyUnavailableError('client_keys', { cause });
    }
    const record = clientKeyFromItem(item);
    if (record?.keyId !== keyId) return undefined;
    let publicKey: KeyObject;
    try {
      publicKey = publicKeyFromJwk(record.publicJwk);
    } catch {
      return undefined;
    }
    const key = { record, publicKey };
    if (this.ttlSeconds > 0) {
      if (this.cache.size >= MAX_CACHED_KEYS) {
        const oldest = this.cache.keys().next();
        if (oldest.done !== true) this.cache.delete(oldest.value);
      }
      this.cache.set(keyId, { key, until: now + this.ttlSeconds * 1000 });
    }
    return key;
  }
}
