/**
 * The local stand-in for API Gateway's API key store (dynalite, 127.0.0.1 port 0) and how the local
 * gateway's usage meter consults it for keys issued at run time.
 */
import { createServer, type AddressInfo } from 'node:net';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  addLocalApiKeyToPlan,
  createLocalApiKey,
  deleteLocalApiKey,
  LOCAL_API_KEY_PREFIX,
  LocalApiKeyConflictError,
  LocalApiKeyResolver,
  removeLocalApiKeyFromPlan,
} from '../../local/gateway/local-api-key-store';
import { UsageMeter, type LocalApiKey } from '../../local/gateway/usage-plans';
import { buildLocalEdgeConfig } from '../../local/local-config';
import { dynamoClientFor, startDynalite, type TestDynamo } from '../support/dynalite';
import { apiOf, exampleConfig } from '../lib/edge-config-fixture';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
const table = (): string => dynamo.tables.Revocations ?? '';

describe('local API key store', () => {
  it('keys look like API Gateway’s: 40 random characters, a short id', async () => {
    const a = await createLocalApiKey(dynamo.client, table(), 'a');
    const b = await createLocalApiKey(dynamo.client, table(), 'b');
    expect(a.value).toHaveLength(40);
    expect(a.value).not.toBe(b.value);
    expect(a.id).toMatch(/^[0-9a-f]{10}$/);
  });

  it('a key resolves only while it is enabled and in a plan; the snapshot is at most refreshMs old', async () => {
    let now = 0;
    const resolver = new LocalApiKeyResolver(dynamo.client, table(), () => now, 1000);
    const key = await createLocalApiKey(dynamo.client, table(), 'resolver');
    expect(await resolver.resolve(key.value)).toBeUndefined(); // in no plan yet: API Gateway answers 403
    await addLocalApiKeyToPlan(dynamo.client, table(), key.id, 'gold');
    now += 1000;
    expect(await resolver.resolve(key.value)).toEqual({
      id: key.id,
      name: 'resolver',
      value: key.value,
      plan: 'gold',
    });
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: { pk: { S: `${LOCAL_API_KEY_PREFIX}${key.id}` } },
        UpdateExpression: 'SET enabled = :off',
        ExpressionAttributeValues: { ':off': { BOOL: false } },
      }),
    );
    now += 1000;
    expect(await resolver.resolve(key.value)).toBeUndefined(); // disabled
    await deleteLocalApiKey(dynamo.client, table(), key.id);
  });

  it('error flow: a key joins one plan only (the local gateway has one stage), and a missing key joins none', async () => {
    const key = await createLocalApiKey(dynamo.client, table(), 'one-plan');
    await addLocalApiKeyToPlan(dynamo.client, table(), key.id, 'free');
    await expect(addLocalApiKeyToPlan(dynamo.client, table(), key.id, 'gold')).rejects.toBeInstanceOf(
      LocalApiKeyConflictError,
    );
    await removeLocalApiKeyFromPlan(dynamo.client, table(), key.id, 'gold'); // not in it: no effect
    await removeLocalApiKeyFromPlan(dynamo.client, table(), key.id, 'free');
    await addLocalApiKeyToPlan(dynamo.client, table(), key.id, 'gold');
    await expect(addLocalApiKeyToPlan(dynamo.client, table(), 'nokey00000', 'gold')).rejects.toBeInstanceOf(
      LocalApiKeyConflictError,
    );
  });

  it('a store that cannot be read keeps the last snapshot', async () => {
    const key = await createLocalApiKey(dynamo.client, table(), 'outage');
    await addLocalApiKeyToPlan(dynamo.client, table(), key.id, 'free');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    let client = dynamo.newClient();
    let now = 0;
    // A client whose endpoint the test switches to a closed port (the store becomes unreachable).
    class SwitchingClient extends DynamoDBClient {
      override send = ((command: never) => client.send(command)) as DynamoDBClient['send'];
    }
    const resolver = new LocalApiKeyResolver(new SwitchingClient({}), table(), () => now, 1000);
    expect(await resolver.resolve(key.value)).toMatchObject({ plan: 'free' });
    client.destroy();
    client = dynamoClientFor(`http://127.0.0.1:${String(port)}`);
    now += 5000;
    expect(await resolver.resolve(key.value)).toMatchObject({ plan: 'free' });
    client.destroy();
  });
});

describe('the usage meter with keys issued at run time', () => {
  const issued: LocalApiKey = { id: 'abc1234567', name: 'issued', value: 'i'.repeat(40), plan: 'tiny' };
  const meter = new UsageMeter({
    plans: [{ name: 'tiny', throttle: { rateLimit: 0.01, burstLimit: 1 }, methodThrottles: [] }],
    keys: [],
    stageThrottle: { rateLimit: 1000, burstLimit: 1000 },
    stageMethodThrottles: [],
    resolveKey: (value) => Promise.resolve(value === issued.value ? issued : undefined),
  });

  it('a value that is not configured is looked up in the key store and metered on its plan', async () => {
    const key = await meter.lookupKey(issued.value);
    expect(meter.meterKey(key, 'GET', '/orders', 0)).toEqual({ ok: true, key: issued });
    expect(meter.meterKey(key, 'GET', '/orders', 0)).toMatchObject({ ok: false, response: 'THROTTLED' });
  });

  it.each([[undefined], [''], ['unknown-value']])('error flow: %j → INVALID_API_KEY', async (value) => {
    expect(meter.meterKey(await meter.lookupKey(value), 'GET', '/orders', 0)).toMatchObject({
      ok: false,
      response: 'INVALID_API_KEY',
    });
  });
});

describe('local configuration', () => {
  it('the client registry runs on the local table, never on a named AWS table', () => {
    const base = exampleConfig((raw) => {
      raw.auth.clients = { tableName: 'prod-registry', unknownClients: 'default-tier' };
      apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
    });
    const local = buildLocalEdgeConfig(base, { issuer: 'http://127.0.0.1:9400' });
    expect(local.auth.clients).toEqual({ cacheStalenessSeconds: 60, unknownClients: 'default-tier' });
  });
});
