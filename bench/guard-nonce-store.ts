import { randomBytes } from 'node:crypto';
import { DynamoNonceStore } from '../lambdas/guard/nonce-store';
import { startLocalDynamo } from '../local/dynamo/local-dynamo';
import type { RateRow } from './results';
import { measure, opsPerWallSecond, type Budget } from './throughput';

/**
 * The guard's nonce claim (a conditional PutItem) against dynalite on 127.0.0.1, one claim at a
 * time, each with a fresh nonce: the replay-protection cost a signed request adds. dynalite is a
 * JavaScript emulation in the same process, so the figure says how cheap our side is, not how fast
 * DynamoDB is (a real DynamoDB round trip from Lambda is typically a few milliseconds). Round trips
 * per wall-clock second: client and dynalite share the process, so CPU time would count both.
 */
export async function measureNonceStore(
  runs: number,
  budget: Budget,
): Promise<{ row: RateRow; note: string }> {
  const dynamo = await startLocalDynamo(0);
  try {
    const table = dynamo.tableNames.Nonces;
    if (table === undefined) throw new Error('the local DynamoDB has no Nonces table');
    const nowSeconds = (): number => Math.floor(Date.now() / 1000);
    const store = new DynamoNonceStore(dynamo.client, table, nowSeconds);
    const prefix = randomBytes(6).toString('base64url');
    const expiresAt = nowSeconds() + 300;
    // Before timing: a fresh nonce is accepted once and its replay refused.
    const probe = `${prefix}-probe`;
    if (
      !(await store.claim('bench-key', probe, expiresAt)) ||
      (await store.claim('bench-key', probe, expiresAt))
    ) {
      throw new Error('nonce store: a replayed nonce was not refused');
    }
    let n = 0;
    const claim = {
      kind: 'async' as const,
      call: () => store.claim('bench-key', `${prefix}-${n++}`, expiresAt),
    };
    await measure(claim, { ...budget, maxMs: budget.maxMs / 2 });
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) samples.push(opsPerWallSecond(await measure(claim, budget)));
    const sorted = [...samples].sort((a, b) => a - b);
    const medianOps = sorted[Math.floor(sorted.length / 2)]!;
    return {
      row: {
        label:
          'nonce claim: conditional PutItem against dynalite (sequential, fresh nonces; per wall-clock second)',
        samples,
      },
      note: `Nonce claim round trip against dynalite: about ${(1000 / medianOps).toFixed(2)} ms each (median run); ${n} nonces written.`,
    };
  } finally {
    await dynamo.close();
  }
}
