import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The client registry, in the revocation table (REVOCATION_TABLE in lambdas/shared/contracts/tables.ts),
 * keyed by `pk`, without a TTL (registrations do not expire):
 *
 * - `client#<client id>`: the client's usage-plan tier and its API key (`tier`, `apiKeyId`,
 *   `apiKeyValue`, `updatedAt`); `clientId` repeats the id for listing.
 * - `client-default#`: the same for tokens whose client is absent or not registered, used only
 *   under `unknownClients: "default-tier"`.
 *
 * Neither prefix is a prefix of the other or of the revocation keys (`revoked#…`), and the client id
 * is appended verbatim after a fixed prefix, so no client id can address another client's item,
 * the default-tier item or a revocation. `apiKeyValue` is what API Gateway's `usageIdentifierKey`
 * needs (the key's value, not its id); it is never logged.
 */

/** Prefix of a registered client's item. */
export const CLIENT_ITEM_PREFIX = 'client#';
/** Key of the default-tier item (reserved: no client id maps to it). */
export const DEFAULT_TIER_KEY = 'client-default#';

/** Longest client id the registry addresses (the CLI registers nothing longer). */
export const MAX_CLIENT_ID_LENGTH = 256;

/** A tier: a usage plan name as `api.usagePlans[].name` allows it. */
export const TIER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** An API Gateway API key id (10 lower-case characters in AWS; the local key store uses hex). */
export const API_KEY_ID_PATTERN = /^[A-Za-z0-9]{1,64}$/;
/** An API key value as API Gateway accepts it: 20–128 printable ASCII characters. */
export const API_KEY_VALUE_PATTERN = /^[\x21-\x7E]{20,128}$/;

/**
 * Whether a client id can be looked up: 1–256 characters, well-formed Unicode, no whitespace and no
 * control characters. Anything else is treated as an unknown client without a lookup (a lone
 * surrogate or an oversized id must not turn into a DynamoDB validation error, i.e. a 500, nor be
 * rewritten into some other id on the way).
 */
export function isAddressableClientId(clientId: string): boolean {
  return (
    clientId.length > 0 &&
    clientId.length <= MAX_CLIENT_ID_LENGTH &&
    // whitespace, control characters and lone surrogates (\p{Cs} matches only unpaired ones under /u)
    !/[\s\p{Cc}\p{Cs}]/u.test(clientId)
  );
}

/** Key of a registered client's item. */
export function clientItemKey(clientId: string): string {
  return `${CLIENT_ITEM_PREFIX}${clientId}`;
}

/** True for keys of registry items (the client items and the default-tier item). */
export function isClientRegistryKey(pk: string): boolean {
  return pk.startsWith(CLIENT_ITEM_PREFIX) || pk === DEFAULT_TIER_KEY;
}

/** One registry item, as the authorizer uses it. */
export interface ClientRecord {
  readonly pk: string;
  /** Usage plan tier. */
  readonly tier: string;
  /** API Gateway API key id (for operators; never needed by the authorizer's answer). */
  readonly apiKeyId: string;
  /** The API key's value: the `usageIdentifierKey`. Never log it. */
  readonly apiKeyValue: string;
}

/** A registry item exists but does not parse. Only ever a `cause`; it never names a field's value. */
export class InvalidClientRecordError extends Error {
  override readonly name = 'InvalidClientRecordError';
  /** The attribute at fault. */
  readonly field: string;

  constructor(field: string) {
    super(`client registry item: ${field} is missing or invalid`);
    this.field = field;
  }
}

function text(item: Readonly<Record<string, AttributeValue>>, field: string, pattern: RegExp): string {
  // eslint-disable-next-line security/detect-object-injection -- field is one of the constant names below
  const value = item[field]?.S;
  if (value === undefined || !pattern.test(value)) throw new InvalidClientRecordError(field);
  return value;
}

/**
 * Parses a stored item read under `expectedKey`.
 * @throws InvalidClientRecordError when a field is missing or garbled, or the item is not the one
 *   asked for (fail closed: a corrupt registration must not silently meter a client on some key)
 */
export function clientRecordFromItem(
  item: Readonly<Record<string, AttributeValue>>,
  expectedKey: string,
): ClientRecord {
  if (item.pk?.S !== expectedKey) throw new InvalidClientRecordError('pk');
  return {
    pk: expectedKey,
    tier: text(item, 'tier', TIER_PATTERN),
    apiKeyId: text(item, 'apiKeyId', API_KEY_ID_PATTERN),
    apiKeyValue: text(item, 'apiKeyValue', API_KEY_VALUE_PATTERN),
  };
}

/** Reads registry items by key. */
export interface ClientRegistryStore {
  /**
   * @returns the item, or undefined when none has this key
   * @throws anything when the store cannot answer or the item does not parse (the caller fails closed)
   */
  get(key: string): Promise<ClientRecord | undefined>;
}

/** Reads registry items with one strongly consistent GetItem each. */
export class DynamoClientRegistryStore implements ClientRegistryStore {
  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(key: string): Promise<ClientRecord | undefined> {
    const answer = await this.dynamo.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: key } },
        // Strongly consistent: the delay bound of a tier or key change must not depend on replication lag.
        ConsistentRead: true,
      }),
    );
    return answer.Item === undefined ? undefined : clientRecordFromItem(answer.Item, key);
  }
}
