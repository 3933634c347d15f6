/**
 * Summary statistics for repeated benchmark runs. Pure functions: no clocks, no I/O.
 */

/** min / median / max of one figure over repeated runs. */
export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** How many runs the summary covers. */
  readonly runs: number;
}

function sorted(values: readonly number[]): number[] {
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError('benchmark samples must be finite numbers');
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0–100) with linear interpolation between the closest ranks
 * (the "R-7" definition used by spreadsheets and numpy's default).
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError('percentile must lie in 0..100');
  const s = sorted(values);
  const rank = (p / 100) * (s.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const lo = s[lower]!;
  const hi = s[upper]!;
  return lo + (hi - lo) * (rank - lower);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function summarize(values: readonly number[]): Summary {
  const s = sorted(values);
  if (s.length === 0) throw new RangeError('summary of an empty sample');
  return { min: s[0]!, median: median(s), max: s[s.length - 1]!, runs: s.length };
}

/**
 * Element-wise ratio of two series measured in the same runs (run i of `numerator` against run i of
 * `denominator`), so that machine noise common to one run cancels out.
 */
export function pairedRatios(numerator: readonly number[], denominator: readonly number[]): number[] {
  if (numerator.length !== denominator.length) {
    throw new RangeError('paired ratios need the same number of runs on both sides');
  }
  return numerator.map((n, i) => {
    const d = denominator[i]!;
    if (d === 0) throw new RangeError('ratio against a zero measurement');
    return n / d;
  });
}

/** Subtracts a baseline figure (e.g. an empty `node` start) from every sample, clamping at zero. */
export function minusBaseline(values: readonly number[], baseline: number): number[] {
  return values.map((v) => Math.max(0, v - baseline));
}
