import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleLambda, type BundleResult } from './bundle';
import { median } from './stats';

/**
 * Cold start of a bundled Lambda: the wall time from spawning a fresh `node` process until the
 * bundle is loaded and the handler built (marker `loaded`), and until its JWKS pre-load is done
 * (`handler.ready()` resolved, marker `ready`), each minus the same wall time of an empty Node start
 * (the same loader with no module, timed to the same point). Timing stops at a marker the process writes when ready, not at its exit: a Lambda never
 * exits, and tearing down a process with an open keep-alive socket costs tens of ms that are not
 * part of a cold start. The loader also reports, from inside the process, how long `require`
 * took, how long `ready()` took after it, and how long the first decision took.
 */

/** Names of the cold-start targets, as the report looks them up. */
export const COLD_TARGET_NAMES = {
  authorizer: 'authorizer (ours)',
  authorizerExampleConfig: 'authorizer (ours), example config: revocation on',
  guard: 'request guard (ours)',
  jose: 'peer: jose authorizer',
  jsonwebtoken: 'peer: jsonwebtoken authorizer',
} as const;

export interface ColdTarget {
  readonly name: string;
  /** The handler module (TypeScript) to bundle. */
  readonly entry: string;
  /** Environment of the Lambda (AUTH_CONFIG, …). */
  readonly env: Readonly<Record<string, string>>;
  /** An event for the first invocation after `ready()`, or none. */
  readonly firstEvent?: unknown;
}

export interface ColdSample {
  /**
   * Module load + handler construction: spawn-to-`loaded` wall time minus the median empty-start
   * wall time of the same round, ms.
   */
  readonly loadedAboveEmptyMs: number;
  /** The same until the JWKS pre-load is done (`handler.ready()` resolved), ms. */
  readonly aboveEmptyMs: number;
  /**
   * CPU time (user + system, all threads) the process had used when ready, minus the median of the
   * empty starts of the same round, ms: like `aboveEmptyMs`, but immune to waiting for a busy CPU.
   */
  readonly cpuAboveEmptyMs: number;
  /** `require(bundle)` inside the process, ms. */
  readonly requireMs: number;
  /** `await handler.ready()` after `require`, ms. */
  readonly readyMs: number;
  /** The first invocation after `ready()`, ms (0 when there is no first event). */
  readonly firstDecisionMs: number;
}

export interface ColdResult {
  readonly name: string;
  /** Whether a first decision was timed (false: `firstDecisionMs` is 0 and means nothing). */
  readonly timedFirstDecision: boolean;
  readonly bundleBytes: number;
  /** The largest contributors to the bundle, by npm package. */
  readonly byPackage: readonly { readonly name: string; readonly bytes: number }[];
  readonly samples: ColdSample[];
}

export interface ColdStartResults {
  /** Spawn-to-marker wall times of an empty Node start, ms. */
  readonly emptyNodeMs: number[];
  readonly targets: ColdResult[];
}

/** Runs inside the fresh process; reports on file descriptor 3 so that Lambda logs on stdout do not mix in. */
const LOADER = `'use strict';
const { writeSync } = require('node:fs');
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
// The loader's own clock (the global performance loads node:perf_hooks): read before the branch, so
// the empty start pays for it too and a bundle is not charged for the loader's instrumentation.
performance.now();
if (process.argv[2] === undefined) {
  writeSync(3, 'loaded\\nready\\n');
  writeSync(3, JSON.stringify({ cpuAtReadyMs: cpuMs() }) + '\\n');
  process.exit(0);
}
const tRequire = performance.now();
const mod = require(process.argv[2]);
const t1 = performance.now();
writeSync(3, 'loaded\\n');
const handler = mod.handler;
(async () => {
  if (typeof handler.ready === 'function') await handler.ready();
  const t2 = performance.now();
  const cpuAtReadyMs = cpuMs();
  writeSync(3, 'ready\\n');
  if (process.env.BENCH_FIRST_EVENT) {
    try { await handler(JSON.parse(process.env.BENCH_FIRST_EVENT)); } catch {}
  }
  const t3 = performance.now();
  writeSync(3, JSON.stringify({ cpuAtReadyMs, requireMs: t1 - tRequire, readyMs: t2 - t1, firstDecisionMs: process.env.BENCH_FIRST_EVENT ? t3 - t2 : 0 }) + '\\n');
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface ProcessTiming {
  /** Spawn until the process wrote its `loaded` marker (module loaded, handler built), ms. */
  readonly loadedWallMs: number;
  /** Spawn until the process wrote its `ready` marker (JWKS pre-load done), ms. */
  readonly readyWallMs: number;
  /** What the process reported after the marker (JSON), or empty. */
  readonly report: string;
}

/** A cold process that takes longer than this is killed and the bench fails. */
const PROCESS_TIMEOUT_MS = 20_000;

function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessTiming> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      timeout: PROCESS_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let fd3 = '';
    let loadedWallMs: number | undefined;
    let readyWallMs: number | undefined;
    let stderr = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      fd3 += chunk.toString('utf8');
      const now = Number(process.hrtime.bigint() - start) / 1e6;
      if (loadedWallMs === undefined && fd3.startsWith('loaded\n')) loadedWallMs = now;
      if (readyWallMs === undefined && fd3.startsWith('loaded\nready\n')) readyWallMs = now;
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && loadedWallMs !== undefined && readyWallMs !== undefined) {
        resolve({ loadedWallMs, readyWallMs, report: fd3.slice('loaded\nready\n'.length).trim() });
      } else {
        reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr.slice(0, 2000)}`));
      }
    });
  });
}

/**
 * A clean environment for a cold process: PATH, the Lambda's own variables, and NODE_PATH pointing
 * at the project's node_modules so the external AWS SDK v3 resolves (the Lambda runtime resolves
 * it from its own copy; loading it is part of the cold start there too).
 */
function lambdaEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    NODE_PATH: join(__dirname, '..', 'node_modules'),
    ...extra,
  };
}

export async function measureColdStarts(
  targets: readonly ColdTarget[],
  workDir: string,
  processes: number,
): Promise<ColdStartResults> {
  const loader = join(workDir, 'load.cjs');
  writeFileSync(loader, LOADER);
  const bundles: ({ target: ColdTarget } & BundleResult)[] = [];
  for (const [i, target] of targets.entries()) {
    if (!existsSync(target.entry)) continue;
    const outDir = join(workDir, `bundle-${i}`);
    mkdirSync(outDir, { recursive: true });
    bundles.push({ target, ...(await bundleLambda(target.entry, outDir)) });
  }
  const emptyNodeMs: number[] = [];
  const samples = bundles.map(() => [] as ColdSample[]);
  // One warm-up round (file cache), then `processes` recorded rounds, targets interleaved.
  for (let round = -1; round < processes; round++) {
    const empties: ProcessTiming[] = [await timeProcess([loader], lambdaEnv({}))];
    const roundTimes: { i: number; timing: ProcessTiming }[] = [];
    for (const [i, bundle] of bundles.entries()) {
      const env = lambdaEnv({
        ...bundle.target.env,
        ...(bundle.target.firstEvent === undefined
          ? {}
          : { BENCH_FIRST_EVENT: JSON.stringify(bundle.target.firstEvent) }),
      });
      roundTimes.push({ i, timing: await timeProcess([loader, bundle.file], env) });
    }
    empties.push(await timeProcess([loader], lambdaEnv({})));
    if (round < 0) continue;
    emptyNodeMs.push(...empties.map((e) => e.readyWallMs));
    const wallBaseline = median(empties.map((e) => e.readyWallMs));
    const loadedBaseline = median(empties.map((e) => e.loadedWallMs));
    const cpuBaseline = median(
      empties.map((e) => (JSON.parse(e.report) as { cpuAtReadyMs: number }).cpuAtReadyMs),
    );
    for (const { i, timing } of roundTimes) {
      const { cpuAtReadyMs, ...inner } = JSON.parse(timing.report) as Omit<
        ColdSample,
        'aboveEmptyMs' | 'loadedAboveEmptyMs' | 'cpuAboveEmptyMs'
      > & { cpuAtReadyMs: number };
      samples[i]!.push({
        loadedAboveEmptyMs: Math.max(0, timing.loadedWallMs - loadedBaseline),
        aboveEmptyMs: Math.max(0, timing.readyWallMs - wallBaseline),
        cpuAboveEmptyMs: Math.max(0, cpuAtReadyMs - cpuBaseline),
        ...inner,
      });
    }
  }
  return {
    emptyNodeMs,
    targets: bundles.map((b, i) => ({
      name: b.target.name,
      timedFirstDecision: b.target.firstEvent !== undefined,
      bundleBytes: b.bytes,
      byPackage: b.byPackage.slice(0, 6),
      samples: samples[i]!,
    })),
  };
}
