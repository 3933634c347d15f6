/**
 * Throughput of one function, bounded by both time and count.
 *
 * Time is CPU time of this process (user + system, `process.cpuUsage()`), not wall time: on a
 * shared machine a measurement that loses the CPU to another process would otherwise count the
 * wait as its own cost. On an idle machine the two agree for this single-threaded work. A wall-clock
 * cap still bounds every measurement. Clocks are read once per batch of calls, not per call.
 * Async functions are awaited one at a time: a Lambda handles one event at a time, too.
 */

/** How much one measurement may take; whichever bound is hit first ends it. */
export interface Budget {
  /** Stop after this much CPU time, ms. */
  readonly maxMs: number;
  /** Stop after this many calls. */
  readonly maxCalls: number;
}

/** What one measurement counted. */
export interface Tally {
  readonly calls: number;
  /** CPU time (user + system) of the process while the calls ran, ms. */
  readonly cpuMs: number;
  /** Wall time while the calls ran, ms. */
  readonly wallMs: number;
}

/** A thing the bench measures: one call, sync or async. */
export type Measured =
  | { readonly kind: 'sync'; readonly call: (i: number) => unknown }
  | { readonly kind: 'async'; readonly call: (i: number) => Promise<unknown> };

const BATCH = 16;
/** A measurement never takes more than this many times its CPU budget in wall time. */
const WALL_CAP_FACTOR = 20;

const wallNow = (): number => Number(process.hrtime.bigint()) / 1e6;
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Calls `measured` from index `offset` on until the budget is spent. */
export async function measure(measured: Measured, budget: Budget, offset = 0): Promise<Tally> {
  let calls = 0;
  const wallStart = wallNow();
  const cpuStart = cpuNow();
  let cpuMs = 0;
  let wallMs = 0;
  while (cpuMs < budget.maxMs && calls < budget.maxCalls && wallMs < budget.maxMs * WALL_CAP_FACTOR) {
    if (measured.kind === 'sync') {
      for (let j = 0; j < BATCH; j++) measured.call(offset + calls + j);
    } else {
      for (let j = 0; j < BATCH; j++) await measured.call(offset + calls + j);
    }
    calls += BATCH;
    cpuMs = cpuNow() - cpuStart;
    wallMs = wallNow() - wallStart;
  }
  return { calls, cpuMs, wallMs };
}

/** Calls per CPU-second of a tally (or of several added up). */
export function opsPerCpuSecond(...tallies: readonly Tally[]): number {
  const calls = tallies.reduce((sum, t) => sum + t.calls, 0);
  const cpuMs = tallies.reduce((sum, t) => sum + t.cpuMs, 0);
  if (cpuMs <= 0) throw new RangeError('no CPU time was measured');
  return (calls / cpuMs) * 1000;
}

/** Calls per wall-clock second of a tally. */
export function opsPerWallSecond(tally: Tally): number {
  if (tally.wallMs <= 0) throw new RangeError('no wall time was measured');
  return (tally.calls / tally.wallMs) * 1000;
}

/**
 * Measures several variants in the same run, interleaved in `slices` short turns (rotating who goes
 * first), so that a change in machine load hits all of them alike. Returns ops per CPU-second (or,
 * with `per: 'wall'`, per wall-clock second) per variant, in input order. Each variant gets
 * `budget.maxMs` of CPU time in total.
 */
export async function measureInterleaved(
  variants: readonly Measured[],
  budget: Budget,
  slices: number,
  per: 'cpu' | 'wall' = 'cpu',
): Promise<number[]> {
  const tallies: Tally[][] = variants.map(() => []);
  const offsets = variants.map(() => 0);
  const slice: Budget = { maxMs: budget.maxMs / slices, maxCalls: Math.ceil(budget.maxCalls / slices) };
  for (let s = 0; s < slices; s++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (s + k) % variants.length;
      const tally = await measure(variants[v]!, slice, offsets[v]);
      offsets[v]! += tally.calls;
      tallies[v]!.push(tally);
    }
  }
  return tallies.map((t) =>
    per === 'cpu'
      ? opsPerCpuSecond(...t)
      : opsPerWallSecond({
          calls: t.reduce((sum, x) => sum + x.calls, 0),
          cpuMs: t.reduce((sum, x) => sum + x.cpuMs, 0),
          wallMs: t.reduce((sum, x) => sum + x.wallMs, 0),
        }),
  );
}
