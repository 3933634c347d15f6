/**
 * `npm run revocations` against dynalite (the real local DynamoDB, 127.0.0.1 port 0): revoke → the
 * authorizer denies → expire → it admits again; items carry the right TTL; the token itself is
 * never printed or stored (only its jti and SHA-256).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { hash } from 'node:crypto';
import type { CliIo } from '../../cli/cli-io';
import { runRevocations } from '../../cli/revocations';
import { MAX_CONTEXT_VALUE_LENGTH } from '../../lambdas/authorizer/claims';
import { createAuthorizer } from '../../lambdas/authorizer/handler';
import { clientRevocationKey, jtiRevocationKey } from '../../lambdas/authorizer/revocation-store';
import { TEST_AUDIENCE, testAuthorizerConfig, tokenEvent } from '../support/auth-config';
import { captureLogger, captureMetrics } from '../support/capture';
import { startDynalite, type TestDynamo } from '../support/dynalite';
import { generateEcKey, jwksOf } from '../support/keys';
import { mintJwt, standardClaims } from '../support/tokens';

const ISSUER = 'https://idp.example.com';
const key = generateEcKey({ kid: 'cli-test' });
const NOW_MS = Date.now();
const NOW = Math.floor(NOW_MS / 1000);

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const table = (): string => dynamo.tables.Revocations ?? '';

/** The operator's terminal; `nowMs` is the operator's clock. */
function io(nowMs = NOW_MS): CliIo & { text: () => string } {
  const lines: string[] = [];
  return {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: { REVOCATION_TABLE_NAME: table(), DYNAMODB_ENDPOINT: dynamo.endpoint },
    now: () => nowMs,
    text: () => lines.join('\n'),
  };
}

async function item(pk: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.client.send(new GetItemCommand({ TableName: table(), Key: { pk: { S: pk } } }));
  return out.Item;
}

/** The real authorizer (tokenLimits.clockSkewSeconds 60 by default), no lookup cache; `nowMs` is its clock. */
function authorizer(nowMs = NOW_MS) {
  return createAuthorizer(
    testAuthorizerConfig([{ issuer: ISSUER, jwks: jwksOf(key) as never }], {
      revocation: { tableName: table(), cacheStalenessSeconds: 0 },
    }),
    { logger: captureLogger(), metrics: captureMetrics(), dynamo: dynamo.client, clock: () => nowMs },
  );
}

const token = (claims: Record<string, unknown>): string =>
  mintJwt(key, standardClaims(ISSUER, TEST_AUDIENCE, NOW, { roles: ['orders:read'], ...claims }));

describe('revoke-token', () => {
  it('round trip: revoke a pasted token → the authorizer denies it → expire → admitted again; the token is never printed or stored', async () => {
    const handler = authorizer();
    const jwt = token({ jti: 'cli-jti-1', exp: NOW + 600 });
    await expect(handler(tokenEvent(`Bearer ${jwt}`))).resolves.toBeDefined();

    const revoke = io();
    expect(
      await runRevocations(['revoke-token', '--token', `Bearer ${jwt}`, '--clock-skew', '60'], revoke),
    ).toBe(0);
    expect(revoke.text()).toContain('cli-jti-1');
    expect(revoke.text()).not.toContain(jwt);
    const stored = await item('revoked#jti#cli-jti-1');
    expect(stored).toMatchObject({
      kind: { S: 'jti' },
      jti: { S: 'cli-jti-1' },
      expiresAt: { N: String(NOW + 600 + 60) }, // the token's exp + clock skew
      tokenSha256: { S: hash('sha256', jwt, 'base64url') },
    });
    expect(JSON.stringify(stored)).not.toContain(jwt);
    await expect(handler(tokenEvent(`Bearer ${jwt}`))).rejects.toThrow(/^Unauthorized$/);

    const list = io();
    expect(await runRevocations(['list'], list)).toBe(0);
    expect(list.text()).toContain('revoked#jti#cli-jti-1');
    expect(list.text()).not.toContain(jwt);

    expect(
      await runRevocations(['expire', '--id', 'revoked#jti#cli-jti-1', '--created-at', String(NOW)], io()),
    ).toBe(0);
    expect(await item('revoked#jti#cli-jti-1')).toBeUndefined();
    await expect(handler(tokenEvent(`Bearer ${jwt}`))).resolves.toBeDefined();
  });

  it('by --jti and --exp: TTL = exp + the default clock skew (300 s)', async () => {
    expect(
      await runRevocations(['revoke-token', '--jti', 'cli-jti-2', '--exp', String(NOW + 100)], io()),
    ).toBe(0);
    expect(await item('revoked#jti#cli-jti-2')).toMatchObject({ expiresAt: { N: String(NOW + 100 + 300) } });
    await expect(authorizer()(tokenEvent(`Bearer ${token({ jti: 'cli-jti-2' })}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it.each([
    ['a token without jti', (): string[] => ['revoke-token', '--token', token({ jti: undefined })]],
    ['not a JWT', (): string[] => ['revoke-token', '--token', 'not.a.jwt-secret-value']],
    ['--token and --jti together', (): string[] => ['revoke-token', '--token', token({}), '--jti', 'x']],
    ['--jti without --exp', (): string[] => ['revoke-token', '--jti', 'x']],
    ['an unknown flag', (): string[] => ['revoke-token', '--tokn', token({})]],
    ['an unknown command', (): string[] => ['revoke-everything']],
  ])('error flow: %s → exit 2, and the token is not echoed', async (_, args) => {
    const argv = args();
    const out = io();
    expect(await runRevocations(argv, out)).toBe(2);
    for (const arg of argv) if (arg.length > 20) expect(out.text()).not.toContain(arg);
  });
});

describe('revoke-user and revoke-client', () => {
  it('revoke-user: tokens issued before now+1+clock skew die; TTL = revokedBefore + max lifetime + clock skew', async () => {
    const out = io();
    const args = ['revoke-user', '--sub', 'eve', '--max-lifetime', '3600', '--clock-skew', '60'];
    expect(await runRevocations(args, out)).toBe(0);
    expect(await item('revoked#sub#eve')).toMatchObject({
      kind: { S: 'sub' },
      revokedBefore: { N: String(NOW + 1 + 60) },
      expiresAt: { N: String(NOW + 1 + 60 + 3600 + 60) },
    });
    await expect(authorizer()(tokenEvent(`Bearer ${token({ sub: 'eve' })}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect(authorizer()(tokenEvent(`Bearer ${token({ sub: 'adam' })}`))).resolves.toBeDefined();
  });

  it('revoke-user --iss: scoped to the issuer; default TTL margin is the schema maximum', async () => {
    expect(await runRevocations(['revoke-user', '--sub', 'ivy', '--iss', ISSUER], io())).toBe(0);
    const pk = `revoked#iss-sub#${encodeURIComponent(ISSUER)}#ivy`;
    expect(await item(pk)).toMatchObject({
      iss: { S: ISSUER },
      expiresAt: { N: String(NOW + 1 + 300 + 86_400 + 300) },
    });
    await expect(authorizer()(tokenEvent(`Bearer ${token({ sub: 'ivy' })}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('revoke-client: the client’s tokens die, others live', async () => {
    expect(
      await runRevocations(['revoke-client', '--client-id', 'bad-app', '--max-lifetime', '600'], io()),
    ).toBe(0);
    expect(await item('revoked#client#bad-app')).toMatchObject({
      kind: { S: 'client' },
      expiresAt: { N: String(NOW + 1 + 300 + 600 + 300) },
    });
    await expect(authorizer()(tokenEvent(`Bearer ${token({ client_id: 'bad-app' })}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect(
      authorizer()(tokenEvent(`Bearer ${token({ client_id: 'good-app' })}`)),
    ).resolves.toBeDefined();
  });

  it('error flow: expire of an unknown id → exit 2; of a non-revocation key → exit 2; without --created-at → exit 2', async () => {
    expect(
      await runRevocations(['expire', '--id', 'revoked#jti#nope', '--created-at', String(NOW)], io()),
    ).toBe(2);
    expect(
      await runRevocations(['expire', '--id', 'client#someone', '--created-at', String(NOW)], io()),
    ).toBe(2);
    expect(await runRevocations(['expire', '--id', 'revoked#sub#eve'], io())).toBe(2);
    expect(await item('revoked#sub#eve')).toBeDefined();
  });

  it('list --json: parseable, with every revocation', async () => {
    const out = io();
    expect(await runRevocations(['list', '--json'], out)).toBe(0);
    const entries = JSON.parse(out.text()) as { pk: string }[];
    expect(entries.map((e) => e.pk)).toEqual(
      expect.arrayContaining(['revoked#sub#eve', 'revoked#client#bad-app']),
    );
  });
});

/** The createdAt `list --json` shows for a key: what an operator passes to `expire --created-at`. */
async function listedCreatedAt(pk: string): Promise<number | undefined> {
  const out = io();
  expect(await runRevocations(['list', '--json'], out)).toBe(0);
  return (JSON.parse(out.text()) as { pk: string; createdAt?: number }[]).find((e) => e.pk === pk)?.createdAt;
}

describe('a revocation is never weakened by a later write (real authorizer, cacheStalenessSeconds 0)', () => {
  it('error flow: revoke-user by an operator with a slow clock keeps the stricter revokedBefore → exit 0, unchanged; revoked tokens stay revoked', async () => {
    const skew = ['--clock-skew', '60'];
    expect(await runRevocations(['revoke-user', '--sub', 'slow-clock', ...skew], io())).toBe(0);
    const revokedToken = token({ sub: 'slow-clock', iat: NOW }); // issued before the first revocation
    await expect(authorizer()(tokenEvent(`Bearer ${revokedToken}`))).rejects.toThrow(/^Unauthorized$/);

    const slow = io(NOW_MS - 100_000); // this operator's clock is 100 s behind
    expect(await runRevocations(['revoke-user', '--sub', 'slow-clock', ...skew], slow)).toBe(0);
    expect(slow.text()).toMatch(/^unchanged:/);
    expect(await item('revoked#sub#slow-clock')).toMatchObject({
      revokedBefore: { N: String(NOW + 1 + 60) },
      createdAt: { N: String(NOW) },
    });
    await expect(authorizer()(tokenEvent(`Bearer ${revokedToken}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it('error flow: a second revoke-token with a smaller --exp keeps the later expiresAt → the token stays revoked past the smaller one', async () => {
    const args = ['revoke-token', '--jti', 'smaller-exp', '--clock-skew', '60', '--exp'];
    expect(await runRevocations([...args, String(NOW + 600)], io())).toBe(0);
    const again = io(NOW_MS + 5000);
    expect(await runRevocations([...args, String(NOW + 100)], again)).toBe(0);
    expect(again.text()).toMatch(/^unchanged:/);
    expect(await item('revoked#jti#smaller-exp')).toMatchObject({ expiresAt: { N: String(NOW + 600 + 60) } });
    // At NOW+450 the smaller item (NOW+100+60) would have lapsed while the token (exp NOW+600) is valid.
    const jwt = token({ jti: 'smaller-exp', exp: NOW + 600 });
    await expect(authorizer(NOW_MS + 450_000)(tokenEvent(`Bearer ${jwt}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it('a later revoke-user with a shorter --max-lifetime raises revokedBefore and keeps the later expiresAt (merged)', async () => {
    const skew = ['--clock-skew', '60'];
    expect(
      await runRevocations(['revoke-user', '--sub', 'merged', ...skew, '--max-lifetime', '86400'], io()),
    ).toBe(0);
    const later = io(NOW_MS + 10_000);
    expect(
      await runRevocations(['revoke-user', '--sub', 'merged', ...skew, '--max-lifetime', '600'], later),
    ).toBe(0);
    expect(later.text()).toMatch(/^revoked \(merged/);
    expect(await item('revoked#sub#merged')).toMatchObject({
      revokedBefore: { N: String(NOW + 10 + 1 + 60) }, // the later one
      expiresAt: { N: String(NOW + 1 + 60 + 86_400 + 60) }, // the later one
      createdAt: { N: String(NOW + 10) },
    });
    // Issued between the two revocations: killed by the second one.
    const between = token({ sub: 'merged', iat: NOW + 65, exp: NOW + 3600 });
    await expect(authorizer(NOW_MS + 10_000)(tokenEvent(`Bearer ${between}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    // A one-hour token issued before both: still revoked after the second one's own TTL (NOW+731).
    const old = token({ sub: 'merged', iat: NOW, exp: NOW + 3600 });
    await expect(authorizer(NOW_MS + 1_000_000)(tokenEvent(`Bearer ${old}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('error flow: expire of an item listed before another operator revoked again → exit 1, the newer revocation is kept', async () => {
    const pk = 'revoked#sub#expire-race';
    expect(await runRevocations(['revoke-user', '--sub', 'expire-race', '--clock-skew', '60'], io())).toBe(0);
    const seenByA = await listedCreatedAt(pk); // operator A lists
    expect(seenByA).toBe(NOW);
    // Operator B revokes the user again, a little later.
    expect(
      await runRevocations(['revoke-user', '--sub', 'expire-race', '--clock-skew', '60'], io(NOW_MS + 5000)),
    ).toBe(0);
    const revokedToken = token({ sub: 'expire-race', iat: NOW + 63 }); // killed by B's revocation only
    const at = NOW_MS + 5000;
    await expect(authorizer(at)(tokenEvent(`Bearer ${revokedToken}`))).rejects.toThrow(/^Unauthorized$/);

    // A expires what A listed: refused, nothing deleted.
    expect(await runRevocations(['expire', '--id', pk, '--created-at', String(seenByA)], io())).toBe(1);
    expect(await item(pk)).toMatchObject({ revokedBefore: { N: String(NOW + 5 + 1 + 60) } });
    await expect(authorizer(at)(tokenEvent(`Bearer ${revokedToken}`))).rejects.toThrow(/^Unauthorized$/);

    // Listing again shows B's version; expiring that one works.
    const seenNow = await listedCreatedAt(pk);
    expect(seenNow).toBe(NOW + 5);
    expect(await runRevocations(['expire', '--id', pk, '--created-at', String(seenNow)], io())).toBe(0);
    expect(await item(pk)).toBeUndefined();
    await expect(authorizer(at)(tokenEvent(`Bearer ${revokedToken}`))).resolves.toBeDefined();
  });

  it('the same revocation twice in one second: the second changes nothing (exit 0, unchanged)', async () => {
    const args = ['revoke-client', '--client-id', 'twice-app', '--clock-skew', '60'];
    expect(await runRevocations(args, io())).toBe(0);
    const before = await item('revoked#client#twice-app');
    const second = io();
    expect(await runRevocations(args, second)).toBe(0);
    expect(second.text()).toMatch(/^unchanged:/);
    expect(await item('revoked#client#twice-app')).toEqual(before);
  });
});

describe('ids the authorizer cannot match (longer than MAX_CONTEXT_VALUE_LENGTH) are refused', () => {
  const long = 'x'.repeat(MAX_CONTEXT_VALUE_LENGTH + 1);
  it.each([
    [
      'revoke-token --jti',
      (): string[] => ['revoke-token', '--jti', long, '--exp', String(NOW + 600)],
      jtiRevocationKey(long),
    ],
    [
      'revoke-token --token',
      (): string[] => ['revoke-token', '--token', token({ jti: long })],
      jtiRevocationKey(long),
    ],
    [
      'revoke-client --client-id',
      (): string[] => ['revoke-client', '--client-id', long],
      clientRevocationKey(long),
    ],
  ])(
    'error flow: %s one character over the limit → exit 2 pointing to revoke-user, nothing written',
    async (_, args, pk) => {
      const out = io();
      expect(await runRevocations(args(), out)).toBe(2);
      expect(out.text()).toContain('revoke-user --sub');
      expect(await item(pk)).toBeUndefined();
    },
  );

  it.each([
    [
      'jti',
      'j'.repeat(MAX_CONTEXT_VALUE_LENGTH),
      (id: string): string[] => ['revoke-token', '--jti', id, '--exp', String(NOW + 600)],
      (id: string) => ({ jti: id }),
    ],
    [
      'client id',
      'c'.repeat(MAX_CONTEXT_VALUE_LENGTH),
      (id: string): string[] => ['revoke-client', '--client-id', id],
      (id: string) => ({ client_id: id }),
    ],
  ])(
    'happy flow: a %s of exactly the limit is revoked and the authorizer denies its token',
    async (_, id, args, claims) => {
      expect(await runRevocations(args(id), io())).toBe(0);
      await expect(authorizer()(tokenEvent(`Bearer ${token(claims(id))}`))).rejects.toThrow(/^Unauthorized$/);
    },
  );
});

describe('revokedBefore covers the clock skew the authorizer allows for iat', () => {
  it('error flow: a token an IdP with a fast clock issued just before revoke-user (iat = now+30, skew 60) dies too', async () => {
    const fromFastIdp = token({ sub: 'fast-idp', iat: NOW + 30 });
    await expect(authorizer()(tokenEvent(`Bearer ${fromFastIdp}`))).resolves.toBeDefined(); // accepted: within the skew
    expect(await runRevocations(['revoke-user', '--sub', 'fast-idp', '--clock-skew', '60'], io())).toBe(0);
    await expect(authorizer()(tokenEvent(`Bearer ${fromFastIdp}`))).rejects.toThrow(/^Unauthorized$/);
    // Signing in again once the window (now + 1 + skew) has passed gives a working token.
    const later = NOW + 1 + 60;
    const afterWindow = token({ sub: 'fast-idp', iat: later, exp: later + 300 });
    await expect(authorizer(later * 1000)(tokenEvent(`Bearer ${afterWindow}`))).resolves.toBeDefined();
  });
});
