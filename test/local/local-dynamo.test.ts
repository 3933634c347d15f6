import { DescribeTableCommand, PutItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EDGE_TABLES } from '../../lambdas/shared/contracts/tables';
import { createTableInput, startLocalDynamo, type LocalDynamo } from '../../local/dynamo/local-dynamo';

describe('local DynamoDB (dynalite, in-process, 127.0.0.1 port 0)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    dynamo = await startLocalDynamo(0);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('listens on loopback only', () => {
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(EDGE_TABLES.map((t) => [t.logicalName, t] as const))(
    'creates table %s exactly as EDGE_TABLES declares it',
    async (_name, table) => {
      const out = await dynamo.client.send(
        new DescribeTableCommand({ TableName: dynamo.tableNames[table.logicalName] }),
      );
      const keys = out.Table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType]);
      expect(keys).toEqual([
        [table.partitionKey, 'HASH'],
        ...(table.sortKey === undefined ? [] : [[table.sortKey, 'RANGE']]),
      ]);
      expect(out.Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
      expect(dynamo.tableEnv[table.envVar]).toBe(table.logicalName);
    },
  );

  it('conditional writes work (what the nonce store relies on)', async () => {
    const table = dynamo.tableNames.Nonces ?? '';
    const put = (): Promise<unknown> =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: 'k1#n1' }, expiresAt: { N: '1' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put();
    await expect(put()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const got = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'k1#n1' } } }),
    );
    expect(got.Item?.expiresAt?.N).toBe('1');
  });

  it('createTableInput adds a sort key when a definition has one', () => {
    const input = createTableInput(
      {
        logicalName: 'X',
        partitionKey: 'pk',
        sortKey: 'sk',
        ttlAttribute: 't',
        envVar: 'X',
        description: '',
      },
      'X',
    );
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });
});
