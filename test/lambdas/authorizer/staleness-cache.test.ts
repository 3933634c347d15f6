import { StalenessCache } from '../../../lambdas/authorizer/staleness-cache';

describe('StalenessCache', () => {
  it('answers until the staleness bound and not at it', () => {
    const cache = new StalenessCache<string | undefined>(10_000, 10);
    cache.set('a', 'x', 1000);
    cache.set('b', undefined, 1000);
    expect(cache.get('a', 10_999)).toMatchObject({ value: 'x' });
    expect(cache.get('b', 10_999)?.value).toBeUndefined();
    expect(cache.get('b', 10_999)).toBeDefined();
    expect(cache.get('a', 11_000)).toBeUndefined();
    expect(cache.get('b', 11_000)).toBeUndefined();
  });

  it('an answer from the "future" (the clock stepped back) counts as stale', () => {
    const cache = new StalenessCache<string>(10_000, 10);
    cache.set('a', 'x', 200_000);
    expect(cache.get('a', 200_000)).toMatchObject({ value: 'x' });
    expect(cache.get('a', 199_999)).toBeUndefined();
    expect(cache.get('a', 80_000)).toBeUndefined();
  });

  it('a staleness of 0 caches nothing', () => {
    const cache = new StalenessCache<string>(0, 10);
    cache.set('a', 'x', 1000);
    expect(cache.get('a', 1000)).toBeUndefined();
  });

  it('drops the oldest lookup first when full; a refreshed key counts as new', () => {
    const cache = new StalenessCache<number>(60_000, 3);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('c', 3, 0);
    cache.set('a', 4, 1);
    cache.set('d', 5, 2);
    expect(cache.get('b', 3)).toBeUndefined();
    expect(cache.get('a', 3)).toMatchObject({ value: 4 });
    expect(cache.get('c', 3)).toMatchObject({ value: 3 });
    expect(cache.get('d', 3)).toMatchObject({ value: 5 });
  });
});
