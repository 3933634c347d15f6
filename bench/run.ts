import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import type { WarmAlgorithmResult } from './authorizer-warm';
import type { WarmWorkerInput } from './authorizer-warm-worker';
import { BENCH_DECISION_CACHE_ENTRIES } from './bench-config';
import { measureColdStartTargets } from './cold-targets';
import { createJwtFixture, writeJwtFixture } from './jwt-fixture';
import { describeMachine } from './machine';
import { ourAuthorizerExists, OUR_AUTHORIZER_ENTRY } from './our-authorizer';
import { PROFILES, type BenchProfile } from './profile';
import { budgetLines, renderReport } from './report';
import { measureGateway } from './gateway-load';
import { GUARD_ENTRY } from './guard-cold-target';
import type { GuardWorkerInput } from './guard-worker';
import type { BenchResults, GatewayResults, GuardResults, Pending } from './results';
import { verdict } from './budget';
import { runWorker } from './worker-process';

/**
 * `npm run bench` (full, writes BENCHMARKS.md) and `npm run bench:smoke` (tiny counts, writes
 * nothing). Prints the report to stdout, progress to stderr. While working on one part,
 * `npm run bench -- --only=warm,cold` runs only the named sections (warm, cold, guard, gateway)
 * and writes nothing either.
 */

const ROOT = join(__dirname, '..');
const LOCAL_EDGE_ENTRY = join(ROOT, 'local', 'edge.ts');
const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** Powertools as the Lambda runs it (INFO logs, metrics on), whatever the caller's shell says. */
const POWERTOOLS_DEFAULTS = {
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_DEV: 'false',
  POWERTOOLS_SERVICE_NAME: 'authorizer',
  POWERTOOLS_METRICS_NAMESPACE: 'ApiSecurityEdge',
};

async function runWarm(
  profile: BenchProfile,
  fixturePath: string,
  pending: Pending[],
): Promise<WarmAlgorithmResult[]> {
  if (!ourAuthorizerExists()) {
    pending.push({
      section: 'Authorizer (warm path, cache, cold start)',
      reason: `${OUR_AUTHORIZER_ENTRY.slice(ROOT.length + 1)} is not present yet; floor and peers measured only`,
    });
  }
  progress('authorizer warm path: floor, ours (4 ways), aws-jwt-verify, jose, jsonwebtoken — interleaved');
  const input: WarmWorkerInput = {
    fixturePath,
    runs: profile.runs,
    budget: profile.warmBudget,
    slices: profile.slices,
  };
  const warm = await runWorker<WarmAlgorithmResult[]>(
    join(__dirname, 'authorizer-warm-worker.ts'),
    input,
    POWERTOOLS_DEFAULTS,
  );
  for (const r of warm) {
    const rc = r.revocationChecks;
    if (rc !== undefined && (!rc.revokedTokenRefused || rc.lookupsPerDecisionUncached !== 1)) {
      progress(
        `WARNING ${r.alg}: revoked token ${rc.revokedTokenRefused ? 'refused' : 'ACCEPTED'}, ` +
          `${rc.lookupsPerDecisionUncached} store lookups per decision with cacheStalenessSeconds 0`,
      );
    }
    const c = r.checks;
    if (
      c !== undefined &&
      (c.verificationsPerMiss !== 1 || !c.rejectsTamperedToken || !c.samePolicyAsPeers)
    ) {
      progress(
        `WARNING ${r.alg}: ${c.verificationsPerMiss} signature verifications per miss-path decision, ` +
          `tampered token ${c.rejectsTamperedToken ? 'refused' : 'ACCEPTED'}, ` +
          `policy ${c.samePolicyAsPeers ? 'equals' : 'differs from'} the peers'`,
      );
    }
  }
  return warm;
}

async function runGuard(profile: BenchProfile, pending: Pending[]): Promise<GuardResults | undefined> {
  if (!existsSync(GUARD_ENTRY)) {
    pending.push({ section: 'Request guard', reason: 'lambdas/guard/handler.ts is not present yet' });
    return undefined;
  }
  progress('request guard: signature check vs floor, nonce store against dynalite');
  const input: GuardWorkerInput = {
    runs: profile.runs,
    budget: profile.guardBudget,
    slices: profile.slices,
    requestsPerAlgorithm: profile.guardRequests,
  };
  return runWorker<GuardResults>(join(__dirname, 'guard-worker.ts'), input, {
    ...POWERTOOLS_DEFAULTS,
    POWERTOOLS_SERVICE_NAME: 'guard',
  });
}

async function runGateway(profile: BenchProfile, pending: Pending[]): Promise<GatewayResults | undefined> {
  if (!existsSync(LOCAL_EDGE_ENTRY)) {
    pending.push({ section: 'Local gateway', reason: 'local/edge.ts (startLocalEdge) is not present yet' });
    return undefined;
  }
  progress(`local gateway: autocannon, ${profile.connections} connections, ${profile.loadSeconds} s per run`);
  return measureGateway(profile.runs, profile.connections, profile.loadSeconds);
}

const SECTION_KEYS = ['warm', 'cold', 'guard', 'gateway'] as const;
type SectionKey = (typeof SECTION_KEYS)[number];

/** The sections `--only=a,b` names, or all of them. */
function selectedSections(argv: readonly string[]): ReadonlySet<SectionKey> {
  const only = argv.find((a) => a.startsWith('--only='));
  if (only === undefined) return new Set(SECTION_KEYS);
  const names = only.slice('--only='.length).split(',');
  const unknown = names.filter((n) => !(SECTION_KEYS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; use ${SECTION_KEYS.join(', ')}`);
  }
  return new Set(names as SectionKey[]);
}

async function main(): Promise<void> {
  const profileName = process.argv.includes('--smoke') ? 'smoke' : 'full';
  const profile = PROFILES[profileName];
  const selected = selectedSections(process.argv);
  if (profile.tokensPerAlgorithm <= 2 * BENCH_DECISION_CACHE_ENTRIES) {
    throw new Error('the miss-path token pool must be more than twice the bench decision-cache size');
  }
  const started = process.hrtime.bigint();
  const machine = describeMachine();
  const workDir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  const pending: Pending[] = [];
  try {
    progress(
      `profile ${profile.name}; generating keys and ${profile.tokensPerAlgorithm} tokens per algorithm`,
    );
    const fixture = createJwtFixture(profile.tokensPerAlgorithm);
    const fixturePath = join(workDir, 'jwt-fixture.json');
    writeJwtFixture(fixturePath, fixture);

    const failed: string[] = [];
    /** Runs one section; a failure is reported in BENCHMARKS.md and fails the run, after the rest ran. */
    const section = async <T>(
      key: SectionKey,
      name: string,
      run: () => Promise<T>,
    ): Promise<T | undefined> => {
      if (!selected.has(key)) {
        pending.push({ section: name, reason: 'not run (--only)' });
        return undefined;
      }
      try {
        return await run();
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        progress(`section ${name} FAILED: ${error instanceof Error ? (error.stack ?? message) : message}`);
        pending.push({ section: name, reason: `failed in this run: ${message.slice(0, 300)}` });
        failed.push(name);
        return undefined;
      }
    };
    const warm = await section('warm', 'Authorizer warm path', () => runWarm(profile, fixturePath, pending));
    const cold = await section('cold', 'Cold start', () => {
      progress('cold start: bundling with esbuild and timing fresh node processes');
      return measureColdStartTargets(fixture, workDir, profile.coldProcesses, pending);
    });
    const guard = await section('guard', 'Request guard', () => runGuard(profile, pending));
    const gateway = await section('gateway', 'Local gateway', () => runGateway(profile, pending));

    const results: BenchResults = {
      machine,
      profile: profile.name,
      runs: profile.runs,
      elapsedSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      warm,
      cold,
      guard,
      gateway,
      pending,
    };
    const target = join(ROOT, 'BENCHMARKS.md');
    // Formatted with the repository's Prettier settings, so `npm run format:check` accepts the file.
    const report = await prettier.format(renderReport(results), {
      ...(await prettier.resolveConfig(target)),
      filepath: target,
    });
    process.stdout.write(report);
    if (profile.name === 'full' && selected.size === SECTION_KEYS.length) {
      writeFileSync(target, report);
      progress('wrote BENCHMARKS.md');
    }
    const notMet = budgetLines(results).filter((l) => verdict(l) === 'NOT MET');
    for (const line of notMet) progress(`budget NOT MET: ${line.item.label} (target ${line.item.target})`);
    progress(`done in ${results.elapsedSeconds.toFixed(0)} s`);
    if (failed.length > 0) throw new Error(`sections failed: ${failed.join(', ')}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
