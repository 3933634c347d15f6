/** Usage-plan quota periods. */
export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/**
 * Start of the quota period containing `nowMs`, in UTC: the day, the ISO week (from Monday) or
 * the calendar month. (AWS does not document the week start; see docs/local.md.)
 */
export function quotaPeriodStart(period: QuotaPeriod, nowMs: number): number {
  const d = new Date(nowMs);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'MONTH') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return day - sinceMonday * 86_400_000;
}

/** Request counters per key and quota period; a new period starts from zero. */
export class QuotaCounter {
  private readonly used = new Map<string, { readonly periodStart: number; count: number }>();

  /** Counts one request for `key`; false when the quota for the current period is used up. */
  tryConsume(key: string, limit: number, period: QuotaPeriod, nowMs: number): boolean {
    const start = quotaPeriodStart(period, nowMs);
    let entry = this.used.get(key);
    if (entry?.periodStart !== start) {
      entry = { periodStart: start, count: 0 };
      this.used.set(key, entry);
    }
    if (entry.count >= limit) return false;
    entry.count += 1;
    return true;
  }
}
