import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announceRemoteSkips, itLocal } from './e2e-target';

/**
 * `npm start`'s entry as a user runs it: a child process that prints the banner, serves requests,
 * and stops cleanly on Ctrl-C; a busy port gives a clear message. (Local tooling: skipped in remote mode.)
 */
const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function startEntry(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(TSX, ['local/start.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    }),
  };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  return run;
}

const execFileAsync = promisify(execFile);

/** Runs `npm run token`'s entry and returns what it printed on stdout. */
async function mintWithCli(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(TSX, ['local/token.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, IDP_PORT: '9400' },
  });
  return stdout.trim();
}

async function waitFor(run: Run, pattern: RegExp, limitMs = 45_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const match = pattern.exec(run.stdout);
    if (match !== null) return match;
    if (run.child.exitCode !== null) throw new Error(`exited early (${run.child.exitCode}): ${run.stderr}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern.source} in output: ${run.stdout} ${run.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('e2e: npm start entry (local/start.ts)', () => {
  let stateDir: string;
  beforeAll(async () => {
    announceRemoteSkips('start.e2e', 'they start the local edge as a child process');
    stateDir = await mkdtemp(join(tmpdir(), 'edge-start-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  itLocal(
    '(local only) starts, prints the banner, serves, writes owner-only keys, and stops cleanly on SIGINT',
    async () => {
      const run = startEntry([
        '--port',
        '0',
        '--idp-port',
        '0',
        '--dynamo-port',
        '0',
        '--state-dir',
        stateDir,
      ]);
      try {
        await waitFor(run, /Local edge is ready/);
        const [, url] = await waitFor(run, /gateway\s+(http:\/\/127\.0\.0\.1:\d+)/);
        expect(run.stdout).toContain('npm run -s token -- --sub alice --roles orders:read');
        expect(run.stdout).toContain('curl -i');
        expect(run.stdout).toContain('signed-request');
        // `npm run token` asks the running identity provider (found through state.json).
        const token = await mintWithCli([
          '--sub',
          'alice',
          '--roles',
          'orders:read',
          '--state-dir',
          stateDir,
        ]);
        expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        expect((await fetch(`${url}/orders`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
          200,
        );
        const health = await fetch(`${url}/health`);
        expect(health.status).toBe(200);
        expect((await fetch(`${url}/orders`)).status).toBe(401);
        // An access-log line for the request, without any token.
        await waitFor(run, /"resourcePath":"\/orders".*"status":"401"/);
        expect((await stat(join(stateDir, 'idp-rs256.pem'))).mode & 0o777).toBe(0o600);
        expect((await stat(join(stateDir, 'state.json'))).mode & 0o777).toBe(0o600);
        run.child.kill('SIGINT');
        expect(await run.exited).toBe(0);
        expect(run.stderr).toContain('Local edge stopped');
        await expect(stat(join(stateDir, 'state.json'))).rejects.toMatchObject({ code: 'ENOENT' });
        await expect(fetch(`${url}/health`)).rejects.toThrow();
      } finally {
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      }
    },
  );

  itLocal(
    '(local only) npm run token works without a running edge: signed with the keys on disk',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'edge-token-'));
      try {
        const token = await mintWithCli([
          '--sub',
          'bob',
          '--roles',
          'admin',
          '--alg',
          'ES256',
          '--state-dir',
          dir,
        ]);
        const decoded = jwt.decode(token, { complete: true });
        expect(decoded?.header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
        expect(decoded?.payload).toMatchObject({
          sub: 'bob',
          roles: ['admin'],
          iss: 'http://127.0.0.1:9400',
        });
        expect((await stat(join(dir, 'idp-es256.pem'))).mode & 0o777).toBe(0o600);
        await expect(mintWithCli(['--roles', 'admin', '--state-dir', dir])).rejects.toThrow(
          /--sub is required/,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  itLocal(
    '(local only) a busy port gives a clear message naming the port, the env var and the flag',
    async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const address = blocker.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      try {
        const run = startEntry(['--idp-port', '0', '--dynamo-port', '0', '--state-dir', stateDir], {
          EDGE_PORT: String(port),
        });
        expect(await run.exited).toBe(1);
        expect(run.stderr).toContain(`127.0.0.1:${port}`);
        expect(run.stderr).toContain('already in use');
        expect(run.stderr).toContain('EDGE_PORT');
        expect(run.stderr).toContain('--port');
        expect(run.stdout).not.toContain('Local edge is ready');
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
  );
});
