import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CLIENT_KEY_TABLE,
  EDGE_TABLES,
  NONCE_TABLE,
  REVOCATION_TABLE,
  type TableDefinition,
} from '../lambdas/shared/contracts/tables';

/** Properties of {@link EdgeTables}. */
export interface EdgeTablesProps {
  /** DynamoDB deletion protection on every table. @default true */
  readonly deletionProtection?: boolean;
  /** Keep the tables when the stack is deleted. @default true */
  readonly retainOnStackDelete?: boolean;
}

/**
 * The DynamoDB tables of the edge, created from the shared definitions in
 * `lambdas/shared/contracts/tables.ts` (the local edge creates the same ones in dynalite): on-demand
 * billing, point-in-time recovery, encryption with the AWS managed KMS key, a TTL attribute, and
 * deletion protection unless switched off.
 */
export class EdgeTables extends Construct {
  /** Request-signature nonces (request guard). */
  readonly nonces: dynamodb.Table;
  /** Client public keys (request guard). */
  readonly clientKeys: dynamodb.Table;
  /** Token revocations and the client registry (token lifecycle). */
  readonly revocations: dynamodb.Table;
  /** Every table, keyed by logical name. */
  readonly byLogicalName: ReadonlyMap<string, dynamodb.Table>;

  constructor(scope: Construct, id: string, props: EdgeTablesProps = {}) {
    super(scope, id);
    const tables = new Map<string, dynamodb.Table>();
    for (const definition of EDGE_TABLES) {
      tables.set(definition.logicalName, createEdgeTable(this, definition, props));
    }
    this.byLogicalName = tables;
    this.nonces = this.get(NONCE_TABLE);
    this.clientKeys = this.get(CLIENT_KEY_TABLE);
    this.revocations = this.get(REVOCATION_TABLE);
  }

  /** The table of a definition. */
  get(definition: TableDefinition): dynamodb.Table {
    const table = this.byLogicalName.get(definition.logicalName);
    if (table === undefined) throw new Error(`${this.node.path}: no table ${definition.logicalName}`);
    return table;
  }
}

/**
 * One table of the edge from its shared definition, with the defaults of {@link EdgeTables} (also used
 * by the attach-only stack for the revocation table).
 */
export function createEdgeTable(
  scope: Construct,
  definition: TableDefinition,
  props: EdgeTablesProps = {},
): dynamodb.Table {
  return new dynamodb.Table(scope, definition.logicalName, {
    partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey:
      definition.sortKey === undefined
        ? undefined
        : { name: definition.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: definition.ttlAttribute,
    deletionProtection: props.deletionProtection ?? true,
    removalPolicy: (props.retainOnStackDelete ?? true) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}
