/**
 * `npm run sign`: prints a curl command, or sends the request over real HTTP to a guard served on
 * 127.0.0.1 (port 0, stopped by the test) and verifies the signed response with the guard's JWKS.
 * dynalite is the real DynamoDB.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSign, shellQuote, type SignCliIo } from '../../cli/sign-request';
import { generateClientKeyPair } from '../../client/keys';
import { startDynalite, type TestDynamo } from '../support/dynalite';
import {
  ALICE_TOKEN,
  buildGuard,
  eventFor,
  registerKey,
  type GuardUnderTest,
} from '../lambdas/guard/guard-harness';

let dynamo: TestDynamo;
let dir: string;
let server: Server;
let base: string;
let sut: GuardUnderTest;

/** Minimal HTTP → REST proxy event adapter for the test (the real one is the local gateway's). */
async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEvent> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? ''}`);
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
  const resource = url.pathname === '/orders' ? '/orders' : url.pathname;
  const event = eventFor(
    {
      method: req.method ?? 'GET',
      url: url.toString(),
      headers: { ...headers, 'X-Forwarded-Proto': 'http' },
      body: body.length > 0 ? body : undefined,
    },
    { resource, caller: resource === '/.well-known/guard-jwks.json' ? null : undefined },
  );
  return event;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'sign-cli-'));
  // The CLI signs with the real clock, so this guard uses it too.
  sut = buildGuard(dynamo, { clock: Date.now });
  server = createServer((req, res) => {
    void (async () => {
      const result = await sut.guard(await toEvent(req));
      res.writeHead(result.statusCode, result.headers as Record<string, string>);
      res.end(result.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
});

function io(): SignCliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), fetch };
}

describe('sign CLI', () => {
  it('prints a curl command carrying Signature-Input, Signature and Content-Digest', async () => {
    const pair = generateClientKeyPair('ed25519');
    const keyFile = join(dir, 'k.json');
    writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
    const out = io();
    const code = await runSign(
      [
        '--key',
        keyFile,
        '--key-id',
        'k-1',
        '--method',
        'POST',
        '--url',
        'https://api.example.test/orders',
        '-H',
        `Authorization: ${ALICE_TOKEN}`,
        '--data',
        '{"item":"it\'s","quantity":1}',
      ],
      out,
    );
    expect(code).toBe(0);
    const curl = out.lines[0]!;
    expect(curl).toMatch(/^curl -sS -i -X POST 'https:\/\/api.example.test\/orders'/);
    expect(curl).toContain(
      '-H \'Signature-Input: sig1=("@method" "@target-uri" "authorization" "content-type" "content-digest");created=',
    );
    expect(curl).toContain("-H 'Content-Digest: sha-256=:");
    expect(curl).toContain(shellQuote('{"item":"it\'s","quantity":1}'));
  });

  it('error flow: missing --key-id → exit 2 with usage', async () => {
    const out = io();
    expect(await runSign(['--key', 'x', '--url', 'https://a.test/'], out)).toBe(2);
    expect(out.errors.join('\n')).toMatch(/usage: sign/);
  });

  it('happy flow over real HTTP: --send reaches the guard, the response signature verifies with --jwks', async () => {
    const key = await registerKey(dynamo, { algorithm: 'ecdsa-p256-sha256' });
    const keyFile = join(dir, 'alice.pem');
    writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const out = io();
    const code = await runSign(
      [
        '--key',
        keyFile,
        '--key-id',
        key.keyId,
        '--method',
        'POST',
        '--url',
        `${base}/orders`,
        '-H',
        `Authorization: ${ALICE_TOKEN}`,
        '--data',
        '{"item":"widget","quantity":4}',
        '--send',
        '--jwks',
        `${base}/.well-known/guard-jwks.json`,
      ],
      out,
    );
    expect(out.lines[0]).toBe('HTTP 201');
    expect(out.errors).toEqual([expect.stringMatching(/^response signature: valid \(key /)]);
    expect(code).toBe(0);
  });
});
