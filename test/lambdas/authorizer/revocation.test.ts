/**
 * Token revocation against dynalite (the real local DynamoDB on 127.0.0.1, port 0): revocations by
 * jti, subject and client; the delay bound of the in-Lambda lookup cache with an injected clock (never
 * slept; the clock starts at real time and only moves ahead, since aws-jwt-verify checks `exp` against
 * real time); the store-error policy (fail closed, or the loud insecure opt-in).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { REVOCATION_UNAVAILABLE } from '../../../lambdas/authorizer/authorizer';
import { createAuthorizer, type AuthorizerHandler } from '../../../lambdas/authorizer/handler';
import { revokes, revocationKeysOf } from '../../../lambdas/authorizer/revocation-check';
import { MAX_PARTITION_KEY_BYTES, revocationFromItem } from '../../../lambdas/authorizer/revocation-store';
import type { AuthorizerConfigInput } from '../../../lambdas/shared/config/authorizer-config';
import { ConfigError } from '../../../lambdas/shared/config/config-error';
import { REVOCATION_STORE_ERROR_ACCEPTED_METRIC } from '../../../lambdas/shared/contracts/metrics';
import { jtiRevocation, putRevocation, revokedBeforeRevocation } from '../../../cli/revocations';
import { TEST_AUDIENCE, httpApiEvent, testAuthorizerConfig, tokenEvent } from '../../support/auth-config';
import { captureLogger, captureMetrics, manualClock } from '../../support/capture';
import { dynamoClientFor, startDynalite, type TestDynamo } from '../../support/dynalite';
import { generateEcKey, jwksOf } from '../../support/keys';
import { mintJwt, standardClaims } from '../../support/tokens';

const ISSUER = 'https://idp.example.com';
const OTHER_ISSUER = 'https://other-idp.example.com';
const key = generateEcKey({ kid: 'revocation-test' });
const pinned = jwksOf(key) as never;

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

function table(): string {
  return dynamo.tables.Revocations ?? '';
}

interface Harness {
  readonly handler: AuthorizerHandler;
  readonly clock: ReturnType<typeof manualClock>;
  readonly logger: ReturnType<typeof captureLogger>;
  readonly metrics: ReturnType<typeof captureMetrics>;
}

function build(
  revocation: NonNullable<AuthorizerConfigInput['revocation']>,
  options: { client?: DynamoDBClient; decisionCache?: AuthorizerConfigInput['decisionCache'] } = {},
): Harness {
  const clock = manualClock();
  const logger = captureLogger();
  const metrics = captureMetrics();
  const config = testAuthorizerConfig(
    [
      { issuer: ISSUER, jwks: pinned },
      { issuer: OTHER_ISSUER, jwks: pinned },
    ],
    {
      revocation: { tableName: table(), ...revocation },
      ...(options.decisionCache === undefined ? {} : { decisionCache: options.decisionCache }),
    },
  );
  const handler = createAuthorizer(config, {
    clock: clock.now,
    logger,
    metrics,
    metricsFlushIntervalMs: 0,
    dynamo: options.client ?? dynamo.client,
  });
  return { handler, clock, logger, metrics };
}

function token(h: Harness, claims: Record<string, unknown> = {}, issuer = ISSUER): string {
  const now = Math.floor(h.clock.now() / 1000);
  return mintJwt(key, standardClaims(issuer, TEST_AUDIENCE, now, { roles: ['orders:read'], ...claims }));
}

async function decide(h: Harness, jwt: string): Promise<'allow' | 'Unauthorized'> {
  try {
    await h.handler(tokenEvent(`Bearer ${jwt}`));
    return 'allow';
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') return 'Unauthorized';
    throw error;
  }
}

function lastDecision(h: Harness): Record<string, unknown> {
  const lines = h.logger.lines.filter((l) => l.message === 'authorizer decision');
  return lines[lines.length - 1]?.attributes ?? {};
}

const nowSeconds = (h: Harness): number => Math.floor(h.clock.now() / 1000);

describe('revocation by jti', () => {
  it('error flow: a revoked jti is denied (401, reason revoked) on the next uncached decision', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const jwt = token(h, { jti: 'jti-revoke-me' });
    const other = token(h, { jti: 'jti-keep-me' });
    expect(await decide(h, jwt)).toBe('allow');
    await putRevocation(
      dynamo.client,
      table(),
      jtiRevocation('jti-revoke-me', nowSeconds(h) + 300, nowSeconds(h), 60),
    );
    expect(await decide(h, jwt)).toBe('Unauthorized');
    expect(lastDecision(h)).toMatchObject({
      outcome: 'unauthorized',
      reason: 'revoked',
      jti: 'jti-revoke-me',
    });
    expect(h.logger.text()).not.toContain(jwt);
    expect(await decide(h, other)).toBe('allow');
  });

  it('happy flow: a revocation whose TTL has passed (not yet deleted by DynamoDB) no longer applies', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const jwt = token(h, { jti: 'jti-ttl-passed' });
    await putRevocation(
      dynamo.client,
      table(),
      jtiRevocation('jti-ttl-passed', nowSeconds(h) - 120, nowSeconds(h) - 200, 60),
    );
    expect(await decide(h, jwt)).toBe('allow');
  });
});

describe('revocation by subject', () => {
  it('error flow: kills tokens issued before it, not tokens issued after it', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const before = token(h, { sub: 'mallory' });
    const otherUser = token(h, { sub: 'alice' });
    expect(await decide(h, before)).toBe('allow');
    await putRevocation(
      dynamo.client,
      table(),
      revokedBeforeRevocation({ kind: 'sub', sub: 'mallory' }, nowSeconds(h), 3600, 60),
    );
    expect(await decide(h, before)).toBe('Unauthorized');
    expect(lastDecision(h)).toMatchObject({ reason: 'revoked', sub: 'mallory' });
    expect(await decide(h, otherUser)).toBe('allow');
    h.clock.advance(62); // the user signs in again after the revocation (and its clock-skew window of 60 s)
    const after = token(h, { sub: 'mallory' });
    expect(await decide(h, after)).toBe('allow');
  });

  it('error flow: a subject longer than DynamoDB allows in a key can still be revoked (hashed key)', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const longSub = `user-${'é'.repeat(1015)}`; // 1020 characters (sub may have 1024), 2035 bytes in UTF-8
    const jwt = token(h, { sub: longSub });
    expect(await decide(h, jwt)).toBe('allow');
    const entry = revokedBeforeRevocation(
      { kind: 'sub', sub: longSub, iss: ISSUER },
      nowSeconds(h),
      3600,
      60,
    );
    expect(Buffer.byteLength(entry.pk)).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
    await putRevocation(dynamo.client, table(), entry);
    expect(await decide(h, jwt)).toBe('Unauthorized');
    expect(lastDecision(h)).toMatchObject({ reason: 'revoked' });
  });

  it('error flow: a token issued in the same second as the revocation dies too', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const sameSecond = token(h, { sub: 'same-second' });
    await putRevocation(
      dynamo.client,
      table(),
      revokedBeforeRevocation({ kind: 'sub', sub: 'same-second' }, nowSeconds(h), 3600, 60),
    );
    expect(await decide(h, sameSecond)).toBe('Unauthorized');
  });

  it('an issuer-scoped revocation kills the subject of that issuer only', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const fromOther = token(h, { sub: 'bob' }, OTHER_ISSUER);
    const fromMain = token(h, { sub: 'bob' }, ISSUER);
    await putRevocation(
      dynamo.client,
      table(),
      revokedBeforeRevocation({ kind: 'sub', sub: 'bob', iss: OTHER_ISSUER }, nowSeconds(h), 3600, 60),
    );
    expect(await decide(h, fromOther)).toBe('Unauthorized');
    expect(await decide(h, fromMain)).toBe('allow');
  });
});

describe('revocation by client', () => {
  it('error flow: kills older tokens of the client, not those of other clients', async () => {
    const h = build({ cacheStalenessSeconds: 0 });
    const stolen = token(h, { client_id: 'leaky-app' });
    const fine = token(h, { client_id: 'good-app' });
    await putRevocation(
      dynamo.client,
      table(),
      revokedBeforeRevocation({ kind: 'client', clientId: 'leaky-app' }, nowSeconds(h), 3600, 60),
    );
    expect(await decide(h, stolen)).toBe('Unauthorized');
    expect(lastDecision(h)).toMatchObject({ reason: 'revoked', claim: 'client_id' });
    expect(await decide(h, fine)).toBe('allow');
    h.clock.advance(62); // past the revocation and its clock-skew window of 60 s
    expect(await decide(h, token(h, { client_id: 'leaky-app' }))).toBe('allow');
  });
});

describe('delay bound of the in-Lambda cache (clock injected)', () => {
  it.each([
    ['decision cache on', { maxEntries: 100, maxAgeSeconds: 600 }],
    ['decision cache off', { maxEntries: 0, maxAgeSeconds: 600 }],
  ])(
    'a revocation takes effect no later than cacheStalenessSeconds after it is written (%s)',
    async (_, cache) => {
      const staleness = 20;
      const h = build(
        { cacheStalenessSeconds: staleness, maxRevocationDelaySeconds: 900 },
        { decisionCache: cache },
      );
      const jti = `jti-bound-${String(cache.maxEntries)}`;
      const jwt = token(h, { jti });
      expect(await decide(h, jwt)).toBe('allow'); // the lookup ("not revoked") is now cached
      await putRevocation(dynamo.client, table(), jtiRevocation(jti, nowSeconds(h) + 300, nowSeconds(h), 60));
      h.clock.advance(staleness - 1);
      expect(await decide(h, jwt)).toBe('allow'); // served from the lookup cache, within the bound
      h.clock.advance(1);
      expect(await decide(h, jwt)).toBe('Unauthorized'); // at the bound the lookup is repeated
      expect(lastDecision(h)).toMatchObject({ reason: 'revoked', cached: cache.maxEntries > 0 });
    },
  );
});

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

describe('store errors', () => {
  it('error flow: DynamoDB unreachable → fail closed (500, never an allow), logged as error and counted', async () => {
    const client = dynamoClientFor(`http://127.0.0.1:${String(await closedPort())}`);
    try {
      const h = build({ cacheStalenessSeconds: 10 }, { client });
      const jwt = token(h);
      await expect(h.handler(tokenEvent(`Bearer ${jwt}`))).rejects.toMatchObject({
        message: REVOCATION_UNAVAILABLE,
        stack: `Error: ${REVOCATION_UNAVAILABLE}`,
      });
      expect(lastDecision(h)).toMatchObject({ outcome: 'error', reason: 'revocation_unavailable' });
      expect(h.metrics.published).toContainEqual(
        expect.objectContaining({ dimensions: { outcome: 'error', reason: 'revocation_unavailable' } }),
      );
      // HTTP API payload 2.0: also an error (500), not a simple {isAuthorized:false}
      await expect(
        h.handler(httpApiEvent(`Bearer ${jwt}`, 'GET /orders', 'GET', '/orders')),
      ).rejects.toMatchObject({ message: REVOCATION_UNAVAILABLE });
    } finally {
      client.destroy();
    }
  });

  it('error flow: a missing table fails closed too', async () => {
    const clock = manualClock();
    const config = testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], {
      revocation: { tableName: 'no-such-table' },
    });
    const handler = createAuthorizer(config, {
      clock: clock.now,
      logger: captureLogger(),
      metrics: captureMetrics(),
      dynamo: dynamo.client,
    });
    const jwt = mintJwt(
      key,
      standardClaims(ISSUER, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['orders:read'] }),
    );
    await expect(handler(tokenEvent(`Bearer ${jwt}`))).rejects.toMatchObject({
      message: REVOCATION_UNAVAILABLE,
    });
  });

  it('ALLOW_ON_STORE_ERROR_INSECURE: a revocation this Lambda already holds still applies while the store fails', async () => {
    // A working client whose every call fails once `failing` is set (a throttled or unreachable table).
    const client = dynamoClientFor(dynamo.endpoint);
    let failing = false;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (failing) {
          throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOnDemand' },
    );
    try {
      const h = build(
        { cacheStalenessSeconds: 60, onStoreError: 'ALLOW_ON_STORE_ERROR_INSECURE' },
        { client, decisionCache: { maxEntries: 0, maxAgeSeconds: 300 } },
      );
      const first = token(h, { client_id: 'leaky-app', jti: 'jti-a' });
      await putRevocation(
        dynamo.client,
        table(),
        revokedBeforeRevocation({ kind: 'client', clientId: 'leaky-app' }, nowSeconds(h), 3600, 60),
      );
      expect(await decide(h, first)).toBe('Unauthorized'); // store healthy: the client revocation is cached
      failing = true;
      // A new token of the same client has a new jti, which needs a lookup; the lookup fails.
      const second = token(h, { client_id: 'leaky-app', jti: 'jti-b' });
      expect(await decide(h, second)).toBe('Unauthorized');
      expect(lastDecision(h)).toMatchObject({ reason: 'revoked' });
      // Another client's token is accepted under the opt-in (logged and counted), as documented.
      expect(await decide(h, token(h, { client_id: 'good-app', jti: 'jti-c' }))).toBe('allow');
    } finally {
      client.destroy();
    }
  });

  it('ALLOW_ON_STORE_ERROR_INSECURE: accepts, and logs and counts every such event', async () => {
    const client = dynamoClientFor(`http://127.0.0.1:${String(await closedPort())}`);
    try {
      const h = build(
        { cacheStalenessSeconds: 10, onStoreError: 'ALLOW_ON_STORE_ERROR_INSECURE' },
        { client },
      );
      const jwt = token(h, { jti: 'jti-insecure' });
      expect(await decide(h, jwt)).toBe('allow');
      expect(await decide(h, jwt)).toBe('allow'); // a failed lookup is not cached: tried (and counted) again
      const warnings = h.logger.lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(2);
      expect(warnings[0]?.attributes).toMatchObject({
        reason: 'revocation_unavailable',
        onStoreError: 'ALLOW_ON_STORE_ERROR_INSECURE',
        jti: 'jti-insecure',
      });
      const counted = h.metrics.published.filter((p) =>
        p.metrics.includes(REVOCATION_STORE_ERROR_ACCEPTED_METRIC),
      );
      expect(counted).toHaveLength(2);
      expect(h.logger.text()).not.toContain(jwt);
    } finally {
      client.destroy();
    }
  });
});

describe('configuration', () => {
  it('error flow: revocation configured without a table name (and no REVOCATION_TABLE_NAME) fails at cold start', () => {
    const saved = process.env.REVOCATION_TABLE_NAME;
    Reflect.deleteProperty(process.env, 'REVOCATION_TABLE_NAME');
    try {
      const config = testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], { revocation: {} });
      expect(() => createAuthorizer(config, { logger: captureLogger(), metrics: captureMetrics() })).toThrow(
        ConfigError,
      );
    } finally {
      if (saved !== undefined) process.env.REVOCATION_TABLE_NAME = saved;
    }
  });

  it('defaults: fail closed, a small staleness', () => {
    const config = testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], { revocation: {} });
    expect(config.revocation).toEqual({
      cacheStalenessSeconds: 10,
      maxRevocationDelaySeconds: 600,
      onStoreError: 'deny',
    });
  });

  it('error flow: an unknown onStoreError value is rejected by the schema', () => {
    expect(() =>
      testAuthorizerConfig([{ issuer: ISSUER, jwks: pinned }], {
        revocation: { onStoreError: 'allow' as 'deny' },
      }),
    ).toThrow(ConfigError);
  });
});

describe('pure rules', () => {
  const subject = { sub: 's', iss: ISSUER, jti: 'j', clientId: 'c', iat: 1000 };
  it('keys: jti, subject (any issuer and this issuer), client; absent jti and client are not looked up', () => {
    expect(revocationKeysOf(subject)).toHaveLength(4);
    expect(revocationKeysOf({ ...subject, jti: '', clientId: '' })).toHaveLength(2);
  });
  it('keys never exceed DynamoDB’s partition-key limit; keys within it are unchanged; long ones stay distinct', () => {
    const long = (c: string) => c.repeat(2100);
    const keys = revocationKeysOf({
      sub: long('s'),
      iss: ISSUER,
      jti: long('j'),
      clientId: long('c'),
      iat: 1,
    });
    for (const k of keys) expect(Buffer.byteLength(k)).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
    expect(new Set(keys).size).toBe(4);
    expect(revocationKeysOf({ ...subject, sub: `${long('s')}x` })).not.toEqual(
      revocationKeysOf({ ...subject, sub: `${long('s')}y` }),
    );
    expect(revocationKeysOf(subject)).toEqual([
      'revoked#jti#j',
      'revoked#sub#s',
      `revoked#iss-sub#${encodeURIComponent(ISSUER)}#s`,
      'revoked#client#c',
    ]);
  });
  it('revokedBefore compares iat strictly; an expired item never revokes', () => {
    expect(revokes({ pk: 'p', kind: 'sub', revokedBefore: 1001, expiresAt: 5000 }, subject, 2000)).toBe(true);
    expect(revokes({ pk: 'p', kind: 'sub', revokedBefore: 1000, expiresAt: 5000 }, subject, 2000)).toBe(
      false,
    );
    expect(revokes({ pk: 'p', kind: 'jti', expiresAt: 2000 }, subject, 2000)).toBe(false);
  });
  it('error flow: a corrupt item (no revokedBefore, no expiresAt) revokes everything it names', () => {
    const record = revocationFromItem({ pk: { S: 'revoked#sub#s' } });
    expect(record).toBeDefined();
    expect(revokes(record!, subject, 2000)).toBe(true);
  });
});
