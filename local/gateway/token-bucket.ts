/**
 * A token bucket as API Gateway throttles with: `burst` tokens at most, refilled at `rate` per
 * second; each request takes one. Time is passed in (milliseconds), so tests never sleep.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    /** Refill rate, tokens per second (> 0). */
    readonly rate: number,
    /** Capacity (≥ 1); the bucket starts full. */
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new RangeError('token bucket needs rate > 0 and burst >= 1');
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.rate);
      this.lastMs = nowMs;
    }
  }

  /** Takes one token if there is one; false means throttle (429). */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Tokens available at `nowMs` (for tests and diagnostics). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }
}

/** A set of token buckets keyed by a string (e.g. `plan|key|method resource`), created on demand. */
export class BucketSet {
  private readonly buckets = new Map<string, TokenBucket>();

  /** Takes a token from the bucket for `key`, creating it full with these limits if new. */
  tryTake(key: string, rate: number, burst: number, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket?.rate !== rate || bucket.burst !== burst) {
      bucket = new TokenBucket(rate, burst, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake(nowMs);
  }
}
