import { BucketSet, TokenBucket } from '../../local/gateway/token-bucket';
import { QuotaCounter, quotaPeriodStart } from '../../local/gateway/quota';

describe('token bucket (rate, burst; injected clock)', () => {
  it('happy flow: a full bucket allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, true]);
    expect(bucket.tryTake(0)).toBe(false);
    expect(bucket.tryTake(499)).toBe(false);
    expect(bucket.tryTake(500)).toBe(true);
    expect(bucket.tryTake(500)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(100, 2, 0);
    expect(bucket.available(60_000)).toBe(2);
  });

  it('a clock going backwards does not mint tokens', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.tryTake(10_000)).toBe(true);
    expect(bucket.tryTake(5_000)).toBe(false);
  });

  it('rejects nonsense limits', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
  });

  it('bucket sets keep separate buckets per key', () => {
    const set = new BucketSet();
    expect(set.tryTake('a', 1, 1, 0)).toBe(true);
    expect(set.tryTake('a', 1, 1, 0)).toBe(false);
    expect(set.tryTake('b', 1, 1, 0)).toBe(true);
  });
});

describe('quota periods and counters (UTC)', () => {
  const t = Date.UTC(2026, 10, 26, 15, 30); // Thursday 26 Nov 2026
  it.each([
    ['DAY', Date.UTC(2026, 10, 26)],
    ['WEEK', Date.UTC(2026, 10, 23)],
    ['MONTH', Date.UTC(2026, 10, 1)],
  ] as const)('%s starts at the period boundary', (period, start) => {
    expect(quotaPeriodStart(period, t)).toBe(start);
  });

  it('counts per key and resets in the next period', () => {
    const quota = new QuotaCounter();
    expect(quota.tryConsume('k', 2, 'DAY', t)).toBe(true);
    expect(quota.tryConsume('k', 2, 'DAY', t)).toBe(true);
    expect(quota.tryConsume('k', 2, 'DAY', t)).toBe(false);
    expect(quota.tryConsume('other', 2, 'DAY', t)).toBe(true);
    expect(quota.tryConsume('k', 2, 'DAY', t + 86_400_000)).toBe(true);
  });
});
