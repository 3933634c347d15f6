/**
 * `npm run revocations` against dynalite (the real local DynamoDB, 127.0.0.1 port 0): revoke → the
 * authorizer denies → expire → it admits again; items carry the right TTL; the token itself is
 * never printed or stored (only its jti and SHA-256).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { hash } from 'node:crypto';
import type { CliIo } from '../../cli/cli-io';
import { runRevocations } from '../../cli/revocations';
import { createAuthorizer } from '../../lambdas/authorizer/handler';
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

function io(): CliIo & { text: () => string } {
  const lines: string[] = [];
  return {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: { REVOCATION_TABLE_NAME: table(), DYNAMODB_ENDPOINT: dynamo.endpoint },
    now: () => NOW_MS,
    text: () => lines.join('\n'),
  };
}

async function item(pk: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.client.send(new GetItemCommand({ TableName: table(), Key: { pk: { S: pk } } }));
  return out.Item;
}

function authorizer() {
  return createAuthorizer(
    testAuthorizerConfig([{ issuer: ISSUER, jwks: jwksOf(key) as never }], {
      revocation: { tableName: table(), cacheStalenessSeconds: 0 },
    }),
    { logger: captureLogger(), metrics: captureMetrics(), dynamo: dynamo.client, clock: () => NOW_MS },
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

    expect(await runRevocations(['expire', '--id', 'revoked#jti#cli-jti-1'], io())).toBe(0);
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
  it('revoke-user: tokens issued before now+1 die; TTL = revokedBefore + max lifetime + clock skew', async () => {
    const out = io();
    const args = ['revoke-user', '--sub', 'eve', '--max-lifetime', '3600', '--clock-skew', '60'];
    expect(await runRevocations(args, out)).toBe(0);
    expect(await item('revoked#sub#eve')).toMatchObject({
      kind: { S: 'sub' },
      revokedBefore: { N: String(NOW + 1) },
      expiresAt: { N: String(NOW + 1 + 3600 + 60) },
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
      expiresAt: { N: String(NOW + 1 + 86_400 + 300) },
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
      expiresAt: { N: String(NOW + 1 + 600 + 300) },
    });
    await expect(authorizer()(tokenEvent(`Bearer ${token({ client_id: 'bad-app' })}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect(
      authorizer()(tokenEvent(`Bearer ${token({ client_id: 'good-app' })}`)),
    ).resolves.toBeDefined();
  });

  it('error flow: expire of an unknown id → exit 2; of a non-revocation key → exit 2', async () => {
    expect(await runRevocations(['expire', '--id', 'revoked#jti#nope'], io())).toBe(2);
    expect(await runRevocations(['expire', '--id', 'client#someone'], io())).toBe(2);
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
