import type { WarmAlgorithmResult } from './authorizer-warm';
import type { ColdStartResults } from './cold-start';
import type { MachineInfo } from './machine';

/** Everything one `npm run bench` measured; bench/report.ts renders it. */

/** One row of a throughput table: ops/s per run, and the floor measured in the same runs. */
export interface RateRow {
  readonly label: string;
  readonly samples: readonly number[];
  /** The floor's ops/s in the same runs, when the row is compared with one. */
  readonly floor?: readonly number[];
}

export interface GuardResults {
  /** Signature verification + digest per request, and the floors, per algorithm. */
  readonly rows: readonly RateRow[];
  /** Nonce store round trips against dynalite (conditional put), per second. */
  readonly nonceStore: RateRow | undefined;
  readonly notes: readonly string[];
}

export interface HttpLoadSample {
  readonly requestsPerSecond: number;
  /** Mean latency, ms (from autocannon's per-response times, fractional). */
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

export interface GatewayResults {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly route: string;
  readonly gateway: readonly HttpLoadSample[];
  readonly bare: readonly HttpLoadSample[];
  readonly notes: readonly string[];
}

/** A section that did not run, and why. */
export interface Pending {
  readonly section: string;
  readonly reason: string;
}

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly profile: 'full' | 'smoke';
  readonly runs: number;
  readonly elapsedSeconds: number;
  readonly warm: WarmAlgorithmResult[] | undefined;
  readonly cold: ColdStartResults | undefined;
  readonly guard: GuardResults | undefined;
  readonly gateway: GatewayResults | undefined;
  readonly pending: readonly Pending[];
}
