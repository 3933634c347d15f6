import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { JsonWebKey } from 'node:crypto';
import * as z from 'zod';
import { SIGNATURE_ALGORITHMS } from '../config/guard-config';

/**
 * One client key in the client-key table (`CLIENT_KEY_TABLE`, partition key `keyId`), written by
 * `npm run client-keys -- register` and read by the guard. The public JWK is stored as JSON text.
 */
export const CLIENT_KEY_STATUSES = ['active', 'revoked'] as const;
export type ClientKeyStatus = (typeof CLIENT_KEY_STATUSES)[number];

export const keyIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9._:@/+=-]+$/, { error: 'key ids use letters, digits and ._:@/+=- only' });

const publicJwkSchema = z
  .looseObject({ kty: z.enum(['OKP', 'EC']), crv: z.enum(['Ed25519', 'P-256']), x: z.string().min(1) })
  .refine((jwk) => !('d' in jwk) && !('p' in jwk) && !('q' in jwk) && !('k' in jwk), {
    error: 'a client key must be a public JWK (found a private member)',
  });

export const clientKeyRecordSchema = z.strictObject({
  keyId: keyIdSchema,
  ownerClientId: z.string().min(1).max(256),
  status: z.enum(CLIENT_KEY_STATUSES),
  algorithm: z.enum(SIGNATURE_ALGORITHMS),
  publicJwk: publicJwkSchema,
  createdAt: z.int().min(0),
  revokedAt: z.int().min(0).optional(),
});

export interface ClientKeyRecord {
  readonly keyId: string;
  /** OAuth client id (or token `sub`) that owns the key; must match the caller. */
  readonly ownerClientId: string;
  readonly status: ClientKeyStatus;
  readonly algorithm: (typeof SIGNATURE_ALGORITHMS)[number];
  readonly publicJwk: JsonWebKey;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds, when revoked. */
  readonly revokedAt?: number;
}

/** DynamoDB item for a record. */
export function clientKeyToItem(record: ClientKeyRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    keyId: { S: record.keyId },
    ownerClientId: { S: record.ownerClientId },
    status: { S: record.status },
    algorithm: { S: record.algorithm },
    publicJwk: { S: JSON.stringify(record.publicJwk) },
    createdAt: { N: String(record.createdAt) },
  };
  if (record.revokedAt !== undefined) item.revokedAt = { N: String(record.revokedAt) };
  return item;
}

function safeJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      throw new SyntaxError('forbidden key');
    return value;
  });
}

/**
 * Reads a DynamoDB item into a record; undefined when the item is malformed (treated as unknown
 * key by the guard, never as a valid one).
 */
export function clientKeyFromItem(
  item: Record<string, AttributeValue> | undefined,
): ClientKeyRecord | undefined {
  if (item === undefined) return undefined;
  try {
    const parsed = clientKeyRecordSchema.safeParse({
      keyId: item.keyId?.S,
      ownerClientId: item.ownerClientId?.S,
      status: item.status?.S,
      algorithm: item.algorithm?.S,
      publicJwk: item.publicJwk?.S === undefined ? undefined : safeJson(item.publicJwk.S),
      createdAt: item.createdAt?.N === undefined ? undefined : Number(item.createdAt.N),
      revokedAt: item.revokedAt?.N === undefined ? undefined : Number(item.revokedAt.N),
    });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
