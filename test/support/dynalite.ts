import {
  CreateTableCommand,
  DynamoDBClient,
  type AttributeDefinition,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { EDGE_TABLES, type TableDefinition } from '../../lambdas/shared/contracts/tables';

/** A dynalite (in-memory DynamoDB) a test started on 127.0.0.1 with the edge's tables. */
export interface TestDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A client for the endpoint (one attempt, no retries); destroyed by stop(). */
  readonly client: DynamoDBClient;
  /** Table name by logical name (`Nonces`, `ClientKeys`, `Revocations`); unique per start. */
  readonly tables: Readonly<Record<string, string>>;
  /** Table names by the env var a Lambda reads them from (`NONCE_TABLE_NAME` → name). */
  readonly tableEnv: Readonly<Record<string, string>>;
  /** A new client for the endpoint (callers destroy it). */
  newClient(): DynamoDBClient;
  stop(): Promise<void>;
}

/** A DynamoDB client for a local endpoint with dummy credentials and a single attempt. */
export function dynamoClientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

let counter = 0;

/**
 * Starts dynalite in-process on 127.0.0.1, port 0 (the OS picks), and creates the tables of
 * `EDGE_TABLES` (lambdas/shared/contracts/tables.ts), the definitions the stack deploys.
 * dynalite has no UpdateTimeToLive: TTL attributes are written but items do not expire.
 */
export async function startDynalite(tables: readonly TableDefinition[] = EDGE_TABLES): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoClientFor(endpoint);
  const names: Record<string, string> = {};
  const env: Record<string, string> = {};
  counter += 1;
  for (const table of tables) {
    const name = `${table.logicalName}-${process.pid}-${counter}`;
    const attributes: AttributeDefinition[] = [{ AttributeName: table.partitionKey, AttributeType: 'S' }];
    const keys: KeySchemaElement[] = [{ AttributeName: table.partitionKey, KeyType: 'HASH' }];
    if (table.sortKey !== undefined) {
      attributes.push({ AttributeName: table.sortKey, AttributeType: 'S' });
      keys.push({ AttributeName: table.sortKey, KeyType: 'RANGE' });
    }
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: attributes,
        KeySchema: keys,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    names[table.logicalName] = name;
    env[table.envVar] = name;
  }
  return {
    endpoint,
    client,
    tables: names,
    tableEnv: env,
    newClient: () => dynamoClientFor(endpoint),
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error?: Error | null) => {
          // dynalite's server reports success as null, node's http server as undefined.
          if (error === undefined || error === null) resolve();
          else reject(error);
        });
      });
    },
  };
}
