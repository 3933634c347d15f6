/**
 * `npm run client-keys` against dynalite (the real local DynamoDB, started on 127.0.0.1 port 0 here):
 * generate → register → list → the guard accepts the key → revoke → the guard rejects it.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../cli/cli-io';
import { runClientKeys } from '../../cli/client-keys';
import { signRequest } from '../../client/sign-request';
import { clientKeyFromItem } from '../../lambdas/shared/http-signatures/client-key-record';
import { startDynalite, type TestDynamo } from '../support/dynalite';
import {
  ALICE,
  ALICE_TOKEN,
  BASE_URL,
  NOW_SECONDS,
  buildGuard,
  eventFor,
} from '../lambdas/guard/guard-harness';

let dynamo: TestDynamo;
let dir: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'client-keys-'));
});
afterAll(async () => {
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
});

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    env: { CLIENT_KEY_TABLE_NAME: dynamo.tables.ClientKeys, DYNAMODB_ENDPOINT: dynamo.endpoint },
    now: () => NOW_SECONDS * 1000,
  };
}

async function signedOrder(keyId: string, privatePath: string) {
  const signed = await signRequest({
    method: 'POST',
    url: `${BASE_URL}/orders`,
    headers: { Authorization: ALICE_TOKEN },
    body: JSON.stringify({ item: 'widget', quantity: 1 }),
    key: { keyId, privateKey: JSON.parse(readFileSync(privatePath, 'utf8')) as Record<string, unknown> },
    created: NOW_SECONDS,
  });
  return eventFor(signed, { resource: '/orders' });
}

describe('client-keys CLI', () => {
  it('happy flow: generate, register, list, use, revoke', async () => {
    const priv = join(dir, 'alice.private.jwk.json');
    const pub = join(dir, 'alice.public.jwk.json');
    expect(
      await runClientKeys(
        ['generate', '--alg', 'ecdsa-p256-sha256', '--out-private', priv, '--out-public', pub],
        io(),
      ),
    ).toBe(0);
    expect(statSync(priv).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(pub, 'utf8'))).not.toHaveProperty('d');

    const reg = io();
    expect(
      await runClientKeys(
        ['register', '--key-id', 'alice-1', '--owner', ALICE.clientId, '--public-key', pub],
        reg,
      ),
    ).toBe(0);
    expect(reg.lines[0]).toMatch(/registered alice-1 \(ecdsa-p256-sha256\)/);

    const list = io();
    expect(await runClientKeys(['list', '--owner', ALICE.clientId], list)).toBe(0);
    expect(list.lines).toEqual([
      expect.stringMatching(/^alice-1\tclient-alice\tactive\tecdsa-p256-sha256\t/),
    ]);

    expect((await buildGuard(dynamo).guard(await signedOrder('alice-1', priv))).statusCode).toBe(201);

    expect(await runClientKeys(['revoke', '--key-id', 'alice-1'], io())).toBe(0);
    const json = io();
    await runClientKeys(['list', '--json'], json);
    expect(JSON.parse(json.lines.join('\n'))).toEqual([
      expect.objectContaining({ keyId: 'alice-1', status: 'revoked', revokedAt: NOW_SECONDS }),
    ]);
    const afterRevoke = buildGuard(dynamo);
    expect((await afterRevoke.guard(await signedOrder('alice-1', priv))).statusCode).toBe(401);
    expect(afterRevoke.logger.reasons()).toEqual(['key_revoked']);
  });

  it('error flow: registering a private JWK is refused (private keys never go to the table)', async () => {
    const priv = join(dir, 'p.private.jwk.json');
    const pub = join(dir, 'p.public.jwk.json');
    await runClientKeys(['generate', '--out-private', priv, '--out-public', pub], io());
    const out = io();
    expect(
      await runClientKeys(['register', '--key-id', 'p-1', '--owner', 'c', '--public-key', priv], out),
    ).toBe(2);
    expect(out.errors[0]).toMatch(/PUBLIC JWK/);
  });

  it('error flow: a key id registered twice is refused', async () => {
    const priv = join(dir, 'd.private.jwk.json');
    const pub = join(dir, 'd.public.jwk.json');
    await runClientKeys(['generate', '--out-private', priv, '--out-public', pub], io());
    expect(
      await runClientKeys(['register', '--key-id', 'dup-1', '--owner', 'c', '--public-key', pub], io()),
    ).toBe(0);
    const again = io();
    expect(
      await runClientKeys(
        ['register', '--key-id', 'dup-1', '--owner', 'mallory', '--public-key', pub],
        again,
      ),
    ).toBe(2);
    expect(again.errors[0]).toMatch(/already registered/);
  });

  it.each([
    [['revoke', '--key-id', 'nobody']],
    [['register', '--key-id', 'bad|id', '--owner', 'c', '--public-key', 'x']],
    [['frobnicate']],
    [['list', '--unknown-flag']],
  ])('error flow: %j → exit 2 with usage', async (argv) => {
    const out = io();
    expect(await runClientKeys(argv, out)).toBe(2);
    expect(out.errors.join('\n')).toMatch(/usage: client-keys/);
  });

  it('error flow: a JWK file with __proto__ is refused', async () => {
    const evil = join(dir, 'evil.json');
    writeFileSync(evil, '{"kty":"OKP","crv":"Ed25519","x":"AA","__proto__":{"admin":true}}');
    expect(
      await runClientKeys(['register', '--key-id', 'e-1', '--owner', 'c', '--public-key', evil], io()),
    ).toBe(2);
  });
});

describe('register validates the whole record with the guard’s own schema', () => {
  it.each([
    ['error flow: an owner of 257 characters (the schema caps it at 256)', 2, 'o'.repeat(257)],
    ['happy flow: an owner of 256 characters', 0, 'p'.repeat(256)],
  ])('%s → exit %d; what is written, the guard reads', async (_, code, owner) => {
    const priv = join(dir, `owner-${String(owner.length)}.private.jwk.json`);
    const pub = join(dir, `owner-${String(owner.length)}.public.jwk.json`);
    await runClientKeys(['generate', '--out-private', priv, '--out-public', pub], io());
    const keyId = `owner-${String(owner.length)}`;
    const out = io();
    expect(
      await runClientKeys(['register', '--key-id', keyId, '--owner', owner, '--public-key', pub], out),
    ).toBe(code);
    const stored = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tables.ClientKeys, Key: { keyId: { S: keyId } } }),
    );
    if (code === 0) {
      expect(clientKeyFromItem(stored.Item)).toMatchObject({ keyId, ownerClientId: owner });
    } else {
      expect(stored.Item).toBeUndefined();
      expect(out.errors[0]).toContain('--owner');
    }
  });
});

describe('generate never leaves an orphan private key', () => {
  it.each([
    ['the public file exists', 'public'],
    ['the private file exists', 'private'],
  ])('error flow: %s → exit 2, nothing written, the existing file untouched', async (_, existing) => {
    const priv = join(dir, `orphan-${existing}.private.jwk.json`);
    const pub = join(dir, `orphan-${existing}.public.jwk.json`);
    const [taken, free] = existing === 'public' ? [pub, priv] : [priv, pub];
    writeFileSync(taken, 'keep me');
    const out = io();
    expect(await runClientKeys(['generate', '--out-private', priv, '--out-public', pub], out)).toBe(2);
    expect(existsSync(free)).toBe(false);
    expect(readFileSync(taken, 'utf8')).toBe('keep me');
  });

  it('error flow: the public file cannot be written (no such directory) → exit 1, the private file is removed again', async () => {
    const priv = join(dir, 'unwritable.private.jwk.json');
    const pub = join(dir, 'no-such-dir', 'unwritable.public.jwk.json');
    expect(await runClientKeys(['generate', '--out-private', priv, '--out-public', pub], io())).toBe(1);
    expect(existsSync(priv)).toBe(false);
    expect(existsSync(pub)).toBe(false);
  });

  it('error flow: the same file for both → exit 2, nothing written', async () => {
    const both = join(dir, 'both.jwk.json');
    expect(await runClientKeys(['generate', '--out-private', both, '--out-public', both], io())).toBe(2);
    expect(existsSync(both)).toBe(false);
  });
});
