import { createHash } from 'node:crypto';

/**
 * API Gateway's authorizer result cache: the authorizer's answer (policy and context) is kept per
 * token for the TTL and evaluated again against every later method ARN. Errors are not cached.
 * Keys are a SHA-256 of the token so the cache holds no bearer tokens. The clock is injected.
 */
export class AuthorizerResultCache<T> {
  private readonly entries = new Map<string, { readonly expiresAtMs: number; readonly value: T }>();

  constructor(
    /** TTL in seconds; 0 turns the cache off. */
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number,
    /** Bound on entries; the oldest is dropped first. */
    private readonly maxEntries = 10_000,
  ) {}

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /** The cached answer for a token, if one is still fresh. */
  get(token: string): T | undefined {
    if (this.ttlSeconds === 0) return undefined;
    const key = AuthorizerResultCache.key(token);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.nowMs() >= entry.expiresAtMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores an answer for the TTL. */
  set(token: string, value: T): void {
    if (this.ttlSeconds === 0) return;
    const key = AuthorizerResultCache.key(token);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { expiresAtMs: this.nowMs() + this.ttlSeconds * 1000, value });
  }

  /** Number of entries held (fresh or not yet evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops every entry (like flushing the stage's authorizer cache). */
  clear(): void {
    this.entries.clear();
  }
}
