/**
 * The client registry against dynalite (the real local DynamoDB on 127.0.0.1, port 0): a registered
 * client's tier and API key value (`usageIdentifierKey`), the unknown-client rule both ways, the
 * staleness bound of the in-Lambda lookup cache with an injected clock (never slept; the clock starts
 * at real time and only moves ahead, since aws-jwt-verify checks `exp` against real time), fail closed
 * on store errors and garbled items, client ids that try to address other items, and the key value
 * never reaching a log line.
 */
import { createServer, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CLIENT_REGISTRY_UNAVAILABLE,
  type PolicyAuthorizerResult,
  type SimpleAuthorizerResult,
} from '../../../lambdas/authorizer/authorizer';
import {
  clientItemKey,
  DEFAULT_TIER_KEY,
  isAddressableClientId,
} from '../../../lambdas/authorizer/client-registry-store';
import { createAuthorizer, type AuthorizerHandler } from '../../../lambdas/authorizer/handler';
import type { AuthorizerConfigInput } from '../../../lambdas/shared/config/authorizer-config';
import { ConfigError } from '../../../lambdas/shared/config/config-error';
import { putEntry, type ClientEntry } from '../../../cli/client-registry-items';
import { TEST_AUDIENCE, httpApiEvent, testAuthorizerConfig, tokenEvent } from '../../support/auth-config';
import { captureLogger, captureMetrics, manualClock } from '../../support/capture';
import { dynamoClientFor, startDynalite, type TestDynamo } from '../../support/dynalite';
import { generateEcKey, jwksOf } from '../../support/keys';
import { mintJwt, standardClaims } from '../../support/tokens';

const ISSUER = 'https://idp.example.com';
const key = generateEcKey({ kid: 'client-registry-test' });
const pinned = jwksOf(key) as never;

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const table = (): string => dynamo.tables.Revocations ?? '';
const newKeyValue = (): string => randomBytes(30).toString('base64url');
let counter = 0;
/** A client id no other test uses (the table is shared by the file). */
const uniqueClient = (name: string): string => `${name}-${String(++counter)}`;

/** Every key value a test wrote: none of them may ever appear in a log line. */
const writtenKeyValues: string[] = [];

async function register(clientId: string, tier: string): Promise<ClientEntry> {
  const apiKeyValue = newKeyValue();
  writtenKeyValues.push(apiKeyValue);
  const entry: ClientEntry = {
    pk: clientId === 'default' ? DEFAULT_TIER_KEY : clientItemKey(clientId),
    ...(clientId === 'default' ? {} : { clientId }),
    tier,
    apiKeyId: randomBytes(5).toString('hex'),
    apiKeyValue,
    updatedAt: Math.floor(Date.now() / 1000),
  };
  await putEntry(dynamo.client, table(), entry, 'absent');
  return entry;
}

async function putRaw(item: Record<string, AttributeValue>): Promise<void> {
  await dynamo.client.send(new PutItemCommand({ TableName: table(), Item: item }));
}

interface Harness {
  readonly handler: AuthorizerHandler;
  readonly clock: ReturnType<typeof manualClock>;
  readonly logger: ReturnType<typeof captureLogger>;
}

const loggers: ReturnType<typeof captureLogger>[] = [];

function build(
  clients: NonNullable<AuthorizerConfigInput['clients']>,
  options: {
    client?: DynamoDBClient;
    decisionCache?: AuthorizerConfigInput['decisionCache'];
    table?: string;
  } = {},
): Harness {
  const clock = manualClock();
  const logger = captureLogger();
  loggers.push(logger);
  const config = testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], {
    clients: { tableName: options.table ?? table(), ...clients },
    ...(options.decisionCache === undefined ? {} : { decisionCache: options.decisionCache }),
  });
  const handler = createAuthorizer(config, {
    clock: clock.now,
    logger,
    metrics: captureMetrics(),
    metricsFlushIntervalMs: 0,
    dynamo: options.client ?? dynamo.client,
  });
  return { handler, clock, logger };
}

/** A token of a client (`client_id` claim; `undefined` leaves the claim out). */
function token(h: Harness, clientId: string | undefined, roles: string[] = ['orders:read']): string {
  const now = Math.floor(h.clock.now() / 1000);
  return mintJwt(key, standardClaims(ISSUER, TEST_AUDIENCE, now, { roles, client_id: clientId }));
}

async function rest(
  h: Harness,
  jwt: string,
  method = 'GET',
  path = '/orders',
): Promise<PolicyAuthorizerResult> {
  return (await h.handler(tokenEvent(`Bearer ${jwt}`, method, path))) as PolicyAuthorizerResult;
}

const allows = (result: PolicyAuthorizerResult): boolean =>
  result.policyDocument.Statement.some((s) => s.Effect === 'Allow');

function lastDecision(h: Harness): Record<string, unknown> {
  const lines = h.logger.lines.filter((l) => l.message === 'authorizer decision');
  return lines[lines.length - 1]?.attributes ?? {};
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

describe('registered clients', () => {
  it('happy flow: two clients with different tiers get different usageIdentifierKey values and their tier in the context', async () => {
    const gold = await register(uniqueClient('gold-app'), 'gold');
    const free = await register(uniqueClient('free-app'), 'free');
    const h = build({});
    const a = await rest(h, token(h, gold.clientId));
    const b = await rest(h, token(h, free.clientId));
    expect(allows(a) && allows(b)).toBe(true);
    expect(a.usageIdentifierKey).toBe(gold.apiKeyValue);
    expect(b.usageIdentifierKey).toBe(free.apiKeyValue);
    expect(a.usageIdentifierKey).not.toBe(b.usageIdentifierKey);
    expect(a.context).toMatchObject({ clientId: gold.clientId, clientTier: 'gold' });
    expect(b.context).toMatchObject({ clientId: free.clientId, clientTier: 'free' });
    expect(lastDecision(h)).toMatchObject({ outcome: 'allow', reason: 'ok', clientId: free.clientId });
  });

  it('a refused route still carries the key and tier: API Gateway caches the answer for the token’s other routes', async () => {
    const client = await register(uniqueClient('cached-app'), 'gold');
    const h = build({});
    const denied = await rest(h, token(h, client.clientId), 'POST', '/orders');
    expect(lastDecision(h)).toMatchObject({ outcome: 'deny', reason: 'missing_role' });
    expect(denied.usageIdentifierKey).toBe(client.apiKeyValue);
    expect(denied.context.clientTier).toBe('gold');
    expect(allows(denied)).toBe(true); // GET /orders is allowed by the same cached policy
  });

  it('HTTP API (payload 2.0): the tier is in the context (HTTP APIs have no usage plans, so no key)', async () => {
    const client = await register(uniqueClient('http-app'), 'free');
    const h = build({});
    const result = (await h.handler(
      httpApiEvent(`Bearer ${token(h, client.clientId)}`, 'GET /orders', 'GET', '/orders'),
    )) as SimpleAuthorizerResult;
    expect(result.isAuthorized).toBe(true);
    expect(result.context).toMatchObject({ clientTier: 'free' });
    expect(JSON.stringify(result)).not.toContain(client.apiKeyValue);
  });

  it('off when `clients` is not configured: no key, no tier, no registry lookup', async () => {
    const h = (() => {
      const clock = manualClock();
      const logger = captureLogger();
      const handler = createAuthorizer(testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }]), {
        clock: clock.now,
        logger,
        metrics: captureMetrics(),
      });
      return { handler, clock, logger };
    })();
    const result = await rest(h, token(h, 'anything'));
    expect(result.usageIdentifierKey).toBeUndefined();
    expect(result.context.clientTier).toBeUndefined();
    expect(lastDecision(h).clientId).toBeUndefined();
  });
});

describe('unknown clients', () => {
  it.each([
    ['a client id that is not registered', 'never-registered'],
    ['a token without a client id claim', undefined],
  ])('error flow (deny): %s → 403 (no Allow at all), reason unknown_client, no key', async (_, clientId) => {
    await register('default', 'free').catch(() => undefined); // a default item must not matter under deny
    const h = build({ unknownClients: 'deny' });
    const result = await rest(h, token(h, clientId));
    expect(allows(result)).toBe(false);
    expect(result.policyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Resource: [expect.stringMatching(/\/\*$/)] }),
    ]);
    expect(result.usageIdentifierKey).toBeUndefined();
    expect(result.context.clientTier).toBeUndefined();
    expect(lastDecision(h)).toMatchObject({ outcome: 'deny', reason: 'unknown_client' });
    const http = (await h.handler(
      httpApiEvent(`Bearer ${token(h, clientId)}`, 'GET /orders', 'GET', '/orders'),
    )) as SimpleAuthorizerResult;
    expect(http).toEqual({ isAuthorized: false, context: {} });
  });

  it('default is deny', () => {
    expect(testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], { clients: {} }).clients).toEqual({
      cacheStalenessSeconds: 60,
      unknownClients: 'deny',
    });
  });
});

describe('unknown clients under "default-tier" (own table, so the default item can be absent)', () => {
  let own: TestDynamo;
  beforeAll(async () => {
    own = await startDynalite();
  });
  afterAll(async () => {
    await own.stop();
  });
  const ownTable = (): string => own.tables.Revocations ?? '';

  it('error flow: while the default-tier item does not exist, unknown clients are refused (403)', async () => {
    const h = build(
      { unknownClients: 'default-tier', cacheStalenessSeconds: 0 },
      { client: own.client, table: ownTable() },
    );
    expect(allows(await rest(h, token(h, 'stranger')))).toBe(false);
    expect(lastDecision(h)).toMatchObject({ reason: 'unknown_client' });
  });

  it('happy flow: unknown and absent client ids are metered on the default tier; registered ones on their own', async () => {
    const defaultKey = newKeyValue();
    const ownKey = newKeyValue();
    writtenKeyValues.push(defaultKey, ownKey);
    const common = { apiKeyId: 'abc123', updatedAt: 1 };
    await putEntry(
      own.client,
      ownTable(),
      { pk: DEFAULT_TIER_KEY, tier: 'free', apiKeyValue: defaultKey, ...common },
      'absent',
    );
    await putEntry(
      own.client,
      ownTable(),
      { pk: clientItemKey('known'), clientId: 'known', tier: 'gold', apiKeyValue: ownKey, ...common },
      'absent',
    );
    const h = build(
      { unknownClients: 'default-tier', cacheStalenessSeconds: 0 },
      { client: own.client, table: ownTable() },
    );
    for (const clientId of ['stranger', undefined, 'x'.repeat(300)]) {
      const result = await rest(h, token(h, clientId));
      expect(allows(result)).toBe(true);
      expect(result.usageIdentifierKey).toBe(defaultKey);
      expect(result.context.clientTier).toBe('free');
    }
    const known = await rest(h, token(h, 'known'));
    expect(known.usageIdentifierKey).toBe(ownKey);
    expect(known.context.clientTier).toBe('gold');
  });
});

describe('delay bound of the in-Lambda cache (clock injected)', () => {
  it.each([
    ['decision cache on', { maxEntries: 100, maxAgeSeconds: 600 }],
    ['decision cache off', { maxEntries: 0, maxAgeSeconds: 600 }],
  ])(
    'a registration and a tier change take effect no later than cacheStalenessSeconds after they are written (%s)',
    async (_, cache) => {
      const staleness = 30;
      const clientId = uniqueClient('late-app');
      const h = build({ cacheStalenessSeconds: staleness }, { decisionCache: cache });
      const jwt = token(h, clientId);
      expect(allows(await rest(h, jwt))).toBe(false); // "not registered" is now cached
      const first = await register(clientId, 'free');
      h.clock.advance(staleness - 1);
      expect(allows(await rest(h, jwt))).toBe(false); // served from the lookup cache, within the bound
      h.clock.advance(1);
      const registered = await rest(h, jwt); // at the bound the lookup is repeated
      expect(allows(registered)).toBe(true);
      expect(registered.usageIdentifierKey).toBe(first.apiKeyValue);
      expect(lastDecision(h)).toMatchObject({ reason: 'ok', cached: cache.maxEntries > 0 });

      const moved = { ...first, tier: 'gold', apiKeyValue: newKeyValue(), updatedAt: first.updatedAt + 1 };
      writtenKeyValues.push(moved.apiKeyValue);
      await putEntry(dynamo.client, table(), moved, { apiKeyId: first.apiKeyId });
      h.clock.advance(staleness - 1);
      expect((await rest(h, jwt)).context.clientTier).toBe('free');
      h.clock.advance(1);
      const after = await rest(h, jwt);
      expect(after.context.clientTier).toBe('gold');
      expect(after.usageIdentifierKey).toBe(moved.apiKeyValue);
    },
  );

  it('cacheStalenessSeconds 0 looks up on every decision', async () => {
    const clientId = uniqueClient('eager-app');
    const h = build({ cacheStalenessSeconds: 0 });
    const jwt = token(h, clientId);
    expect(allows(await rest(h, jwt))).toBe(false);
    await register(clientId, 'free');
    expect(allows(await rest(h, jwt))).toBe(true);
  });
});

describe('fail closed', () => {
  it.each([['deny'], ['default-tier']] as const)(
    'error flow: DynamoDB unreachable → 500 (never an allow, never the default tier), logged as error (unknownClients %s)',
    async (unknownClients) => {
      const client = dynamoClientFor(`http://127.0.0.1:${String(await closedPort())}`);
      try {
        const h = build({ unknownClients }, { client });
        const jwt = token(h, 'some-app');
        await expect(h.handler(tokenEvent(`Bearer ${jwt}`))).rejects.toMatchObject({
          message: CLIENT_REGISTRY_UNAVAILABLE,
          stack: `Error: ${CLIENT_REGISTRY_UNAVAILABLE}`,
        });
        expect(lastDecision(h)).toMatchObject({ outcome: 'error', reason: 'client_registry_unavailable' });
        await expect(
          h.handler(httpApiEvent(`Bearer ${jwt}`, 'GET /orders', 'GET', '/orders')),
        ).rejects.toMatchObject({ message: CLIENT_REGISTRY_UNAVAILABLE });
      } finally {
        client.destroy();
      }
    },
  );

  it('error flow: a missing table fails closed too', async () => {
    const h = build({}, { table: 'no-such-table' });
    await expect(h.handler(tokenEvent(`Bearer ${token(h, 'some-app')}`))).rejects.toMatchObject({
      message: CLIENT_REGISTRY_UNAVAILABLE,
    });
  });

  const good = (): Record<string, AttributeValue> => ({
    tier: { S: 'gold' },
    apiKeyId: { S: 'abc123' },
    apiKeyValue: { S: newKeyValue() },
    updatedAt: { N: '1' },
  });
  it.each<[string, (item: Record<string, AttributeValue>) => void]>([
    ['no tier', (item) => delete item.tier],
    ['a tier that is no usage plan name', (item) => (item.tier = { S: 'gold plan' })],
    ['a numeric tier', (item) => (item.tier = { N: '1' })],
    ['no apiKeyValue', (item) => delete item.apiKeyValue],
    ['a short apiKeyValue', (item) => (item.apiKeyValue = { S: 'short' })],
    ['an apiKeyValue with spaces', (item) => (item.apiKeyValue = { S: 'a b c d e f g h i j k l m n' })],
    ['an apiKeyValue that is a number', (item) => (item.apiKeyValue = { N: '12345678901234567890123' })],
    ['no apiKeyId', (item) => delete item.apiKeyId],
  ])(
    'error flow: a registry item with %s → 500, reason client_registry_unavailable; not cached',
    async (_, garble) => {
      const clientId = uniqueClient('garbled-app');
      const item: Record<string, AttributeValue> = { pk: { S: clientItemKey(clientId) }, ...good() };
      garble(item);
      const value = item.apiKeyValue?.S;
      if (value !== undefined) writtenKeyValues.push(value);
      await putRaw(item);
      const h = build({ unknownClients: 'default-tier' });
      const jwt = token(h, clientId);
      await expect(h.handler(tokenEvent(`Bearer ${jwt}`))).rejects.toMatchObject({
        message: CLIENT_REGISTRY_UNAVAILABLE,
      });
      expect(lastDecision(h)).toMatchObject({
        outcome: 'error',
        reason: 'client_registry_unavailable',
        errorName: 'InvalidClientRecordError',
      });
      await putRaw({ pk: { S: clientItemKey(clientId) }, ...good() }); // repaired: the next request sees it
      expect(allows(await rest(h, jwt))).toBe(true);
    },
  );
});

describe('attack: client ids that try to address another item', () => {
  const victim = 'acme';
  let victimEntry: ClientEntry;
  beforeAll(async () => {
    victimEntry = await register(victim, 'gold');
    await register('team#1', 'free');
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table(),
        Item: { pk: { S: 'revoked#client#acme' }, kind: { S: 'client' }, expiresAt: { N: '1' } },
      }),
    );
  });

  it.each([
    ['acme#', 'acme#'],
    ['#acme', '#acme'],
    ['acme#x', 'acme#x'],
    ['ACME', 'ACME'],
    ['acme + NUL', 'acme\u0000'],
    ['acme + space', 'acme '],
    ['space + acme', ' acme'],
    ['acme + zero-width space', 'acme\u200b'],
    ['acme + lone surrogate', 'acme\ud800'],
    ['-default# (the default item key without its prefix)', '-default#'],
    ['default#', 'default#'],
    ['empty', ''],
    ['#', '#'],
    ['revoked#client#acme (a revocation key)', 'revoked#client#acme'],
    ['client#acme (the item key itself)', 'client#acme'],
    ['team (a prefix of "team#1")', 'team'],
    ['team#', 'team#'],
    ['of 257 characters', 'a'.repeat(257)],
    ['of 5000 characters', 'a'.repeat(5000)],
  ])(
    'noncompliant: client id %s gets neither acme’s key nor the default tier (403, unknown_client)',
    async (_, clientId) => {
      const h = build({ unknownClients: 'deny', cacheStalenessSeconds: 0 });
      const result = await rest(h, token(h, clientId));
      expect(allows(result)).toBe(false);
      expect(result.usageIdentifierKey).toBeUndefined();
      expect(lastDecision(h)).toMatchObject({ reason: 'unknown_client' });
    },
  );

  it('compliant: the exact ids (also one containing #) get their own keys', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    expect((await rest(h, token(h, victim))).usageIdentifierKey).toBe(victimEntry.apiKeyValue);
    expect((await rest(h, token(h, 'team#1'))).context.clientTier).toBe('free');
  });

  it.each([
    ['', false],
    ['acme', true],
    ['team#1', true],
    ['ünïcode-ok', true],
    ['emoji-😀', true],
    ['tab\there', false],
    ['nul\u0000', false],
    ['lone\udc00', false],
  ])('addressable client id %j → %s', (clientId, expected) => {
    expect(isAddressableClientId(clientId)).toBe(expected);
  });

  it('the length bound: 256 characters are addressable, 257 are not', () => {
    expect(isAddressableClientId('x'.repeat(256))).toBe(true);
    expect(isAddressableClientId('x'.repeat(257))).toBe(false);
  });
});

describe('configuration', () => {
  it('error flow: clients configured without a table name (and no REVOCATION_TABLE_NAME) fails at cold start', () => {
    const saved = process.env.REVOCATION_TABLE_NAME;
    Reflect.deleteProperty(process.env, 'REVOCATION_TABLE_NAME');
    try {
      const config = testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], { clients: {} });
      expect(() => createAuthorizer(config, { logger: captureLogger(), metrics: captureMetrics() })).toThrow(
        ConfigError,
      );
    } finally {
      if (saved !== undefined) process.env.REVOCATION_TABLE_NAME = saved;
    }
  });

  it.each<[string, object]>([
    ['an unknown unknownClients policy', { unknownClients: 'allow' }],
    ['a staleness above 300 s', { cacheStalenessSeconds: 301 }],
    ['a negative staleness', { cacheStalenessSeconds: -1 }],
    ['a table name with a slash', { tableName: 'a/b' }],
    ['an unknown field', { defaultTier: 'free' }],
  ])('error flow: %s is rejected by the schema', (_, clients) => {
    expect(() => testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], { clients })).toThrow(ConfigError);
  });
});

describe('logging (runs last: it reads every line the tests above produced)', () => {
  it('the key value (usageIdentifierKey) is never logged, on any path: allow, deny, 500, garbled item', () => {
    const text = loggers.map((l) => l.text()).join('\n');
    expect(writtenKeyValues.length).toBeGreaterThan(10);
    expect(text).toContain('authorizer decision');
    for (const value of writtenKeyValues) expect(text).not.toContain(value);
  });
});
