import { median, minusBaseline, pairedRatios, percentile, summarize } from '../../bench/stats';

describe('bench statistics', () => {
  it.each([
    [[5], 50, 5],
    [[1, 2, 3, 4], 50, 2.5],
    [[4, 1, 3, 2], 0, 1],
    [[4, 1, 3, 2], 100, 4],
    [[10, 20, 30, 40, 50], 99, 49.6],
  ])('percentile of %j at p%d is %d (linear interpolation)', (values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 10);
  });

  it('summarizes min, median and max regardless of order', () => {
    expect(summarize([3, 9, 1, 7, 5])).toEqual({ min: 1, median: 5, max: 9, runs: 5 });
    expect(median([2, 8])).toBe(5);
  });

  it('pairs ratios run by run', () => {
    expect(pairedRatios([10, 30], [5, 10])).toEqual([2, 3]);
  });

  it('subtracts a baseline and clamps at zero', () => {
    expect(minusBaseline([30, 10], 20)).toEqual([10, 0]);
  });

  it.each([
    ['an empty sample', () => summarize([])],
    ['a percentile outside 0..100', () => percentile([1], 101)],
    ['a non-finite sample', () => median([1, Number.NaN])],
    ['unpaired runs', () => pairedRatios([1, 2], [1])],
    ['a zero denominator', () => pairedRatios([1], [0])],
  ])('error flow: %s → RangeError', (_name, fn) => {
    expect(fn).toThrow(RangeError);
  });
});
