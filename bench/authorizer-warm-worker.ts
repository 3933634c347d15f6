import { measureWarmPath, type WarmAlgorithmResult } from './authorizer-warm';
import { readJwtFixture } from './jwt-fixture';
import type { Budget } from './throughput';
import { serveWorker } from './worker-process';

/** Worker entry: the warm-path measurement in a fresh process (see bench/authorizer-warm.ts). */
export interface WarmWorkerInput {
  readonly fixturePath: string;
  readonly runs: number;
  readonly budget: Budget;
  readonly slices: number;
}

serveWorker<WarmWorkerInput, WarmAlgorithmResult[]>((input) =>
  measureWarmPath({ ...input, fixture: readJwtFixture(input.fixturePath) }),
);
