import { AuthorizerResultCache } from '../../local/gateway/authorizer-cache';

describe('authorizer result cache (per token, TTL, injected clock)', () => {
  it('happy flow: an answer is served until the TTL ends', () => {
    let now = 1_000_000;
    const cache = new AuthorizerResultCache<string>(300, () => now);
    cache.set('Bearer a', 'answer-a');
    expect(cache.get('Bearer a')).toBe('answer-a');
    now += 299_999;
    expect(cache.get('Bearer a')).toBe('answer-a');
    now += 1;
    expect(cache.get('Bearer a')).toBeUndefined();
  });

  it('keys by the whole token: another token misses', () => {
    const cache = new AuthorizerResultCache<string>(300, () => 0);
    cache.set('Bearer a', 'answer-a');
    expect(cache.get('Bearer b')).toBeUndefined();
    expect(cache.get('bearer a')).toBeUndefined();
  });

  it('TTL 0 turns caching off', () => {
    const cache = new AuthorizerResultCache<string>(0, () => 0);
    cache.set('Bearer a', 'answer-a');
    expect(cache.get('Bearer a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded: the oldest entry goes first', () => {
    const cache = new AuthorizerResultCache<string>(300, () => 0, 2);
    cache.set('t1', '1');
    cache.set('t2', '2');
    cache.set('t3', '3');
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')).toBe('2');
    expect(cache.get('t3')).toBe('3');
  });

  it('clear() flushes every entry', () => {
    const cache = new AuthorizerResultCache<string>(300, () => 0);
    cache.set('t1', '1');
    cache.clear();
    expect(cache.get('t1')).toBeUndefined();
  });
});
