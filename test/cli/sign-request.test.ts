/**
 * `npm run sign`: prints a curl command, or sends the request over real HTTP to a guard served on
 * 127.0.0.1 (port 0, stopped by the test) and verifies the signed response with the guard's JWKS.
 * dynalite is the real DynamoDB. The printed curl command is run by /bin/sh against a capture server
 * on 127.0.0.1, to show that what the shell hands to curl is the bytes that were signed. `curl` is a
 * shell function there that runs FAKE_CURL below (curl's -X, -H, --data-binary and @file semantics),
 * so the test needs no curl binary on the machine.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSign, shellQuote, type SignCliIo } from '../../cli/sign-request';
import { generateClientKeyPair } from '../../client/keys';
import { checkContentDigest } from '../../lambdas/shared/http-signatures/content-digest';
import { startDynalite, type TestDynamo } from '../support/dynalite';
import {
  ALICE_TOKEN,
  buildGuard,
  eventFor,
  registerKey,
  type GuardUnderTest,
} from '../lambdas/guard/guard-harness';

const execFileAsync = promisify(execFile);

/** The subset of curl the printed command uses: -sS -i (ignored), -o FILE (ignored), -X, -H, --data-binary [@FILE], URL. */
const FAKE_CURL = `
const { readFileSync } = require('node:fs');
const { request } = require('node:http');
const args = process.argv.slice(2);
let method = 'GET', url, body;
const headers = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-sS' || a === '-i') continue;
  if (a === '-o') { i++; continue; }
  if (a === '-X') { method = args[++i]; continue; }
  if (a === '-H') { const h = args[++i]; const c = h.indexOf(':'); headers[h.slice(0, c)] = h.slice(c + 1).trim(); continue; }
  if (a === '--data-binary') { const d = args[++i]; body = d.startsWith('@') ? readFileSync(d.slice(1)) : Buffer.from(d, 'utf8'); continue; }
  if (a.startsWith('-')) { console.error('fake curl: unexpected option ' + a); process.exit(2); }
  url = a;
}
const req = request(url, { method, headers }, (res) => { res.resume(); res.on('end', () => process.exit(0)); });
req.on('error', (e) => { console.error(e.message); process.exit(7); });
if (body !== undefined) req.write(body);
req.end();
`;

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

/**
 * Starts an HTTP server on 127.0.0.1 (port 0) that records the one request `send` makes to it, and
 * stops it afterwards.
 */
async function captureOneRequest(
  send: (url: string) => Promise<void>,
): Promise<{ headers: IncomingMessage['headers']; body: Buffer }> {
  let captured: { headers: IncomingMessage['headers']; body: Buffer } | undefined;
  const capture = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured = { headers: req.headers, body: Buffer.concat(chunks) };
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
  try {
    await send(`http://127.0.0.1:${(capture.address() as AddressInfo).port}/items/1`);
  } finally {
    capture.closeAllConnections();
    await new Promise<void>((resolve) => {
      capture.close(() => {
        resolve();
      });
    });
  }
  if (captured === undefined) throw new Error('no request reached the capture server');
  return captured;
}

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

  it.each<[string, (file: string) => string[], Buffer]>([
    [
      '--data-file with a body that is not UTF-8 (ISO-8859-1 text)',
      (file) => ['--data-file', file],
      Buffer.from('note: café crème, 5 €uro', 'latin1'),
    ],
    ['--data-file with a UTF-8 JSON body', (file) => ['--data-file', file], Buffer.from('{"item":"café"}')],
    ['inline --data', () => ['--data', `{"item":"it's café"}`], Buffer.from(`{"item":"it's café"}`)],
  ])(
    'happy flow: the printed curl command, run by a real shell, hands curl exactly the signed bytes (%s)',
    async (_name, dataArgs, bytes) => {
      const pair = generateClientKeyPair('ed25519');
      const keyFile = join(dir, 'k-curl.json');
      writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
      const dataFile = join(dir, "body it's.bin");
      writeFileSync(dataFile, bytes);
      const received = await captureOneRequest(async (url) => {
        const out = io();
        const args = ['--key', keyFile, '--key-id', 'k-1', '--method', 'POST', '--url', url];
        expect(await runSign([...args, '-H', 'Content-Type: text/plain', ...dataArgs(dataFile)], out)).toBe(
          0,
        );
        const curl = out.lines[0]!;
        if (dataArgs(dataFile)[0] === '--data-file')
          expect(curl).toContain(`--data-binary ${shellQuote(`@${dataFile}`)}`);
        const fakeCurl = join(dir, 'fake-curl.cjs');
        writeFileSync(fakeCurl, FAKE_CURL);
        const curlFunction = `curl() { ${shellQuote(process.execPath)} ${shellQuote(fakeCurl)} "$@"; }`;
        await execFileAsync('sh', ['-c', `${curlFunction}; ${curl} -o /dev/null`]);
      });
      expect(received.body.equals(bytes)).toBe(true);
      const digest = received.headers['content-digest'];
      expect(typeof digest).toBe('string');
      expect(checkContentDigest(digest as string, received.body, ['sha-256'])).toBe('match');
    },
  );

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
