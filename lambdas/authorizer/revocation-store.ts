import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hash } from 'node:crypto';

/**
 * The revocation table (REVOCATION_TABLE in lambdas/shared/contracts/tables.ts): one item per
 * revocation, keyed by `pk`, with the TTL attribute `expiresAt` (epoch seconds) so DynamoDB deletes
 * it once no token it kills can still be valid.
 *
 * - `revoked#jti#<jti>`: the token with this `jti`; `expiresAt` = the token's `exp`.
 * - `revoked#sub#<sub>` (any issuer) and `revoked#iss-sub#<encoded iss>#<sub>` (one issuer): every
 *   token of the subject with `iat` < `revokedBefore`; `expiresAt` = `revokedBefore` + the longest
 *   accepted token lifetime.
 * - `revoked#client#<client id>`: every token of the client with `iat` < `revokedBefore`; same TTL.
 *
 * The token itself is never stored: a jti revocation made from a pasted token keeps its SHA-256.
 *
 * A key longer than DynamoDB's partition-key limit (2048 bytes; `sub`, `jti` and client ids come
 * from the IdP and are not bounded by us) is stored as `revoked#long#<SHA-256 of the key>` instead,
 * so such a token can still be revoked and its lookup never fails on the key size. Keys within the
 * limit are unchanged.
 */

/** What a revocation item revokes. */
export type RevocationKind = 'jti' | 'sub' | 'client';

/** One revocation item, as the authorizer reads it. */
export interface RevocationRecord {
  readonly pk: string;
  readonly kind: RevocationKind;
  /** Epoch seconds: for `sub` and `client`, tokens with `iat` below it are revoked. */
  readonly revokedBefore?: number;
  /** Epoch seconds (TTL): the item is ignored from then on, even before DynamoDB deletes it. */
  readonly expiresAt: number;
}

/** Looks revocation items up by key. Only keys that exist are in the answer. */
export interface RevocationStore {
  /** @throws anything when the store cannot answer (the caller applies `onStoreError`) */
  lookup(keys: readonly string[]): Promise<ReadonlyMap<string, RevocationRecord>>;
}

const PREFIX = 'revoked#';

/** DynamoDB's largest partition key, in bytes (UTF-8). */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** The key as built, or its hashed form when it would not fit DynamoDB's partition-key limit. */
function fitted(key: string): string {
  if (
    key.length * 3 <= MAX_PARTITION_KEY_BYTES ||
    Buffer.byteLength(key, 'utf8') <= MAX_PARTITION_KEY_BYTES
  ) {
    return key;
  }
  return `${PREFIX}long#${hash('sha256', key, 'base64url')}`;
}

/** Key of a jti revocation. */
export function jtiRevocationKey(jti: string): string {
  return fitted(`${PREFIX}jti#${jti}`);
}

/** Key of a subject revocation, for one issuer or (iss undefined) every issuer. */
export function subjectRevocationKey(sub: string, iss?: string): string {
  return fitted(
    iss === undefined ? `${PREFIX}sub#${sub}` : `${PREFIX}iss-sub#${encodeURIComponent(iss)}#${sub}`,
  );
}

/** Key of a client revocation. */
export function clientRevocationKey(clientId: string): string {
  return fitted(`${PREFIX}client#${clientId}`);
}

/** True for keys this module writes (the CLI lists only these). */
export function isRevocationKey(pk: string): boolean {
  return pk.startsWith(PREFIX);
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  if (value?.N === undefined) return undefined;
  const n = Number(value.N);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses a stored item. An item that does not parse is treated as a revocation of everything it
 * could name (`revokedBefore` = +∞): a corrupt entry must not silently re-admit tokens.
 */
export function revocationFromItem(
  item: Readonly<Record<string, AttributeValue>>,
): RevocationRecord | undefined {
  const pk = item.pk?.S;
  if (pk === undefined) return undefined;
  const kindValue = item.kind?.S;
  const kind: RevocationKind =
    kindValue === 'jti' || kindValue === 'sub' || kindValue === 'client'
      ? kindValue
      : pk.startsWith(`${PREFIX}jti#`)
        ? 'jti'
        : pk.startsWith(`${PREFIX}client#`)
          ? 'client'
          : 'sub';
  const expiresAt = numberOf(item.expiresAt) ?? Number.POSITIVE_INFINITY;
  if (kind === 'jti') return { pk, kind, expiresAt };
  return { pk, kind, expiresAt, revokedBefore: numberOf(item.revokedBefore) ?? Number.POSITIVE_INFINITY };
}

/** DynamoDB allows 100 keys per BatchGetItem; the authorizer asks for at most 4. */
const MAX_KEYS = 100;

/** Reads revocation items with one strongly consistent BatchGetItem. */
export class DynamoRevocationStore implements RevocationStore {
  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async lookup(keys: readonly string[]): Promise<ReadonlyMap<string, RevocationRecord>> {
    const found = new Map<string, RevocationRecord>();
    const unique = [...new Set(keys)];
    if (unique.length === 0) return found;
    if (unique.length > MAX_KEYS) throw new RangeError(`at most ${MAX_KEYS} revocation keys per lookup`);
    const answer = await this.dynamo.send(
      new BatchGetItemCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: unique.map((pk) => ({ pk: { S: pk } })),
            // Strongly consistent: the delay bound must not depend on replication lag.
            ConsistentRead: true,
          },
        },
      }),
    );
    const unprocessed = answer.UnprocessedKeys?.[this.tableName]?.Keys?.length ?? 0;
    if (unprocessed > 0) throw new Error('the revocation store left keys unprocessed');
    for (const item of answer.Responses?.[this.tableName] ?? []) {
      const record = revocationFromItem(item);
      if (record !== undefined) found.set(record.pk, record);
    }
    return found;
  }
}
