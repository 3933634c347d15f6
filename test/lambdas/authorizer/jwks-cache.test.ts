/**
 * Unit tests of the JWKS cache's timing rules with an in-memory fetcher (the integration suite runs
 * the same rules against a real HTTP server). The fetcher is a plain object implementing the
 * library's `Fetcher` interface: it serves bytes, the cache under test does all the work.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { RefreshingJwksCache, discoveryUrlFor } from '../../../lambdas/authorizer/jwks-cache';
import { AuthorizerError } from '../../../lambdas/authorizer/errors';
import { generateRsaKey, jwksOf, type TestKey } from '../../support/keys';

class MemoryFetcher implements Fetcher {
  calls: string[] = [];
  down = false;
  documents = new Map<string, unknown>();
  fetch(uri: string): Promise<ArrayBuffer> {
    this.calls.push(uri);
    if (this.down || !this.documents.has(uri)) return Promise.reject(new Error('unreachable'));
    const bytes = Buffer.from(JSON.stringify(this.documents.get(uri)));
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
}

const URI = 'https://idp.example.com/jwks';
const jwt = (kid: string) => ({ header: { alg: 'RS256', kid }, payload: {} });
const reasonOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (error: unknown) => (error instanceof AuthorizerError ? error.reason : (error as Error).name),
  );

describe('RefreshingJwksCache', () => {
  let now: number;
  let fetcher: MemoryFetcher;
  let cache: RefreshingJwksCache;
  let a: TestKey;
  let b: TestKey;

  beforeAll(() => {
    a = generateRsaKey({ kid: 'a' });
    b = generateRsaKey({ kid: 'b' });
  });

  beforeEach(() => {
    now = 1000;
    fetcher = new MemoryFetcher();
    fetcher.documents.set(URI, jwksOf(a));
    cache = new RefreshingJwksCache({
      now: () => now,
      fetcher,
      maxKeyAgeSeconds: 300,
      unknownKidRefetchIntervalSeconds: 60,
      failureBackoffSeconds: 10,
    });
    cache.register(URI, { kind: 'jwks-uri', url: URI });
  });

  it('fetches once, then serves from memory while fresh', async () => {
    await cache.getJwks(URI);
    expect(cache.getFreshJwk(URI, 'a')?.kid).toBe('a');
    await cache.getJwk(URI, jwt('a'));
    expect(fetcher.calls).toHaveLength(1);
  });

  it('concurrent requests share one fetch', async () => {
    await Promise.all([cache.getJwk(URI, jwt('a')), cache.getJwk(URI, jwt('a')), cache.getJwks(URI)]);
    expect(fetcher.calls).toHaveLength(1);
  });

  it('a stale set is refreshed before use: a removed key stops verifying at maxKeyAgeSeconds', async () => {
    await cache.getJwks(URI);
    fetcher.documents.set(URI, jwksOf(b));
    now += 299;
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('ok');
    now += 1;
    expect(cache.getFreshJwk(URI, 'a')).toBeUndefined();
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('unknown_kid');
    expect(fetcher.calls).toHaveLength(2); // no extra unknown-kid refetch right after the refresh
    expect(await reasonOf(cache.getJwk(URI, jwt('b')))).toBe('ok');
  });

  it('outage: a failed refresh keeps the cached keys, and waits failureBackoffSeconds before retrying', async () => {
    await cache.getJwks(URI);
    fetcher.down = true;
    now += 301;
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('ok');
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('ok');
    expect(fetcher.calls).toHaveLength(2);
    now += 10;
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('ok');
    expect(fetcher.calls).toHaveLength(3);
  });

  it('unknown kid: one refetch per interval, whatever the number of distinct kids', async () => {
    await cache.getJwks(URI);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reasonOf(cache.getJwk(URI, jwt(`x${i}`)))),
    );
    expect(new Set(results)).toEqual(new Set(['unknown_kid']));
    expect(fetcher.calls).toHaveLength(2);
    now += 59;
    await reasonOf(cache.getJwk(URI, jwt('y')));
    expect(fetcher.calls).toHaveLength(2);
    now += 1;
    fetcher.documents.set(URI, jwksOf(a, b));
    expect(await reasonOf(cache.getJwk(URI, jwt('b')))).toBe('ok');
    expect(fetcher.calls).toHaveLength(3);
  });

  it('nothing cached and the IdP down → jwks_unavailable, retried only after the backoff', async () => {
    fetcher.down = true;
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('jwks_unavailable');
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('jwks_unavailable');
    expect(fetcher.calls).toHaveLength(1);
    fetcher.down = false;
    now += 10;
    expect(await reasonOf(cache.getJwk(URI, jwt('a')))).toBe('ok');
  });

  it('a pinned set is never fetched and never expires', async () => {
    cache.register('pinned:x', { kind: 'pinned' });
    cache.addJwks('pinned:x', jwksOf(a) as never);
    now += 1_000_000;
    expect(await reasonOf(cache.getJwk('pinned:x', jwt('a')))).toBe('ok');
    expect(await reasonOf(cache.getJwk('pinned:x', jwt('b')))).toBe('unknown_kid');
    expect(fetcher.calls).toHaveLength(0);
  });

  it('discovery: resolves jwks_uri once; the metadata issuer must match exactly', async () => {
    const issuer = 'https://idp.example.com/realms/x';
    const discovery = discoveryUrlFor(`${issuer}/`);
    expect(discovery).toBe(`${issuer}/.well-known/openid-configuration`);
    fetcher.documents.set(discovery, { issuer, jwks_uri: URI });
    cache.register(discovery, { kind: 'discovery', issuer, discoveryUrl: discovery });
    await cache.getJwks(discovery);
    now += 301;
    await cache.getJwk(discovery, jwt('a'));
    expect(fetcher.calls).toEqual([discovery, URI, URI]);

    const evil = 'https://idp.example.com/realms/y';
    const evilDiscovery = discoveryUrlFor(evil);
    fetcher.documents.set(evilDiscovery, { issuer: 'https://attacker.example', jwks_uri: URI });
    cache.register(evilDiscovery, { kind: 'discovery', issuer: evil, discoveryUrl: evilDiscovery });
    await expect(cache.getJwks(evilDiscovery)).rejects.toThrow(/issuer/);

    const plain = 'https://idp.example.com/realms/z';
    const plainDiscovery = discoveryUrlFor(plain);
    fetcher.documents.set(plainDiscovery, { issuer: plain, jwks_uri: 'http://idp.example.com/jwks' });
    cache.register(plainDiscovery, { kind: 'discovery', issuer: plain, discoveryUrl: plainDiscovery });
    await expect(cache.getJwks(plainDiscovery)).rejects.toThrow(/jwks_uri/);
  });

  // Tampered metadata must not steer the authorizer to a plain-http service on the Lambda host (the
  // Runtime API listens on http://127.0.0.1:9001). Plain http is left only to an issuer that is itself
  // plain http on loopback (the local identity provider, tests), and only on the issuer's own origin.
  it.each<[string, string, string]>([
    ['https://idp.example.com/realms/x', 'https://idp.example.com/realms/x/certs', 'ok'],
    ['https://idp.example.com/realms/x', 'https://keys.example.net/jwks', 'ok'],
    [
      'https://idp.example.com/realms/x',
      'http://127.0.0.1:9001/2018-06-01/runtime/invocation/next',
      'jwks_unavailable',
    ],
    ['https://idp.example.com/realms/x', 'http://localhost:9001/jwks', 'jwks_unavailable'],
    ['https://idp.example.com/realms/x', 'http://[::1]:9001/jwks', 'jwks_unavailable'],
    ['https://idp.example.com/realms/x', 'http://idp.example.com/jwks', 'jwks_unavailable'],
    ['https://idp.example.com/realms/x', 'https://user:pass@idp.example.com/jwks', 'jwks_unavailable'],
    ['http://127.0.0.1:8080/realms/x', 'http://127.0.0.1:8080/realms/x/certs', 'ok'],
    ['http://localhost:8080', 'http://localhost:8080/jwks', 'ok'],
    ['http://[::1]:8080', 'http://[::1]:8080/jwks', 'ok'],
    ['http://127.0.0.1:8080', 'https://idp.example.com/jwks', 'ok'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:9001/2018-06-01/runtime/invocation/next', 'jwks_unavailable'],
    ['http://127.0.0.1:8080', 'http://localhost:8080/jwks', 'jwks_unavailable'],
  ])('discovery: issuer %s, metadata jwks_uri %s → %s', async (issuer, jwksUri, expected) => {
    const discovery = discoveryUrlFor(issuer);
    fetcher.documents.set(discovery, { issuer, jwks_uri: jwksUri });
    fetcher.documents.set(jwksUri, jwksOf(a));
    cache.register(discovery, { kind: 'discovery', issuer, discoveryUrl: discovery });
    expect(await reasonOf(cache.getJwk(discovery, jwt('a')))).toBe(expected);
    expect(fetcher.calls).toEqual(expected === 'ok' ? [discovery, jwksUri] : [discovery]);
  });

  it('a document that is not a JWKS is refused', async () => {
    fetcher.documents.set(URI, { keys: 'nope' });
    await expect(cache.getJwks(URI)).rejects.toThrow();
    expect(cache.getFreshJwk(URI, 'a')).toBeUndefined();
  });
});
