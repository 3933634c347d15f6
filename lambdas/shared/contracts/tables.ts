/**
 * The DynamoDB tables of the edge, defined once. The CDK stack creates them from these
 * definitions and the local edge creates the same tables in dynalite, so the two can never drift.
 *
 * Every table: on-demand billing, a single string partition key (and optional string sort key),
 * and a numeric TTL attribute holding seconds since the epoch.
 */
export interface TableDefinition {
  /** Logical name, used for construct ids, environment variable names and local table names. */
  readonly logicalName: string;
  /** Partition key attribute (type S). */
  readonly partitionKey: string;
  /** Sort key attribute (type S), if any. */
  readonly sortKey?: string;
  /** Attribute DynamoDB's TTL reads (type N, epoch seconds). */
  readonly ttlAttribute: string;
  /** Environment variable through which a Lambda receives the table name. */
  readonly envVar: string;
  /** What the table holds. */
  readonly description: string;
}

/** Request-signature nonces: one item per (keyid, nonce), written with a conditional put. */
export const NONCE_TABLE: TableDefinition = {
  logicalName: 'Nonces',
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  envVar: 'NONCE_TABLE_NAME',
  description: 'Request-signature nonces, kept for the replay window.',
};

/** Client public keys for signed requests: one item per keyid. */
export const CLIENT_KEY_TABLE: TableDefinition = {
  logicalName: 'ClientKeys',
  partitionKey: 'keyId',
  ttlAttribute: 'expiresAt',
  envVar: 'CLIENT_KEY_TABLE_NAME',
  description: 'Client public keys for HTTP Message Signatures (status, owner client id).',
};

/** Token revocations (by jti, sub or client id) and the client registry. */
export const REVOCATION_TABLE: TableDefinition = {
  logicalName: 'Revocations',
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  envVar: 'REVOCATION_TABLE_NAME',
  description: 'Token revocations by jti, subject or client; items expire with the token.',
};

/** Every table of the edge. */
export const EDGE_TABLES: readonly TableDefinition[] = [NONCE_TABLE, CLIENT_KEY_TABLE, REVOCATION_TABLE];
