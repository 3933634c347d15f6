import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError } from './errors';

export interface NonceStore {
  /**
   * Records a (keyid, nonce) pair until `expiresAt` (epoch seconds). Resolves true when this call
   * stored it first, false when it was already there (a replay). Throws DependencyUnavailableError.
   */
  claim(keyId: string, nonce: string, expiresAt: number): Promise<boolean>;
}

/**
 * Nonces in the nonce table: a conditional PutItem (`attribute_not_exists(pk)`) so that of any number
 * of concurrent copies exactly one succeeds. `expiresAt` is the table's TTL attribute.
 * Key ids never contain `|` (see keyIdSchema), so `keyid|nonce` is unambiguous.
 *
 * The client must make a single attempt (`maxAttempts: 1`). If the item is written but the answer
 * is lost (connection reset, timeout), an SDK retry meets the item this very call wrote, fails the
 * condition and would turn a legitimate first request into a replay (401). With one attempt the
 * lost answer is a DependencyUnavailableError (503): fail closed, the backend is not called, and
 * the client signs again with a new nonce (the consumed one stays consumed). Telling our own write
 * apart (a per-claim id read back through `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`) would
 * let the request through instead, but dynalite, the DynamoDB the tests run against, does not
 * return the old item, so that path could not be tested here.
 */
export class DynamoNonceStore implements NonceStore {
  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly tableName: string,
    private readonly nowSeconds: () => number,
  ) {}

  async claim(keyId: string, nonce: string, expiresAt: number): Promise<boolean> {
    try {
      await this.dynamo.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: `${keyId}|${nonce}` }, expiresAt: { N: String(expiresAt) } },
          // An expired item DynamoDB has not deleted yet does not block a new claim.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(this.nowSeconds()) } },
        }),
      );
      return true;
    } catch (cause) {
      if (cause instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError('nonces', { cause });
    }
  }
}
