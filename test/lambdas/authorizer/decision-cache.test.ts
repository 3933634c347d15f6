import fc from 'fast-check';
import { DecisionCache, tokenCacheKey } from '../../../lambdas/authorizer/decision-cache';

describe('DecisionCache', () => {
  let now: number;
  const make = (maxEntries = 3, maxAgeSeconds = 60) =>
    new DecisionCache<string>({ maxEntries, maxAgeSeconds, clock: () => now });

  beforeEach(() => {
    now = 1_000_000_000_000;
  });

  it('keys by SHA-256 of the token, never the token itself', () => {
    const token = 'header.payload.signature';
    const key = tokenCacheKey(token);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('signature');
    expect(tokenCacheKey(token)).toBe(key);
    expect(tokenCacheKey(`${token}x`)).not.toBe(key);
  });

  it('an entry lives until min(exp, maxAgeSeconds)', () => {
    const cache = make(10, 60);
    const nowSeconds = now / 1000;
    cache.set('long', 'v1', nowSeconds + 3600);
    cache.set('short', 'v2', nowSeconds + 10);
    now += 9_999;
    expect(cache.get('short')).toBe('v2');
    now += 1;
    expect(cache.get('short')).toBeUndefined();
    now += 49_999;
    expect(cache.get('long')).toBe('v1');
    now += 1;
    expect(cache.get('long')).toBeUndefined();
  });

  it('an already expired token is not stored', () => {
    const cache = make();
    cache.set('k', 'v', now / 1000 - 1);
    expect(cache.size).toBe(0);
  });

  it('is bounded: the least recently used entry goes first', () => {
    const cache = make(3);
    const exp = now / 1000 + 600;
    cache.set('a', 'A', exp);
    cache.set('b', 'B', exp);
    cache.set('c', 'C', exp);
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.set('d', 'D', exp);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('d')).toBe('D');
  });

  it('property: bounded, never a wrong value, and a hit entry survives the next maxEntries / 2 stores', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 15 }), value: fc.nat() }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 15 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(op, { maxLength: 60 }), (maxEntries, ops) => {
        const cache = make(maxEntries);
        const exp = now / 1000 + 600;
        const lastSet = new Map<string, number>();
        for (const o of ops) {
          const key = `k${o.key}`;
          if (o.kind === 'set') {
            cache.set(key, String(o.value), exp);
            lastSet.set(key, o.value);
          } else {
            const got = cache.get(key);
            if (got !== undefined) expect(got).toBe(String(lastSet.get(key)));
          }
          expect(cache.size).toBeLessThanOrEqual(maxEntries);
        }
        const present = [...lastSet.keys()].find((key) => cache.get(key) !== undefined);
        if (present === undefined) return;
        for (let i = 0; i < Math.floor(maxEntries / 2); i++) cache.set(`fresh${i}`, 'x', exp);
        expect(cache.get(present)).toBe(String(lastSet.get(present)));
      }),
    );
  });

  it('maxEntries 0 turns it off', () => {
    const cache = make(0);
    cache.set('a', 'A', now / 1000 + 600);
    expect(cache.get('a')).toBeUndefined();
  });
});
