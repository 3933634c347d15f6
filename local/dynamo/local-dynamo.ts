import {
  CreateTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { EDGE_TABLES, type TableDefinition } from '../../lambdas/shared/contracts/tables';
import {
  closeServer,
  listenOnLoopback,
  LOOPBACK,
  misdirectedDetail,
  requestAddressedToLoopback,
} from '../listen';

/** The region and dummy credentials the local DynamoDB client uses (dynalite checks neither). */
export const LOCAL_REGION = 'local';

/** A running in-process dynalite with the edge's tables. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly port: number;
  /** Table name per logical name (`Nonces` → `Nonces`). */
  readonly tableNames: Readonly<Record<string, string>>;
  /** Environment a Lambda would get: `NONCE_TABLE_NAME=…` etc. */
  readonly tableEnv: Readonly<Record<string, string>>;
  /** A client for the local endpoint (callers must not destroy it; close() does). */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** The CreateTable input for one table definition: string keys, on-demand billing. */
export function createTableInput(
  table: TableDefinition,
  tableName: string,
): {
  TableName: string;
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  BillingMode: 'PAY_PER_REQUEST';
} {
  const attributes: AttributeDefinition[] = [{ AttributeName: table.partitionKey, AttributeType: 'S' }];
  const keys: KeySchemaElement[] = [{ AttributeName: table.partitionKey, KeyType: 'HASH' }];
  if (table.sortKey !== undefined) {
    attributes.push({ AttributeName: table.sortKey, AttributeType: 'S' });
    keys.push({ AttributeName: table.sortKey, KeyType: 'RANGE' });
  }
  return {
    TableName: tableName,
    AttributeDefinitions: attributes,
    KeySchema: keys,
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** A DynamoDB client for a local endpoint. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * DNS rebinding: dynalite answers only requests addressed to its own loopback port (as the local
 * identity provider and gateway do), so a browser page rebound to 127.0.0.1 cannot read or write
 * the local tables (client keys, revocations). Others get 421, in DynamoDB's error format.
 */
function answerOnlyLoopback(server: Server, port: () => number): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!requestAddressedToLoopback(req.rawHeaders, req.url ?? '/', port())) {
      res
        .writeHead(421, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' })
        .end(JSON.stringify({ __type: 'MisdirectedRequest', message: misdirectedDetail(port()) }));
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}

/**
 * Starts dynalite in-process on 127.0.0.1 (in memory) and creates exactly the tables of
 * `EDGE_TABLES`, the definitions the CDK stack uses. dynalite does not implement
 * UpdateTimeToLive, so TTL attributes are declared but items do not expire by themselves. Like the
 * other local servers it answers 421 to requests not addressed to its loopback port.
 */
export async function startLocalDynamo(
  port: number,
  tables: readonly TableDefinition[] = EDGE_TABLES,
): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const bound = await listenOnLoopback(server, port, {
    service: 'local DynamoDB (dynalite)',
    envVar: 'DYNAMO_PORT',
    flag: '--dynamo-port',
  });
  answerOnlyLoopback(server, () => bound);
  const endpoint = `http://${LOOPBACK}:${bound}`;
  const client = localDynamoClient(endpoint);
  const tableNames: Record<string, string> = {};
  const tableEnv: Record<string, string> = {};
  try {
    for (const table of tables) {
      await client.send(new CreateTableCommand(createTableInput(table, table.logicalName)));
      tableNames[table.logicalName] = table.logicalName;
      tableEnv[table.envVar] = table.logicalName;
    }
  } catch (error) {
    client.destroy();
    await closeServer(server);
    throw error;
  }
  return {
    endpoint,
    port: bound,
    tableNames,
    tableEnv,
    client,
    close: async () => {
      client.destroy();
      await closeServer(server);
    },
  };
}
