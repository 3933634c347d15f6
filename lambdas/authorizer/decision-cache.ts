import { hash } from 'node:crypto';

/** The cache key of a token: its SHA-256, base64url. The token itself is never stored. */
export function tokenCacheKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAtMs: number;
  /** The cache's tick when the entry was stored or last moved to the most recent end. */
  usedAt: number;
}

export interface DecisionCacheOptions {
  /** Entries kept; 0 turns the cache off. */
  readonly maxEntries: number;
  /** An entry lives at most this long. */
  readonly maxAgeSeconds: number;
  /** Current time in epoch milliseconds. */
  readonly clock: () => number;
}

/**
 * A bounded LRU of verified principals keyed by token hash. An entry lives until the token's `exp`
 * or `maxAgeSeconds`, whichever comes first, so a cached decision never outlives its token.
 * Only verified principals are stored: a rejected token is verified again every time.
 *
 * The recency order is the Map's insertion order (oldest first, evicted first). A hit moves its entry
 * to the newest end only once `maxEntries / 2` stores or moves have happened since it was last stored
 * or moved (before that, fewer than half the entries are newer than it, so it is far from eviction).
 * That saves a Map delete and insert on most hits, the authorizer's fastest path, and keeps the
 * guarantee that matters: after a hit, an entry survives at least the next `maxEntries / 2` stores
 * or moves (a strict LRU: `maxEntries - 1`).
 */
export class DecisionCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private tick = 0;

  constructor(private readonly options: DecisionCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    if (this.options.maxEntries === 0) return undefined;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.options.clock() >= entry.expiresAtMs) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.tick - entry.usedAt >= this.options.maxEntries / 2) {
      this.entries.delete(key);
      this.entries.set(key, entry); // most recently used last
      entry.usedAt = ++this.tick;
    }
    return entry.value;
  }

  /** Stores a verified principal until min(`expSeconds`, now + maxAgeSeconds). */
  set(key: string, value: V, expSeconds: number): void {
    if (this.options.maxEntries === 0) return;
    const now = this.options.clock();
    const expiresAtMs = Math.min(expSeconds * 1000, now + this.options.maxAgeSeconds * 1000);
    if (expiresAtMs <= now) return;
    this.entries.delete(key);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAtMs, usedAt: ++this.tick });
  }
}
