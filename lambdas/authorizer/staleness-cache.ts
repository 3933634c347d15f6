/**
 * An in-Lambda cache of store lookups whose answers are at most `stalenessMs` old, for stores an
 * operator changes at run time (revocations, the client registry): the staleness bound is part of the
 * worst-case delay of a change, so it is enforced on read. Holds at most `maxEntries`; the oldest
 * lookup is dropped first. A staleness of 0 caches nothing. "Not found" is an answer like any other
 * (store it as `undefined`); errors are never cached.
 */
export class StalenessCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly fetchedAtMs: number }>();

  constructor(
    private readonly stalenessMs: number,
    private readonly maxEntries: number,
  ) {}

  /**
   * The cached answer for `key` if it is younger than the staleness bound at `nowMs`. An answer from
   * the "future" (the clock stepped back since it was fetched) counts as stale: its true age is
   * unknown, and reusing it could stretch the bound by the size of the step.
   */
  get(key: string, nowMs: number): { readonly value: V } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const age = nowMs - entry.fetchedAtMs;
    return age >= 0 && age < this.stalenessMs ? entry : undefined;
  }

  /** Remembers the answer for `key`, fetched at `nowMs`. */
  set(key: string, value: V, nowMs: number): void {
    if (this.stalenessMs <= 0) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, fetchedAtMs: nowMs });
  }
}
