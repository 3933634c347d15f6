import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  paginateScan,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  API_KEY_ID_PATTERN,
  CLIENT_ITEM_PREFIX,
  clientItemKey,
  clientRecordFromItem,
  DEFAULT_TIER_KEY,
  InvalidClientRecordError,
  isClientRegistryKey,
  TIER_PATTERN,
} from '../lambdas/authorizer/client-registry-store';
import { flatItem } from './dynamo-client';

/**
 * Client registry items as the operator CLI writes and lists them (the authorizer reads `tier`,
 * `apiKeyId` and `apiKeyValue`; see lambdas/authorizer/client-registry-store.ts). A rotated-out key
 * stays in its usage plan for a grace period (`previous*`), so answers that API Gateway and the
 * authorizer still cache keep working until `prune-keys` (or the next rotation) deletes it.
 */
export interface ClientEntry {
  readonly pk: string;
  /** The client id; absent on the default-tier item. */
  readonly clientId?: string;
  readonly tier: string;
  readonly apiKeyId: string;
  /** The key value (`usageIdentifierKey`). Printed only with --show-key. */
  readonly apiKeyValue: string;
  /** Epoch seconds. */
  readonly updatedAt: number;
  /** A rotated-out key that still belongs to a usage plan, its tier and when it was replaced. */
  readonly previousApiKeyId?: string;
  readonly previousTier?: string;
  readonly previousRetiredAt?: number;
}

/** The key of an entry: a client, or the default tier. */
export type EntryTarget =
  { readonly kind: 'client'; readonly clientId: string } | { readonly kind: 'default' };

export function entryKey(target: EntryTarget): string {
  return target.kind === 'default' ? DEFAULT_TIER_KEY : clientItemKey(target.clientId);
}

/** How an entry is named in output: the client id, or `(default tier)`. */
export function entryName(entry: Pick<ClientEntry, 'clientId'>): string {
  return entry.clientId ?? '(default tier)';
}

function clientIdOf(pk: string): { clientId?: string } {
  return pk === DEFAULT_TIER_KEY ? {} : { clientId: pk.slice(CLIENT_ITEM_PREFIX.length) };
}

/**
 * An item of the registry, or undefined for other items (revocations) and garbled ones. What makes
 * an item usable is decided by the authorizer's own parser (`clientRecordFromItem`), so the CLI
 * cannot call an item fine that the authorizer refuses, or the other way round.
 */
export function entryFromItem(item: Readonly<Record<string, AttributeValue>>): ClientEntry | undefined {
  const pk = item.pk?.S;
  if (pk === undefined || !isClientRegistryKey(pk)) return undefined;
  let record;
  try {
    record = clientRecordFromItem(item, pk);
  } catch (error) {
    if (error instanceof InvalidClientRecordError) return undefined;
    throw error;
  }
  const updatedAt = Number(item.updatedAt?.N);
  const previousApiKeyId = item.previousApiKeyId?.S;
  const previousTier = item.previousTier?.S;
  const previousRetiredAt = item.previousRetiredAt?.N;
  return {
    pk,
    ...clientIdOf(pk),
    tier: record.tier,
    apiKeyId: record.apiKeyId,
    apiKeyValue: record.apiKeyValue,
    updatedAt: Number.isFinite(updatedAt) ? updatedAt : 0,
    ...(previousApiKeyId === undefined || previousTier === undefined || previousRetiredAt === undefined
      ? {}
      : { previousApiKeyId, previousTier, previousRetiredAt: Number(previousRetiredAt) }),
  };
}

/**
 * A registry item that exists but does not parse (the authorizer fails closed on it): its key and
 * whatever API keys it still names in a readable form, so `remove` can clear it and delete them.
 */
export interface GarbledEntry {
  readonly garbled: true;
  readonly pk: string;
  /** The client id; absent on the default-tier item. */
  readonly clientId?: string;
  /** The API keys the item names with a well-formed id, with their tier when that is well-formed too. */
  readonly apiKeys: readonly { readonly apiKeyId: string; readonly tier?: string }[];
}

/** Whether a read item is garbled rather than a usable entry. */
export function isGarbled(entry: ClientEntry | GarbledEntry): entry is GarbledEntry {
  return 'garbled' in entry;
}

/** The readable remains of a registry item that {@link entryFromItem} refuses. */
export function garbledFromItem(pk: string, item: Readonly<Record<string, AttributeValue>>): GarbledEntry {
  const key = (idField: string, tierField: string): { apiKeyId: string; tier?: string }[] => {
    // eslint-disable-next-line security/detect-object-injection -- the fields are the constant names below
    const apiKeyId = item[idField]?.S;
    // eslint-disable-next-line security/detect-object-injection -- the fields are the constant names below
    const tier = item[tierField]?.S;
    if (apiKeyId === undefined || !API_KEY_ID_PATTERN.test(apiKeyId)) return [];
    return [{ apiKeyId, ...(tier !== undefined && TIER_PATTERN.test(tier) ? { tier } : {}) }];
  };
  return {
    garbled: true,
    pk,
    ...clientIdOf(pk),
    apiKeys: [...key('apiKeyId', 'tier'), ...key('previousApiKeyId', 'previousTier')],
  };
}

/**
 * Reads one entry (strongly consistent). Undefined when absent; a {@link GarbledEntry} when the item
 * exists but does not parse.
 */
export async function getEntry(
  dynamo: DynamoDBClient,
  table: string,
  target: EntryTarget,
): Promise<ClientEntry | GarbledEntry | undefined> {
  const pk = entryKey(target);
  const out = await dynamo.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  if (out.Item === undefined) return undefined;
  return entryFromItem(out.Item) ?? garbledFromItem(pk, out.Item);
}

/** The entry was changed by someone else since it was read (or exists when it should not). */
export class EntryConflictError extends Error {
  override readonly name = 'EntryConflictError';
}

/**
 * A registry write failed in a way that leaves its outcome unknown (the write may have landed) and
 * the item could not be read back to tell. The new API key is kept, never deleted on a guess: the
 * message names its id (never its value) so the operator can check with `list` and clean up.
 */
export class EntryWriteUnconfirmedError extends Error {
  override readonly name = 'EntryWriteUnconfirmedError';
}

/**
 * Whether the stored item (strongly consistent read) names an API key id as its current or its
 * rotated-out key. API Gateway key ids are unique, so `true` proves that a write of an entry with
 * that key landed (perhaps changed again since), and `false` proves that it did not land, or was
 * already replaced by a change that also retired the key (a second replacement, a removal).
 * @throws whatever the read throws: then neither is proven
 */
export async function entryNamesApiKey(
  dynamo: DynamoDBClient,
  table: string,
  pk: string,
  apiKeyId: string,
): Promise<boolean> {
  const out = await dynamo.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return out.Item?.apiKeyId?.S === apiKeyId || out.Item?.previousApiKeyId?.S === apiKeyId;
}

/**
 * Writes an entry. `expected` guards against concurrent changes: `'absent'` (a new registration), or
 * the API key id the stored entry must still have.
 *
 * The client retries (the SDK default: 3 attempts in AWS), so a write whose answer was lost (a timeout,
 * a 5xx) may have landed before its retry fails its own guard: an EntryConflictError (or any other
 * error) does not prove that nothing was written. Callers that undo steps on failure check with
 * {@link entryNamesApiKey} first.
 * @throws EntryConflictError when the guard fails
 */
export async function putEntry(
  dynamo: DynamoDBClient,
  table: string,
  entry: ClientEntry,
  expected: 'absent' | { readonly apiKeyId: string },
): Promise<void> {
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: flatItem(entry),
        ...(expected === 'absent'
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'apiKeyId = :expected',
              ExpressionAttributeValues: { ':expected': { S: expected.apiKeyId } },
            }),
      }),
    );
  } catch (cause) {
    if (cause instanceof ConditionalCheckFailedException) {
      throw new EntryConflictError(`${entryName(entry)} changed meanwhile; run the command again`, { cause });
    }
    throw cause;
  }
}

/**
 * Deletes an entry if it still has the API key id it was read with; a garbled item if it still exists.
 * @throws EntryConflictError when it changed (or went) meanwhile
 */
export async function deleteEntry(
  dynamo: DynamoDBClient,
  table: string,
  entry: ClientEntry | GarbledEntry,
): Promise<void> {
  try {
    await dynamo.send(
      new DeleteItemCommand({
        TableName: table,
        Key: { pk: { S: entry.pk } },
        ...(isGarbled(entry)
          ? { ConditionExpression: 'attribute_exists(pk)' }
          : {
              ConditionExpression: 'apiKeyId = :expected',
              ExpressionAttributeValues: { ':expected': { S: entry.apiKeyId } },
            }),
      }),
    );
  } catch (cause) {
    if (cause instanceof ConditionalCheckFailedException) {
      throw new EntryConflictError(`${entryName(entry)} changed meanwhile; run the command again`, { cause });
    }
    throw cause;
  }
}

/** Every registry entry in the table (the default tier first, then by client id), and garbled items' keys. */
export async function listEntries(
  dynamo: DynamoDBClient,
  table: string,
): Promise<{ entries: ClientEntry[]; garbled: string[] }> {
  const entries: ClientEntry[] = [];
  const garbled: string[] = [];
  const input = {
    TableName: table,
    FilterExpression: 'begins_with(pk, :client)',
    // `client#` and `client-default#` both begin with `client`; revocations (`revoked#`) do not.
    ExpressionAttributeValues: { ':client': { S: 'client' } },
  };
  for await (const page of paginateScan({ client: dynamo }, input)) {
    for (const item of page.Items ?? []) {
      const entry = entryFromItem(item);
      if (entry !== undefined) entries.push(entry);
      else if (item.pk?.S !== undefined && isClientRegistryKey(item.pk.S)) garbled.push(item.pk.S);
    }
  }
  entries.sort((a, b) =>
    a.clientId === undefined ? -1 : b.clientId === undefined ? 1 : a.clientId.localeCompare(b.clientId),
  );
  return { entries, garbled: garbled.sort() };
}
