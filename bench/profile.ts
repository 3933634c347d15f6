import type { Budget } from './throughput';

/**
 * How much each section measures. `full` is `npm run bench` (BENCHMARKS.md, under three minutes on
 * a 2-core machine); `smoke` runs every section with tiny counts (seconds) so CI can keep the bench
 * from rotting — its figures mean nothing and it writes no BENCHMARKS.md.
 */
export interface BenchProfile {
  readonly name: 'full' | 'smoke';
  /** Recorded runs per figure (min / median / max are taken over them). */
  readonly runs: number;
  /** CPU time per variant per run of the warm path, and a call cap. */
  readonly warmBudget: Budget;
  /** Interleaved turns per run (warm path and guard). */
  readonly slices: number;
  /** Distinct tokens per algorithm for the miss path; must exceed the bench decision-cache size. */
  readonly tokensPerAlgorithm: number;
  /** Fresh processes per cold-start target. */
  readonly coldProcesses: number;
  /** CPU time per variant per run of the guard, and a call cap. */
  readonly guardBudget: Budget;
  /** Distinct signed requests per guard algorithm. */
  readonly guardRequests: number;
  /** One autocannon run, seconds. */
  readonly loadSeconds: number;
  /** Concurrent connections of the load test. */
  readonly connections: number;
}

export const PROFILES: Readonly<Record<BenchProfile['name'], BenchProfile>> = {
  full: {
    name: 'full',
    runs: 7,
    warmBudget: { maxMs: 450, maxCalls: 300_000 },
    slices: 27,
    tokensPerAlgorithm: 600,
    coldProcesses: 24,
    guardBudget: { maxMs: 300, maxCalls: 100_000 },
    guardRequests: 500,
    loadSeconds: 2,
    connections: 10,
  },
  smoke: {
    name: 'smoke',
    runs: 2,
    warmBudget: { maxMs: 15, maxCalls: 500 },
    slices: 2,
    tokensPerAlgorithm: 300,
    coldProcesses: 1,
    guardBudget: { maxMs: 15, maxCalls: 200 },
    guardRequests: 20,
    loadSeconds: 1,
    connections: 4,
  },
};
