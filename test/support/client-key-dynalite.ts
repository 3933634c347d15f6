import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID, type KeyObject } from 'node:crypto';
import { generateClientKeyPair, loadPrivateKey } from '../../client/keys';
import type { SignatureAlgorithm } from '../../lambdas/shared/http-signatures/algorithms';
import {
  clientKeyToItem,
  type ClientKeyStatus,
} from '../../lambdas/shared/http-signatures/client-key-record';
import { startDynalite, type TestDynamo } from './dynalite';

/** The client-key record to write for a freshly generated key pair. */
export interface ClientKeySpec {
  /**
   * Algorithm of the generated key pair.
   * @default 'ed25519'
   */
  readonly algorithm?: SignatureAlgorithm;
  /** `ownerClientId` of the record: the client id (or token `sub`) allowed to sign with the key. */
  readonly owner: string;
  /**
   * `status` of the record.
   * @default 'active'
   */
  readonly status?: ClientKeyStatus;
  /** `createdAt` of the record, epoch seconds. */
  readonly createdAt: number;
}

/** A client key whose public half is in the client-key table; the private half signs requests. */
export interface RegisteredClientKey {
  /** `keyId` of the record (`key-<uuid>`, unique per call). */
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly algorithm: SignatureAlgorithm;
}

/** A dynalite with the edge's tables and one registered client key; see {@link startClientKeyDynalite}. */
export interface ClientKeyDynalite {
  /** The dynalite: its client, endpoint and table names (`tables.ClientKeys`, `tables.Nonces`, …). */
  readonly dynamo: TestDynamo;
  /** The key registered at start. */
  readonly clientKey: RegisteredClientKey;
  /** Stops dynalite and destroys its client. */
  close(): Promise<void>;
}

/**
 * Generates a key pair (real keys, made at run time) and writes its public JWK into the client-key
 * table of `dynamo` as `spec` describes, the way `npm run client-keys -- register` does.
 */
export async function registerClientKey(
  dynamo: TestDynamo,
  spec: ClientKeySpec,
): Promise<RegisteredClientKey> {
  const algorithm = spec.algorithm ?? 'ed25519';
  const pair = generateClientKeyPair(algorithm);
  const keyId = `key-${randomUUID()}`;
  await dynamo.client.send(
    new PutItemCommand({
      TableName: dynamo.tables.ClientKeys,
      Item: clientKeyToItem({
        keyId,
        ownerClientId: spec.owner,
        status: spec.status ?? 'active',
        algorithm,
        publicJwk: pair.publicJwk,
        createdAt: spec.createdAt,
      }),
    }),
  );
  return { keyId, privateKey: loadPrivateKey(pair.privateJwk), algorithm };
}

/**
 * Starts dynalite on 127.0.0.1, port 0, with the edge's tables (nonces, client keys, …: see
 * {@link startDynalite}) and registers one client key described by `spec`. Call `close()` when done
 * (usually in `afterAll`); register more keys with {@link registerClientKey}.
 */
export async function startClientKeyDynalite(spec: ClientKeySpec): Promise<ClientKeyDynalite> {
  const dynamo = await startDynalite();
  try {
    const clientKey = await registerClientKey(dynamo, spec);
    return { dynamo, clientKey, close: () => dynamo.stop() };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
