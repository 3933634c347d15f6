import { randomBytes, createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  paginateScan,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { LocalApiKey } from './usage-plans';

/**
 * The local stand-in for API Gateway's API key store: the keys `npm run clients` creates while it
 * talks to a local DynamoDB (the dynalite of `npm start`), one item per key in the same table as the
 * client registry, `local-apikey#<id>` → value, name, enabled, usage plan. The local gateway resolves
 * `usageIdentifierKey` (or `x-api-key`) values through it, so keys registered at run time are metered
 * on their plan like the configured ones. Locally a usage plan's id is its name (the tier).
 */

/** Item prefix (never used in AWS, where API Gateway keeps the keys). */
export const LOCAL_API_KEY_PREFIX = 'local-apikey#';

/** One key as the local store keeps it. */
export interface StoredLocalApiKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
  /** The usage plan (locally: the tier name) the key belongs to, if any. */
  readonly usagePlanId?: string;
}

/** A usage plan association that API Gateway would refuse (the key is in a plan already, or gone). */
export class LocalApiKeyConflictError extends Error {
  override readonly name = 'LocalApiKeyConflictError';
}

const keyOf = (id: string): Record<string, AttributeValue> => ({ pk: { S: `${LOCAL_API_KEY_PREFIX}${id}` } });

/** Creates a key: 40 random characters like API Gateway's values, and a 10-character id. */
export async function createLocalApiKey(
  dynamo: DynamoDBClient,
  table: string,
  name: string,
): Promise<StoredLocalApiKey> {
  const value = randomBytes(30).toString('base64url');
  const id = createHash('sha256').update(value).digest('hex').slice(0, 10);
  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ...keyOf(id),
        apiKeyId: { S: id },
        name: { S: name },
        value: { S: value },
        enabled: { BOOL: true },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { id, name, value, enabled: true };
}

/**
 * Puts a key into a usage plan (one plan per key: the local gateway has one stage).
 * @throws LocalApiKeyConflictError when the key does not exist or already belongs to a plan
 */
export async function addLocalApiKeyToPlan(
  dynamo: DynamoDBClient,
  table: string,
  id: string,
  usagePlanId: string,
): Promise<void> {
  try {
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: keyOf(id),
        UpdateExpression: 'SET usagePlanId = :plan',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usagePlanId)',
        ExpressionAttributeValues: { ':plan': { S: usagePlanId } },
      }),
    );
  } catch (cause) {
    if (cause instanceof ConditionalCheckFailedException) {
      throw new LocalApiKeyConflictError(`API key ${id} does not exist or already belongs to a usage plan`, {
        cause,
      });
    }
    throw cause;
  }
}

/** Takes a key out of a usage plan; nothing happens when it is not in that plan (or gone). */
export async function removeLocalApiKeyFromPlan(
  dynamo: DynamoDBClient,
  table: string,
  id: string,
  usagePlanId: string,
): Promise<void> {
  try {
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: keyOf(id),
        UpdateExpression: 'REMOVE usagePlanId',
        ConditionExpression: 'usagePlanId = :plan',
        ExpressionAttributeValues: { ':plan': { S: usagePlanId } },
      }),
    );
  } catch (cause) {
    if (!(cause instanceof ConditionalCheckFailedException)) throw cause;
  }
}

/** Deletes a key (idempotent). */
export async function deleteLocalApiKey(dynamo: DynamoDBClient, table: string, id: string): Promise<void> {
  await dynamo.send(new DeleteItemCommand({ TableName: table, Key: keyOf(id) }));
}

/** Every key of the local store. */
export async function scanLocalApiKeys(dynamo: DynamoDBClient, table: string): Promise<StoredLocalApiKey[]> {
  const keys: StoredLocalApiKey[] = [];
  const input = {
    TableName: table,
    FilterExpression: 'begins_with(pk, :prefix)',
    ExpressionAttributeValues: { ':prefix': { S: LOCAL_API_KEY_PREFIX } },
  };
  for await (const page of paginateScan({ client: dynamo }, input)) {
    for (const item of page.Items ?? []) {
      const id = item.apiKeyId?.S;
      const value = item.value?.S;
      if (id === undefined || value === undefined) continue;
      const plan = item.usagePlanId?.S;
      keys.push({
        id,
        value,
        name: item.name?.S ?? id,
        enabled: item.enabled?.BOOL === true,
        ...(plan === undefined ? {} : { usagePlanId: plan }),
      });
    }
  }
  return keys;
}

/** How fresh the local gateway's view of the key store is kept. */
export const LOCAL_KEY_REFRESH_MS = 1000;

/**
 * Resolves API key values for the local gateway's usage meter from the local key store, through a
 * snapshot refreshed when it is older than {@link LOCAL_KEY_REFRESH_MS}: a key created, moved or
 * deleted by `npm run clients` counts within about a second. A key that is disabled or in no plan
 * resolves to nothing (API Gateway answers 403 for it). When the store cannot be read, the last
 * snapshot stays in use.
 */
export class LocalApiKeyResolver {
  private byValue = new Map<string, LocalApiKey>();
  private refreshedAtMs = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
    private readonly clock: () => number,
    private readonly refreshMs = LOCAL_KEY_REFRESH_MS,
  ) {}

  async resolve(value: string): Promise<LocalApiKey | undefined> {
    if (this.clock() - this.refreshedAtMs >= this.refreshMs) await this.refresh();
    return this.byValue.get(value);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const keys = await scanLocalApiKeys(this.dynamo, this.table);
        this.byValue = new Map(
          keys
            .filter((k) => k.enabled && k.usagePlanId !== undefined)
            .map((k) => [k.value, { id: k.id, name: k.name, value: k.value, plan: k.usagePlanId ?? '' }]),
        );
        this.refreshedAtMs = this.clock();
      } catch {
        // Keep the last snapshot; the next request tries again.
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
