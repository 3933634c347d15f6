import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUpDemoClient } from '../../local/demo-client';
import { localEdgeState, startLocalEdge, type LocalEdge } from '../../local/edge';
import { loadEdgeConfigFile } from '../../local/local-config';
import { writeLocalState } from '../../local/state-file';

/**
 * `npm run signed-request` as a user runs it (a child process) against a real local edge: it must
 * exit 0 only when the request went through, the response carries the guard's signature and that
 * signature verifies (and, with --replay, the replay was rejected). Failures the user cannot see
 * from a passing exit code — an invalid signature, a missing one, a refused request — exit 1.
 * The tampering cases preload a man-in-the-middle (`fixtures/tamper-fetch.ts`) into the tool; the
 * edge is untouched.
 */
const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const TAMPERED_ENTRY = join(__dirname, 'fixtures', 'tampered-signed-request.ts');

interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('npm run signed-request: the exit code tells whether the signed exchange held', () => {
  let edge: LocalEdge;
  let stateDir: string;

  beforeAll(async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    stateDir = await mkdtemp(join(tmpdir(), 'edge-signed-request-'));
    edge = await startLocalEdge({
      baseConfig: await loadEdgeConfigFile(join(ROOT, 'config/edge.config.json')),
      ports: { gateway: 0, idp: 0, dynamo: 0 },
      stateDir: undefined,
    });
    // What `npm start` does after starting: the demo client key, then the state file.
    await setUpDemoClient(edge, stateDir);
    await writeLocalState(stateDir, localEdgeState(edge));
  });
  afterAll(async () => {
    await edge.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const runTool = (args: string[], tamper?: string): Promise<ToolRun> =>
    new Promise((resolve) => {
      execFile(
        TSX,
        [tamper === undefined ? 'local/signed-request.ts' : TAMPERED_ENTRY, ...args, '--state-dir', stateDir],
        {
          cwd: ROOT,
          env: { ...process.env, ...(tamper === undefined ? {} : { TAMPER_RESPONSES: tamper }) },
        },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr });
        },
      );
    });

  it("happy flow: the banner's command → 0, response signature valid, the replay rejected with 401", async () => {
    const run = await runTool(['GET', '/orders/ord-1001', '--roles', 'orders:read', '--replay']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^request: 200/m);
    expect(run.stdout).toContain('response signature: valid');
    expect(run.stdout).toMatch(/^replay : 401/m);
  });

  it('error flow: the request is refused (403, the token lacks the role) → 1', async () => {
    const run = await runTool(['GET', '/orders/ord-1001', '--roles', 'profile:read']);
    expect(run.stdout).toMatch(/^request: 403/m);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^signed-request: FAILED: /m);
  });

  it('error flow: the response signature is INVALID (body changed on the way) → 1', async () => {
    const run = await runTool(['GET', '/orders/ord-1001', '--roles', 'orders:read'], 'body');
    expect(run.stdout).toContain('response signature: INVALID (digest_mismatch)');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^signed-request: FAILED: /m);
  });

  it('error flow: a signed route answers without a Signature header (stripped on the way) → 1', async () => {
    const run = await runTool(['GET', '/orders/ord-1001', '--roles', 'orders:read'], 'strip-signature');
    expect(run.stdout).toMatch(/^request: 200/m);
    expect(run.stdout).toContain('response signature: MISSING');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^signed-request: FAILED: /m);
  });

  it('error flow: the replay is answered like the original (not rejected) → 1', async () => {
    const run = await runTool(
      ['GET', '/orders/ord-1001', '--roles', 'orders:read', '--replay'],
      'accept-replay',
    );
    expect(run.stdout).toMatch(/^replay : 200/m);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^signed-request: FAILED: /m);
  });

  it('error flow: a route whose responses are not signed (GET /orders) → 1 unless --allow-unsigned-response', async () => {
    const strict = await runTool(['GET', '/orders', '--roles', 'orders:read']);
    expect(strict.stdout).toMatch(/^request: 200/m);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('response signature: MISSING');
    const optedOut = await runTool(['GET', '/orders', '--roles', 'orders:read', '--allow-unsigned-response']);
    expect(optedOut.code).toBe(0);
  });

  it('error flow: nothing listens at the state file’s address → 1', async () => {
    const other = await mkdtemp(join(tmpdir(), 'edge-signed-request-gone-'));
    try {
      await writeLocalState(other, {
        pid: process.pid,
        gatewayUrl: 'http://127.0.0.1:1',
        issuer: 'http://127.0.0.1:1',
        tokenEndpoint: 'http://127.0.0.1:1/token',
        dynamoEndpoint: 'http://127.0.0.1:1',
        audience: 'orders-api',
      });
      const run = await new Promise<ToolRun>((resolve) => {
        execFile(
          TSX,
          ['local/signed-request.ts', 'GET', '/orders/ord-1001', '--state-dir', other],
          { cwd: ROOT },
          (error, stdout, stderr) => {
            resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr });
          },
        );
      });
      expect(run.code).toBe(1);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
