/**
 * `npm run clients` against dynalite (the real local DynamoDB, 127.0.0.1 port 0). API Gateway's
 * control plane (CreateApiKey, CreateUsagePlanKey, DeleteUsagePlanKey, DeleteApiKey) cannot run here:
 * it is faked by an in-memory control plane that keeps keys and plan memberships, so the tests can
 * check which keys exist in which plan after each command. The AWS implementation's command sequence
 * is checked with a stubbed `send`; the local implementation (the local key store of `npm start`)
 * runs for real against dynalite. The real authorizer reads what the CLI wrote.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import {
  AwsApiKeyControlPlane,
  IncompleteApiKeyError,
  type ApiKeyControlPlane,
  type CreatedApiKey,
} from '../../cli/api-key-control-plane';
import type { CliIo } from '../../cli/cli-io';
import { parseUsagePlanIds, runClients } from '../../cli/clients';
import type { PolicyAuthorizerResult } from '../../lambdas/authorizer/authorizer';
import { createAuthorizer } from '../../lambdas/authorizer/handler';
import { LocalApiKeyResolver, scanLocalApiKeys } from '../../local/gateway/local-api-key-store';
import { writeLocalState } from '../../local/state-file';
import { TEST_AUDIENCE, testAuthorizerConfig, tokenEvent } from '../support/auth-config';
import { captureLogger, captureMetrics } from '../support/capture';
import { startDynalite, type TestDynamo } from '../support/dynalite';
import { generateEcKey, jwksOf } from '../support/keys';
import { mintJwt, standardClaims } from '../support/tokens';

const ISSUER = 'https://idp.example.com';
const key = generateEcKey({ kid: 'clients-cli-test' });
const START_MS = Date.now();
const PLANS = 'free=plan0free1,gold=plan0gold1';
const PLAN_ID: Readonly<Record<string, string>> = { free: 'plan0free1', gold: 'plan0gold1' };

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
const table = (): string => dynamo.tables.Revocations ?? '';

/** In-memory stand-in for API Gateway's key store (the AWS control plane cannot run in a test). */
class FakeControlPlane implements ApiKeyControlPlane {
  readonly keys = new Map<string, { value: string; plans: Set<string> }>();
  readonly calls: string[] = [];
  failAddToUsagePlan = false;
  /** DeleteApiKey fails (an API Gateway outage or a missing permission). */
  failDeleteApiKey = false;
  /** Runs after CreateUsagePlanKey succeeded: lets a test change the registry "meanwhile". */
  afterAddToUsagePlan: (() => Promise<void>) | undefined;
  /** Runs after DeleteApiKey succeeded, with the key id. */
  afterDeleteApiKey: ((apiKeyId: string) => Promise<void>) | undefined;

  createApiKey(): Promise<CreatedApiKey> {
    const id = randomBytes(5).toString('hex');
    const value = randomBytes(30).toString('base64url');
    this.keys.set(id, { value, plans: new Set() });
    this.calls.push('CreateApiKey');
    return Promise.resolve({ id, value });
  }
  async addToUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void> {
    this.calls.push(`CreateUsagePlanKey ${usagePlanId}`);
    const k = this.keys.get(apiKeyId);
    if (this.failAddToUsagePlan || k === undefined || k.plans.size > 0) {
      throw new ConflictException({ message: 'conflict', $metadata: {} });
    }
    k.plans.add(usagePlanId);
    await this.afterAddToUsagePlan?.();
  }
  removeFromUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void> {
    this.calls.push(`DeleteUsagePlanKey ${usagePlanId}`);
    this.keys.get(apiKeyId)?.plans.delete(usagePlanId);
    return Promise.resolve();
  }
  async deleteApiKey(apiKeyId: string): Promise<void> {
    this.calls.push('DeleteApiKey');
    if (this.failDeleteApiKey) throw new TooManyRequestsException({ message: 'slow down', $metadata: {} });
    this.keys.delete(apiKeyId);
    await this.afterDeleteApiKey?.(apiKeyId);
  }
  /** A key in a plan, made outside the CLI (for items a test writes itself). */
  async keyInPlan(usagePlanId: string): Promise<string> {
    const { id } = await this.createApiKey();
    await this.addToUsagePlan(usagePlanId, id);
    return id;
  }
  /** The plans of the key with this value (empty when the key does not exist). */
  plansOfValue(value: string): string[] {
    for (const k of this.keys.values()) if (k.value === value) return [...k.plans];
    return [];
  }
}

let nowMs = START_MS;
function io(env: Record<string, string> = {}): CliIo & { text: () => string; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: { REVOCATION_TABLE_NAME: table(), USAGE_PLAN_IDS: PLANS, ...env },
    now: () => nowMs,
    text: () => lines.join('\n'),
  };
}

/** Runs the CLI against dynalite with the fake AWS control plane. */
async function run(plane: FakeControlPlane, ...argv: string[]): Promise<{ code: number; text: string }> {
  const out = io();
  // The fake control plane stands in for API Gateway; DynamoDB is dynalite (--endpoint).
  const code = await runClients([...argv, '--endpoint', dynamo.endpoint], out, { controlPlane: plane });
  return { code, text: out.text() };
}

async function item(pk: string): Promise<Record<string, AttributeValue> | undefined> {
  const out = await dynamo.client.send(new GetItemCommand({ TableName: table(), Key: { pk: { S: pk } } }));
  return out.Item;
}

async function putItem(fields: Record<string, string>): Promise<void> {
  const Item = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { S: value }]));
  await dynamo.client.send(new PutItemCommand({ TableName: table(), Item }));
}

/** A well-formed item for `pk` on a key id the test makes up: what a concurrent CLI run could write. */
function concurrentItem(pk: string): Record<string, string> {
  return { pk, tier: 'gold', apiKeyId: 'concurrent1', apiKeyValue: 'c'.repeat(40) };
}

function authorizer(unknownClients: 'deny' | 'default-tier' = 'deny') {
  return createAuthorizer(
    testAuthorizerConfig([{ issuer: ISSUER, jwks: jwksOf(key) as never }], {
      clients: { tableName: table(), cacheStalenessSeconds: 0, unknownClients },
    }),
    { logger: captureLogger(), metrics: captureMetrics(), dynamo: dynamo.client, clock: () => nowMs },
  );
}

async function decide(clientId: string, unknownClients: 'deny' | 'default-tier' = 'deny') {
  const jwt = mintJwt(
    key,
    standardClaims(ISSUER, TEST_AUDIENCE, Math.floor(nowMs / 1000), {
      roles: ['orders:read'],
      client_id: clientId,
    }),
  );
  const result = (await authorizer(unknownClients)(tokenEvent(`Bearer ${jwt}`))) as PolicyAuthorizerResult;
  return {
    allowed: result.policyDocument.Statement.some((s) => s.Effect === 'Allow'),
    key: result.usageIdentifierKey,
    tier: result.context.clientTier,
  };
}

describe('register, set-tier, rotate-key, prune-keys, remove (fake AWS control plane)', () => {
  const plane = new FakeControlPlane();
  let firstValue = '';
  let secondValue = '';

  it('register: a new key in the tier’s usage plan, the item the authorizer reads; the key value is not printed', async () => {
    const { code, text } = await run(plane, 'register', '--client-id', 'acme', '--tier', 'free');
    expect(code).toBe(0);
    const stored = await item('client#acme');
    expect(stored).toMatchObject({ clientId: { S: 'acme' }, tier: { S: 'free' } });
    firstValue = stored?.apiKeyValue?.S ?? '';
    expect(firstValue).toHaveLength(40);
    expect(plane.plansOfValue(firstValue)).toEqual([PLAN_ID.free]);
    expect(text).toContain(`apiKeyId=${stored?.apiKeyId?.S ?? '?'}`);
    expect(text).not.toContain(firstValue);
    expect(await decide('acme')).toEqual({ allowed: true, key: firstValue, tier: 'free' });
  });

  it('error flow: registering the same client again → exit 2, and no key is left behind', async () => {
    const before = plane.keys.size;
    expect((await run(plane, 'register', '--client-id', 'acme', '--tier', 'gold')).code).toBe(2);
    expect(plane.keys.size).toBe(before);
  });

  it('set-tier: a new key in the new plan; the old key keeps its plan while caches may hand it out', async () => {
    nowMs += 10_000;
    const { code, text } = await run(plane, 'set-tier', '--client-id', 'acme', '--tier', 'gold');
    expect(code).toBe(0);
    const stored = await item('client#acme');
    secondValue = stored?.apiKeyValue?.S ?? '';
    expect(stored).toMatchObject({ tier: { S: 'gold' }, previousTier: { S: 'free' } });
    expect(plane.plansOfValue(secondValue)).toEqual([PLAN_ID.gold]);
    expect(plane.plansOfValue(firstValue)).toEqual([PLAN_ID.free]); // still valid: retiring
    expect(text).not.toContain(secondValue);
    expect(await decide('acme')).toEqual({ allowed: true, key: secondValue, tier: 'gold' });
  });

  it('error flow: another change while the rotated-out key is within its grace → exit 2, nothing changes', async () => {
    const keysBefore = plane.keys.size;
    const { code, text } = await run(plane, 'rotate-key', '--client-id', 'acme', '--grace', '600');
    expect(code).toBe(2);
    expect(text).toMatch(/rotated-out key/);
    expect(plane.keys.size).toBe(keysBefore);
    expect((await item('client#acme'))?.apiKeyValue?.S).toBe(secondValue);
  });

  it('prune-keys: deletes the rotated-out key once the grace has passed, not before', async () => {
    expect((await run(plane, 'prune-keys', '--grace', '600')).text).toContain('0 rotated-out key(s) deleted');
    expect(plane.plansOfValue(firstValue)).toEqual([PLAN_ID.free]);
    nowMs += 600_000;
    expect((await run(plane, 'prune-keys', '--grace', '600')).code).toBe(0);
    expect(plane.plansOfValue(firstValue)).toEqual([]);
    expect([...plane.keys.values()].some((k) => k.value === firstValue)).toBe(false);
    expect((await item('client#acme'))?.previousApiKeyId).toBeUndefined();
  });

  it('rotate-key: a new key in the same plan; with --grace 0 the rotated-out key of an earlier change goes at once', async () => {
    expect((await run(plane, 'rotate-key', '--client-id', 'acme')).code).toBe(0);
    const third = (await item('client#acme'))?.apiKeyValue?.S ?? '';
    expect(third).not.toBe(secondValue);
    expect(plane.plansOfValue(third)).toEqual([PLAN_ID.gold]);
    expect(plane.plansOfValue(secondValue)).toEqual([PLAN_ID.gold]);
    plane.calls.length = 0;
    expect((await run(plane, 'rotate-key', '--client-id', 'acme', '--grace', '0')).code).toBe(0);
    expect(plane.calls).toEqual([
      `DeleteUsagePlanKey ${PLAN_ID.gold}`,
      'DeleteApiKey',
      'CreateApiKey',
      `CreateUsagePlanKey ${PLAN_ID.gold}`,
    ]);
    expect(plane.plansOfValue(secondValue)).toEqual([]);
  });

  it('--show-key prints the value (explicit opt-in only)', async () => {
    const { text } = await run(plane, 'list', '--show-key');
    expect(text).toContain(`apiKeyValue=${(await item('client#acme'))?.apiKeyValue?.S ?? '?'}`);
  });

  it('remove: the item and both keys are gone; the authorizer refuses the client (403)', async () => {
    expect((await run(plane, 'remove', '--client-id', 'acme')).code).toBe(0);
    expect(await item('client#acme')).toBeUndefined();
    expect(plane.keys.size).toBe(0);
    expect(await decide('acme')).toMatchObject({ allowed: false, key: undefined });
  });
});

describe('default tier', () => {
  it('set-default-tier creates the default item, and moves it to another tier when called again', async () => {
    const plane = new FakeControlPlane();
    expect((await run(plane, 'set-default-tier', '--tier', 'free')).code).toBe(0);
    const first = (await item('client-default#'))?.apiKeyValue?.S ?? '';
    expect(await decide('stranger', 'default-tier')).toEqual({ allowed: true, key: first, tier: 'free' });
    expect(await decide('stranger', 'deny')).toMatchObject({ allowed: false });
    nowMs += 1000;
    expect((await run(plane, 'set-default-tier', '--tier', 'gold')).code).toBe(0);
    expect((await decide('stranger', 'default-tier')).tier).toBe('gold');
    const { text } = await run(plane, 'list');
    expect(text).toMatch(/^\(default tier\)\ttier=gold/m);
    expect((await run(plane, 'remove', '--default', '--grace', '0')).code).toBe(0);
    expect(await item('client-default#')).toBeUndefined();
  });
});

describe('list', () => {
  it('never prints key values without --show-key (text and JSON) and flags garbled items', async () => {
    const plane = new FakeControlPlane();
    await run(plane, 'register', '--client-id', 'lister', '--tier', 'free');
    const value = (await item('client#lister'))?.apiKeyValue?.S ?? '';
    await dynamo.client.send(
      new PutItemCommand({ TableName: table(), Item: { pk: { S: 'client#broken' }, tier: { S: 'free' } } }),
    );
    const text = await run(plane, 'list');
    expect(text.text).toMatch(/^lister\ttier=free\tapiKeyId=/m);
    expect(text.text).toMatch(/^client#broken\tGARBLED/m);
    expect(text.text).not.toContain(value);
    const json = await run(plane, 'list', '--json');
    const parsed = JSON.parse(json.text) as { entries: Record<string, unknown>[]; garbled: string[] };
    expect(parsed.entries.find((e) => e.clientId === 'lister')).not.toHaveProperty('apiKeyValue');
    expect(parsed.garbled).toEqual(['client#broken']);
    expect(json.text).not.toContain(value);
  });
});

describe('error flows', () => {
  it.each([
    ['an unknown command', ['promote', '--client-id', 'x']],
    ['register without --tier', ['register', '--client-id', 'x']],
    ['a client id with a space', ['register', '--client-id', 'a b', '--tier', 'free']],
    ['a client id of 257 characters', ['register', '--client-id', 'x'.repeat(257), '--tier', 'free']],
    ['a tier with a space', ['register', '--client-id', 'x', '--tier', 'free tier']],
    ['a tier without a usage plan id', ['register', '--client-id', 'x', '--tier', 'platinum']],
    ['--client-id and --default together', ['rotate-key', '--client-id', 'x', '--default']],
    ['set-tier of a client that is not registered', ['set-tier', '--client-id', 'nobody', '--tier', 'free']],
    ['an unknown flag', ['list', '--everything']],
  ])('%s → exit 2, no API key created', async (_, argv) => {
    const plane = new FakeControlPlane();
    const out = io();
    // An AWS-mode run: the fake control plane stands in for API Gateway, DynamoDB is dynalite.
    const code = await runClients(
      argv,
      { ...out, env: { ...out.env, DYNAMODB_ENDPOINT: dynamo.endpoint } },
      {
        controlPlane: plane,
      },
    );
    expect(code).toBe(2);
    expect(plane.calls.filter((c) => c === 'CreateApiKey')).toHaveLength(0);
  });

  it('error flow: without USAGE_PLAN_IDS in AWS mode a tier has no plan id → exit 2 naming the fix', async () => {
    const out = io({ USAGE_PLAN_IDS: '' });
    const plane = new FakeControlPlane();
    // No endpoint: AWS mode. DynamoDB is never reached because the plan id check comes first.
    const code = await runClients(['register', '--client-id', 'x', '--tier', 'free'], out, {
      controlPlane: plane,
    });
    expect(code).toBe(2);
    expect(out.text()).toContain('--usage-plans free=<id>');
    expect(plane.calls).toEqual([]);
  });

  it('rollback: when the key cannot join the usage plan, it is deleted again and nothing is registered', async () => {
    const plane = new FakeControlPlane();
    plane.failAddToUsagePlan = true;
    expect((await run(plane, 'register', '--client-id', 'unlucky', '--tier', 'free')).code).toBe(1);
    expect(plane.keys.size).toBe(0);
    expect(await item('client#unlucky')).toBeUndefined();
  });

  it.each([
    [
      'free=abc123,gold=def456',
      [
        ['free', 'abc123'],
        ['gold', 'def456'],
      ],
    ],
    [' free=abc123 , ', [['free', 'abc123']]],
  ])('parseUsagePlanIds(%j)', (text, expected) => {
    expect([...parseUsagePlanIds(text)]).toEqual(expected);
  });
  it.each([['free'], ['free=a=b'], ['free=ab-c'], ['fr ee=abc']])(
    'error flow: parseUsagePlanIds(%j) throws',
    (text) => {
      expect(() => parseUsagePlanIds(text)).toThrow();
    },
  );
});

describe('local control plane (the local key store of npm start, real against dynalite)', () => {
  it('register, rotate and prune through DYNAMODB_ENDPOINT: the local gateway resolves the current keys to their tier', async () => {
    let clock = 0;
    const resolver = new LocalApiKeyResolver(dynamo.client, table(), () => clock, 1000);
    const local = (argv: string[]) => {
      const out = io({ DYNAMODB_ENDPOINT: dynamo.endpoint, USAGE_PLAN_IDS: '' });
      return runClients(argv, out).then((code) => ({ code, text: out.text() }));
    };
    expect((await local(['register', '--client-id', 'local-app', '--tier', 'free'])).code).toBe(0);
    const first = (await item('client#local-app'))?.apiKeyValue?.S ?? '';
    expect(await resolver.resolve(first)).toMatchObject({ plan: 'free', value: first });

    expect((await local(['set-tier', '--client-id', 'local-app', '--tier', 'gold'])).code).toBe(0);
    const second = (await item('client#local-app'))?.apiKeyValue?.S ?? '';
    clock += 1000;
    expect(await resolver.resolve(second)).toMatchObject({ plan: 'gold' });
    expect(await resolver.resolve(first)).toMatchObject({ plan: 'free' }); // retiring, still valid

    expect((await local(['prune-keys', '--grace', '0'])).code).toBe(0);
    clock += 999;
    expect(await resolver.resolve(first)).toBeDefined(); // the snapshot is at most a second old
    clock += 1;
    expect(await resolver.resolve(first)).toBeUndefined();
    expect(await resolver.resolve('not-a-key')).toBeUndefined();

    expect((await local(['remove', '--client-id', 'local-app'])).code).toBe(0);
    expect((await scanLocalApiKeys(dynamo.client, table())).some((k) => k.value === second)).toBe(false);
  });
});

describe('--local: the running npm start, found through its state file', () => {
  it('reads the DynamoDB endpoint from <state-dir>/state.json and uses the local table and key store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clients-local-'));
    try {
      // The local edge's table is named after its logical name; this dynalite's is not, hence --table.
      await writeLocalState(dir, {
        pid: process.pid,
        gatewayUrl: 'http://127.0.0.1:1',
        issuer: 'http://127.0.0.1:2',
        tokenEndpoint: 'http://127.0.0.1:2/token',
        dynamoEndpoint: dynamo.endpoint,
        audience: 'orders-api',
        usagePlans: ['free', 'gold'],
      });
      const out = io({ REVOCATION_TABLE_NAME: '', USAGE_PLAN_IDS: '' });
      const argv = ['register', '--client-id', 'state-app', '--tier', 'free', '--local', '--state-dir', dir];
      expect(await runClients([...argv, '--table', table()], out)).toBe(0);
      const stored = await item('client#state-app');
      const keys = await scanLocalApiKeys(dynamo.client, table());
      expect(keys.find((k) => k.id === stored?.apiKeyId?.S)).toMatchObject({ usagePlanId: 'free' });

      // A tier the running edge does not have is refused before any key exists.
      const typo = io({ REVOCATION_TABLE_NAME: '', USAGE_PLAN_IDS: '' });
      const typoArgv = [
        'register',
        '--client-id',
        'typo-app',
        '--tier',
        'fre',
        '--local',
        '--state-dir',
        dir,
      ];
      expect(await runClients([...typoArgv, '--table', table()], typo)).toBe(2);
      expect(typo.text()).toContain('fre');
      expect(await item('client#typo-app')).toBeUndefined();
      expect(await scanLocalApiKeys(dynamo.client, table())).toHaveLength(keys.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('error flow: no running local edge (no state file) → exit 2 naming npm start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clients-local-'));
    try {
      const out = io();
      expect(await runClients(['list', '--local', '--state-dir', dir], out)).toBe(2);
      expect(out.text()).toContain('npm start');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AWS control plane (stubbed send: the real API Gateway cannot run here)', () => {
  /** An APIGatewayClient stand-in that records each command and answers with `answer(command)`. */
  function stub(answer: (command: object) => unknown = () => ({})) {
    const sent: { name: string; input: unknown }[] = [];
    const client = {
      send: (command: object): Promise<unknown> => {
        sent.push({ name: command.constructor.name, input: (command as { input: unknown }).input });
        const result = answer(command);
        return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
      },
    };
    return { sent, plane: new AwsApiKeyControlPlane(client) };
  }
  const answers =
    (byName: Partial<Record<string, unknown>>) =>
    (command: object): unknown =>
      byName[command.constructor.name] ?? {};

  it('sends CreateApiKey (enabled) and CreateUsagePlanKey (API_KEY) with the ids', async () => {
    const { sent, plane } = stub(
      answers({ CreateApiKeyCommand: { id: 'k1d2e3f4g5', value: 'v'.repeat(40) } }),
    );
    expect(await plane.createApiKey({ name: 'n', description: 'd' })).toEqual({
      id: 'k1d2e3f4g5',
      value: 'v'.repeat(40),
    });
    await plane.addToUsagePlan('plan123', 'k1d2e3f4g5');
    await plane.removeFromUsagePlan('plan123', 'k1d2e3f4g5');
    await plane.deleteApiKey('k1d2e3f4g5');
    expect(sent).toEqual([
      { name: CreateApiKeyCommand.name, input: { name: 'n', description: 'd', enabled: true } },
      {
        name: CreateUsagePlanKeyCommand.name,
        input: { usagePlanId: 'plan123', keyId: 'k1d2e3f4g5', keyType: 'API_KEY' },
      },
      { name: DeleteUsagePlanKeyCommand.name, input: { usagePlanId: 'plan123', keyId: 'k1d2e3f4g5' } },
      { name: DeleteApiKeyCommand.name, input: { apiKey: 'k1d2e3f4g5' } },
    ]);
  });

  it('deleting what is already gone (NotFoundException) is not an error; other errors are', async () => {
    const notFound = new NotFoundException({ message: 'gone', $metadata: {} });
    const { plane } = stub(answers({ DeleteUsagePlanKeyCommand: notFound, DeleteApiKeyCommand: notFound }));
    await expect(plane.removeFromUsagePlan('p', 'k')).resolves.toBeUndefined();
    await expect(plane.deleteApiKey('k')).resolves.toBeUndefined();
    const conflict = stub(
      answers({ CreateUsagePlanKeyCommand: new ConflictException({ message: 'x', $metadata: {} }) }),
    );
    await expect(conflict.plane.addToUsagePlan('p', 'k')).rejects.toBeInstanceOf(ConflictException);
  });

  it('error flow: CreateApiKey without a value → IncompleteApiKeyError', async () => {
    const { plane } = stub(answers({ CreateApiKeyCommand: { id: 'k1' } }));
    await expect(plane.createApiKey({ name: 'n', description: 'd' })).rejects.toBeInstanceOf(
      IncompleteApiKeyError,
    );
  });

  it('register then rotate through the CLI: the command sequence API Gateway receives', async () => {
    let n = 0;
    const { sent, plane: aws } = stub((command) =>
      command instanceof CreateApiKeyCommand
        ? { id: `key${String(++n)}abcdef`, value: randomBytes(30).toString('base64url') }
        : {},
    );
    const out = io({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    expect(
      await runClients(['register', '--client-id', 'aws-app', '--tier', 'gold'], out, { controlPlane: aws }),
    ).toBe(0);
    expect(await runClients(['rotate-key', '--client-id', 'aws-app'], out, { controlPlane: aws })).toBe(0);
    expect(await runClients(['remove', '--client-id', 'aws-app'], out, { controlPlane: aws })).toBe(0);
    expect(sent.map((s) => s.name)).toEqual([
      'CreateApiKeyCommand',
      'CreateUsagePlanKeyCommand',
      'CreateApiKeyCommand',
      'CreateUsagePlanKeyCommand',
      'DeleteUsagePlanKeyCommand',
      'DeleteApiKeyCommand',
      'DeleteUsagePlanKeyCommand',
      'DeleteApiKeyCommand',
    ]);
    expect(sent.filter((s) => s.name === 'CreateUsagePlanKeyCommand').map((s) => s.input)).toEqual([
      { usagePlanId: PLAN_ID.gold, keyId: 'key1abcdef', keyType: 'API_KEY' },
      { usagePlanId: PLAN_ID.gold, keyId: 'key2abcdef', keyType: 'API_KEY' },
    ]);
  });
});

describe('garbled registry items (the authorizer fails closed on them: the CLI must be able to clear them)', () => {
  it.each([
    ['register', 'client#garbled-a', ['register', '--client-id', 'garbled-a', '--tier', 'free']],
    ['set-tier', 'client#garbled-a', ['set-tier', '--client-id', 'garbled-a', '--tier', 'gold']],
    ['rotate-key', 'client#garbled-a', ['rotate-key', '--client-id', 'garbled-a']],
    ['set-default-tier', 'client-default#', ['set-default-tier', '--tier', 'free']],
    ['rotate-key --default', 'client-default#', ['rotate-key', '--default']],
  ])(
    'error flow: %s on a garbled item → exit 2 before any key is created; the item is unchanged',
    async (_, pk, argv) => {
      const plane = new FakeControlPlane();
      await putItem({ pk, tier: 'bad tier' });
      const { code, text } = await run(plane, ...argv);
      expect(code).toBe(2);
      expect(text).toMatch(/garbled item: run remove/);
      expect(plane.calls).toEqual([]);
      expect(await item(pk)).toEqual({ pk: { S: pk }, tier: { S: 'bad tier' } });
      await dynamo.client.send(new DeleteItemCommand({ TableName: table(), Key: { pk: { S: pk } } }));
    },
  );

  it('happy flow: remove clears a garbled client item and deletes the keys it names readably; register works again', async () => {
    const plane = new FakeControlPlane();
    const current = await plane.keyInPlan(PLAN_ID.free ?? '');
    const previous = await plane.keyInPlan(PLAN_ID.gold ?? '');
    // apiKeyValue too short (garbled); the previous key's tier is garbled: DeleteApiKey without a plan.
    await putItem({
      pk: 'client#garbled-b',
      tier: 'free',
      apiKeyId: current,
      apiKeyValue: 'short',
      previousApiKeyId: previous,
      previousTier: 'bad tier',
    });
    expect(await decide('garbled-b').catch((error: unknown) => error)).toBeInstanceOf(Error); // fails closed
    plane.calls.length = 0;
    const { code, text } = await run(plane, 'remove', '--client-id', 'garbled-b');
    expect(code).toBe(0);
    expect(await item('client#garbled-b')).toBeUndefined();
    expect(plane.keys.size).toBe(0);
    expect(plane.calls).toEqual([`DeleteUsagePlanKey ${PLAN_ID.free ?? ''}`, 'DeleteApiKey', 'DeleteApiKey']);
    expect(text).toContain(current);
    expect(text).toContain(previous);
    expect((await run(plane, 'register', '--client-id', 'garbled-b', '--tier', 'free')).code).toBe(0);
    expect((await run(plane, 'remove', '--client-id', 'garbled-b')).code).toBe(0);
  });

  it('happy flow: remove --default clears the reproduced item without any key id, naming where its keys may be', async () => {
    const plane = new FakeControlPlane();
    await putItem({ pk: 'client-default#', tier: 'bad tier' });
    const { code, text } = await run(plane, 'remove', '--default');
    expect(code).toBe(0);
    expect(await item('client-default#')).toBeUndefined();
    expect(plane.calls).toEqual([]);
    expect(text).toContain('edge-client-default-tier-');
    expect((await run(plane, 'set-default-tier', '--tier', 'free')).code).toBe(0);
    expect((await run(plane, 'remove', '--default')).code).toBe(0);
  });

  it('list no longer offers a dead end: the garbled line says remove, and remove works on it', async () => {
    const plane = new FakeControlPlane();
    await putItem({ pk: 'client#garbled-c', tier: 'bad tier' });
    expect((await run(plane, 'list')).text).toMatch(/^client#garbled-c\tGARBLED/m);
    expect((await run(plane, 'remove', '--client-id', 'garbled-c')).code).toBe(0);
    expect((await run(plane, 'list')).text).not.toContain('client#garbled-c');
  });
});

describe('partial failures are reported, not hidden', () => {
  it('error flow: remove when DeleteApiKey fails → exit 1 naming the leftover key ids (never their values)', async () => {
    const plane = new FakeControlPlane();
    expect((await run(plane, 'register', '--client-id', 'leftover', '--tier', 'free')).code).toBe(0);
    expect((await run(plane, 'rotate-key', '--client-id', 'leftover')).code).toBe(0);
    const stored = await item('client#leftover');
    plane.failDeleteApiKey = true;
    const { code, text } = await run(plane, 'remove', '--client-id', 'leftover');
    expect(code).toBe(1);
    expect(await item('client#leftover')).toBeUndefined();
    expect(text).toContain(stored?.apiKeyId?.S ?? '?');
    expect(text).toContain(stored?.previousApiKeyId?.S ?? '?');
    expect(text).toContain('TooManyRequestsException');
    for (const { value } of plane.keys.values()) expect(text).not.toContain(value);
  });

  it('error flow: prune-keys goes on past an entry that changed meanwhile → the others are pruned, exit 1 naming it', async () => {
    const plane = new FakeControlPlane();
    for (const id of ['prune-a', 'prune-b']) {
      expect((await run(plane, 'register', '--client-id', id, '--tier', 'free')).code).toBe(0);
      expect((await run(plane, 'rotate-key', '--client-id', id)).code).toBe(0);
    }
    const a = await item('client#prune-a');
    const b = await item('client#prune-b');
    // Another operator rotates prune-a while this prune is deleting its rotated-out key.
    plane.afterDeleteApiKey = async (apiKeyId) => {
      if (apiKeyId === a?.previousApiKeyId?.S) await putItem(concurrentItem('client#prune-a'));
    };
    const { code, text } = await run(plane, 'prune-keys', '--grace', '0');
    expect(code).toBe(1);
    expect(text).toMatch(/not pruned: prune-a;/);
    expect(text).toContain(`pruned prune-b: deleted key ${b?.previousApiKeyId?.S ?? '?'}`);
    expect((await item('client#prune-b'))?.previousApiKeyId).toBeUndefined();
    expect((await item('client#prune-a'))?.apiKeyId?.S).toBe('concurrent1');
    for (const pk of ['client#prune-a', 'client#prune-b'])
      await dynamo.client.send(new DeleteItemCommand({ TableName: table(), Key: { pk: { S: pk } } }));
  });
});

describe('rollback when the registry changed between the read and the write', () => {
  it('error flow: register loses the conditional put → exit 1; the new key leaves its plan and is deleted', async () => {
    const plane = new FakeControlPlane();
    // Another run registers the client while this one is creating its key.
    plane.afterAddToUsagePlan = () => putItem(concurrentItem('client#racer'));
    const { code } = await run(plane, 'register', '--client-id', 'racer', '--tier', 'free');
    expect(code).toBe(1);
    expect(plane.calls).toEqual([
      'CreateApiKey',
      `CreateUsagePlanKey ${PLAN_ID.free ?? ''}`,
      `DeleteUsagePlanKey ${PLAN_ID.free ?? ''}`,
      'DeleteApiKey',
    ]);
    expect(plane.keys.size).toBe(0);
    expect((await item('client#racer'))?.apiKeyId?.S).toBe('concurrent1');
    await dynamo.client.send(
      new DeleteItemCommand({ TableName: table(), Key: { pk: { S: 'client#racer' } } }),
    );
  });

  it('error flow: rotate-key loses the conditional put → exit 1; the new key is discarded, the old one kept', async () => {
    const plane = new FakeControlPlane();
    expect((await run(plane, 'register', '--client-id', 'racer2', '--tier', 'gold')).code).toBe(0);
    const old = (await item('client#racer2'))?.apiKeyValue?.S ?? '';
    plane.afterAddToUsagePlan = () => putItem(concurrentItem('client#racer2'));
    plane.calls.length = 0;
    expect((await run(plane, 'set-tier', '--client-id', 'racer2', '--tier', 'free')).code).toBe(1);
    expect(plane.calls).toEqual([
      'CreateApiKey',
      `CreateUsagePlanKey ${PLAN_ID.free ?? ''}`,
      `DeleteUsagePlanKey ${PLAN_ID.free ?? ''}`,
      'DeleteApiKey',
    ]);
    expect(plane.keys.size).toBe(1);
    expect(plane.plansOfValue(old)).toEqual([PLAN_ID.gold]);
    expect((await item('client#racer2'))?.apiKeyId?.S).toBe('concurrent1');
    await dynamo.client.send(
      new DeleteItemCommand({ TableName: table(), Key: { pk: { S: 'client#racer2' } } }),
    );
  });
});

describe('a registry write whose answer is lost (the SDK retry then fails its own condition)', () => {
  /**
   * A DynamoDB client with the SDK's retries (3 attempts, as the CLI has in AWS) against dynalite,
   * with a deserialize-step middleware that throws a TimeoutError after the first PutItem reached
   * dynalite and was applied there: the SDK retries it, and the retry fails the write's own
   * condition (ConditionalCheckFailedException → EntryConflictError). With `readsFail`, every
   * command after that first PutItem fails too (the item cannot be read back).
   */
  function lossyClient(readsFail = false): { client: DynamoDBClient; putAttempts: () => number } {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: readsFail ? 1 : 3,
    });
    let putAttempts = 0;
    let lost = false;
    const timeout = (): Error => Object.assign(new Error('answer lost'), { name: 'TimeoutError' });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (lost && readsFail) throw timeout();
        const isPut = context.commandName === 'PutItemCommand';
        if (isPut) putAttempts += 1;
        const result = await next(args);
        if (isPut && !lost) {
          lost = true;
          throw timeout();
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstPutItemAnswer' },
    );
    return { client, putAttempts: () => putAttempts };
  }

  async function runLossy(
    plane: FakeControlPlane,
    lossy: { client: DynamoDBClient },
    ...argv: string[]
  ): Promise<{ code: number; text: string }> {
    const out = io();
    const code = await runClients([...argv, '--endpoint', dynamo.endpoint], out, {
      controlPlane: plane,
      dynamo: lossy.client,
    });
    lossy.client.destroy();
    return { code, text: out.text() };
  }

  it('register: exit 0, the stored item names a key that exists in its plan; the authorizer admits the client on it', async () => {
    const plane = new FakeControlPlane();
    const lossy = lossyClient();
    const { code } = await runLossy(plane, lossy, 'register', '--client-id', 'lost-answer', '--tier', 'free');
    expect(lossy.putAttempts()).toBe(2); // the first put landed, its retry failed the condition
    expect(code).toBe(0);
    const stored = await item('client#lost-answer');
    const value = stored?.apiKeyValue?.S ?? '';
    expect(plane.plansOfValue(value)).toEqual([PLAN_ID.free]);
    expect(plane.calls).not.toContain('DeleteApiKey');
    expect(await decide('lost-answer')).toEqual({ allowed: true, key: value, tier: 'free' });
  });

  it.each([
    ['rotate-key', ['rotate-key', '--client-id', 'lost-rotate'], 'lost-rotate', 'free'],
    ['set-tier', ['set-tier', '--client-id', 'lost-tier', '--tier', 'gold'], 'lost-tier', 'gold'],
  ])(
    '%s: exit 0, the new key is kept (and the replaced one stays in its plan); the authorizer meters on the new key',
    async (_, argv, clientId, tier) => {
      const plane = new FakeControlPlane();
      expect((await run(plane, 'register', '--client-id', clientId, '--tier', 'free')).code).toBe(0);
      const old = (await item(`client#${clientId}`))?.apiKeyValue?.S ?? '';
      plane.calls.length = 0;
      const lossy = lossyClient();
      const { code } = await runLossy(plane, lossy, ...argv);
      expect(lossy.putAttempts()).toBe(2);
      expect(code).toBe(0);
      const stored = await item(`client#${clientId}`);
      const value = stored?.apiKeyValue?.S ?? '';
      expect(value).not.toBe(old);
      expect(plane.plansOfValue(value)).toEqual([PLAN_ID[tier]]);
      expect(plane.plansOfValue(old)).toEqual([PLAN_ID.free]); // retiring, still valid
      expect(plane.calls).not.toContain('DeleteApiKey');
      expect(await decide(clientId)).toEqual({ allowed: true, key: value, tier });
    },
  );

  it('error flow: the write fails and the item cannot be read back → exit 1 naming the kept key id; the key is not deleted', async () => {
    const plane = new FakeControlPlane();
    const lossy = lossyClient(true);
    const { code, text } = await runLossy(
      plane,
      lossy,
      'register',
      '--client-id',
      'lost-unknown',
      '--tier',
      'free',
    );
    expect(code).toBe(1);
    const stored = await item('client#lost-unknown'); // the put did land
    const keyId = stored?.apiKeyId?.S ?? '?';
    expect(text).toContain(keyId);
    expect(plane.calls).not.toContain('DeleteApiKey');
    expect(plane.plansOfValue(stored?.apiKeyValue?.S ?? '')).toEqual([PLAN_ID.free]);
    for (const { value } of plane.keys.values()) expect(text).not.toContain(value);
  });
});
