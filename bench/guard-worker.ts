import { measureNonceStore } from './guard-nonce-store';
import { measureGuardSignatures } from './guard-signature';
import type { GuardResults } from './results';
import type { Budget } from './throughput';
import { serveWorker } from './worker-process';

/** Worker entry: the request-guard measurements in a fresh process. */
export interface GuardWorkerInput {
  readonly runs: number;
  readonly budget: Budget;
  readonly slices: number;
  readonly requestsPerAlgorithm: number;
}

serveWorker<GuardWorkerInput, GuardResults>(async (input) => {
  const rows = await measureGuardSignatures(
    input.runs,
    input.budget,
    input.slices,
    input.requestsPerAlgorithm,
  );
  const nonce = await measureNonceStore(input.runs, input.budget);
  return {
    rows,
    nonceStore: nonce.row,
    notes: [
      'The signature check runs with the client key from memory (the guard caches keys for `keyCacheTtlSeconds`) and a nonce store that accepts every nonce; the nonce claim is the separate row, against dynalite.',
      nonce.note,
    ],
  };
});
