import type { Fetcher } from 'aws-jwt-verify/https';
import { assertIsJwks, findJwkInJwks, type Jwks, type JwksCache, type JwkWithKid } from 'aws-jwt-verify/jwk';
import {
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { isJsonObject, safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { isFetchableDiscoveredJwksUri } from './http-fetcher';
import { loggableUrl } from '../shared/logging/loggable-url';
import { JwksUnavailableError, UnknownKeyError } from './errors';

/** Where the keys of one cache entry come from. */
export type KeySource =
  | { readonly kind: 'jwks-uri'; readonly url: string }
  | { readonly kind: 'discovery'; readonly issuer: string; readonly discoveryUrl: string }
  | { readonly kind: 'pinned' };

export interface RefreshingJwksCacheOptions {
  /** Seconds since the epoch (fractions allowed). Injected so tests never sleep. */
  readonly now: () => number;
  readonly fetcher: Fetcher;
  /** A fetched JWKS older than this is refreshed before use. */
  readonly maxKeyAgeSeconds: number;
  /** At most one refetch per entry in this interval because of an unknown `kid`. */
  readonly unknownKidRefetchIntervalSeconds: number;
  /** After a failed fetch, no new attempt for this long (the cached keys, if any, keep working). @default 10 */
  readonly failureBackoffSeconds?: number;
}

interface Entry {
  readonly source: KeySource;
  jwks: Jwks | undefined;
  fetchedAt: number;
  lastUnknownKidRefetchAt: number;
  lastFailureAt: number;
  resolvedJwksUri: string | undefined;
  inflight: Promise<Jwks> | undefined;
}

type Listener = (cacheKey: string, jwks: Jwks) => void;

/** The OpenID Provider metadata location for an issuer (OpenID Connect Discovery 1.0 §4). */
export function discoveryUrlFor(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

function parseJson(body: ArrayBuffer): unknown {
  const text = new TextDecoder('utf8', { fatal: true, ignoreBOM: true }).decode(body);
  return safeJsonParse(text);
}

/**
 * A `JwksCache` (aws-jwt-verify's interface) that closes the library cache's gaps:
 *
 * - **Bounded key age.** A fetched JWKS older than `maxKeyAgeSeconds` is refreshed before its keys are
 *   used, so a key the IdP removed stops verifying within that bound.
 * - **Outage tolerance.** If that refresh fails, the cached keys keep working; the next attempt waits
 *   `failureBackoffSeconds`, so an outage costs one failed request per backoff, not one per token.
 * - **Unknown-kid flood control.** A `kid` missing from a fresh set triggers at most one refetch per
 *   entry per `unknownKidRefetchIntervalSeconds`; every other unknown `kid` fails at once.
 * - **Pinned sets** (`kind: 'pinned'`) are never fetched.
 * - **OIDC discovery**: the JWKS URL is resolved from the issuer's metadata (whose `issuer` must equal
 *   the configured issuer exactly, and whose `jwks_uri` must be https, or plain http on the origin of
 *   an issuer that is itself plain http on loopback) on the first fetch, then remembered.
 *
 * Concurrent fetches of one entry share a single request.
 */
export class RefreshingJwksCache implements JwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners: Listener[] = [];
  private readonly failureBackoffSeconds: number;

  constructor(private readonly options: RefreshingJwksCacheOptions) {
    this.failureBackoffSeconds = Math.min(
      options.failureBackoffSeconds ?? 10,
      options.unknownKidRefetchIntervalSeconds,
    );
  }

  /** Declares an entry. `cacheKey` is the `jwksUri` the verifier is configured with. */
  register(cacheKey: string, source: KeySource): void {
    this.entries.set(cacheKey, {
      source,
      jwks: undefined,
      fetchedAt: Number.NEGATIVE_INFINITY,
      lastUnknownKidRefetchAt: Number.NEGATIVE_INFINITY,
      lastFailureAt: Number.NEGATIVE_INFINITY,
      resolvedJwksUri: undefined,
      inflight: undefined,
    });
  }

  /** Called with every JWKS fetched successfully (to drop derived key objects). */
  onJwksFetched(listener: Listener): void {
    this.listeners.push(listener);
  }

  addJwks(jwksUri: string, jwks: Jwks): void {
    const entry = this.entry(jwksUri);
    entry.jwks = jwks;
    entry.fetchedAt = this.options.now();
  }

  async getJwks(jwksUri: string): Promise<Jwks> {
    const entry = this.entry(jwksUri);
    if (entry.source.kind === 'pinned') {
      if (entry.jwks === undefined) throw new JwksNotAvailableInCacheError('pinned JWKS not loaded');
      return entry.jwks;
    }
    return this.fetchEntry(jwksUri, entry);
  }

  /**
   * The JWK from the entry's current key set. Key age is enforced by {@link getJwk} and
   * {@link getFreshJwk}, which the verifier always consults first; this synchronous lookup serves the
   * library's signature check right after.
   */
  getCachedJwk(jwksUri: string, decomposedJwt: { header: JwtHeader; payload: JwtPayload }): JwkWithKid {
    const kid = decomposedJwt.header.kid;
    if (typeof kid !== 'string' || kid === '') {
      throw new JwtWithoutValidKidError('JWT header does not have a valid kid');
    }
    const jwks = this.entry(jwksUri).jwks;
    if (jwks === undefined)
      throw new JwksNotAvailableInCacheError(`JWKS ${loggableUrl(jwksUri)} not yet available`);
    const jwk = findJwkInJwks(jwks, kid);
    if (jwk === undefined) throw new KidNotFoundInJwksError('kid not found in the JWKS');
    return jwk;
  }

  /**
   * The fast path: the JWK for `kid` if the entry holds a key set young enough to use without a
   * refresh, else `undefined` (call {@link getJwk}).
   */
  getFreshJwk(jwksUri: string, kid: string): JwkWithKid | undefined {
    const entry = this.entries.get(jwksUri);
    if (entry?.jwks === undefined || !this.isFresh(entry)) return undefined;
    return findJwkInJwks(entry.jwks, kid);
  }

  async getJwk(
    jwksUri: string,
    decomposedJwt: { header: JwtHeader; payload: JwtPayload },
  ): Promise<JwkWithKid> {
    const kid = decomposedJwt.header.kid;
    if (typeof kid !== 'string' || kid === '') {
      throw new UnknownKeyError('JWT header has no kid', { claim: 'kid' });
    }
    const entry = this.entry(jwksUri);
    if (entry.source.kind === 'pinned') {
      const jwk = entry.jwks === undefined ? undefined : findJwkInJwks(entry.jwks, kid);
      if (jwk === undefined) throw new UnknownKeyError('kid not in the pinned JWKS', { claim: 'kid' });
      return jwk;
    }
    let justFetched = false;
    if (entry.jwks === undefined || !this.isFresh(entry)) {
      justFetched = await this.refreshIfAllowed(jwksUri, entry);
    }
    if (entry.jwks === undefined) {
      throw new JwksUnavailableError('JWKS not available and no cached copy');
    }
    const jwk = findJwkInJwks(entry.jwks, kid);
    if (jwk !== undefined) return jwk;

    if (justFetched) throw new UnknownKeyError('kid not in the JWKS', { claim: 'kid' });
    const now = this.options.now();
    if (now - entry.lastUnknownKidRefetchAt < this.options.unknownKidRefetchIntervalSeconds) {
      throw new UnknownKeyError('kid not in the JWKS (refetch rate-limited)', { claim: 'kid' });
    }
    entry.lastUnknownKidRefetchAt = now;
    try {
      const refreshed = await this.fetchEntry(jwksUri, entry);
      const found = findJwkInJwks(refreshed, kid);
      if (found !== undefined) return found;
    } catch (cause) {
      throw new UnknownKeyError('kid not in the JWKS and the refetch failed', { claim: 'kid', cause });
    }
    throw new UnknownKeyError('kid not in the JWKS', { claim: 'kid' });
  }

  /** When the entry's key set was fetched (seconds), for diagnostics and tests. */
  fetchedAt(jwksUri: string): number | undefined {
    const at = this.entries.get(jwksUri)?.fetchedAt;
    return at === undefined || at === Number.NEGATIVE_INFINITY ? undefined : at;
  }

  private isFresh(entry: Entry): boolean {
    if (entry.source.kind === 'pinned') return true;
    return this.options.now() - entry.fetchedAt < this.options.maxKeyAgeSeconds;
  }

  /** Refreshes unless a recent failure says wait; `true` when a fresh set was obtained. */
  private async refreshIfAllowed(jwksUri: string, entry: Entry): Promise<boolean> {
    if (entry.inflight === undefined) {
      const sinceFailure = this.options.now() - entry.lastFailureAt;
      if (sinceFailure < this.failureBackoffSeconds) return false;
    }
    try {
      await this.fetchEntry(jwksUri, entry);
      return true;
    } catch {
      // Outage tolerance: keep whatever is cached; the caller fails closed if nothing is.
      return false;
    }
  }

  private fetchEntry(jwksUri: string, entry: Entry): Promise<Jwks> {
    if (entry.inflight !== undefined) return entry.inflight;
    const inflight = this.download(entry).then(
      (jwks) => {
        entry.jwks = jwks;
        entry.fetchedAt = this.options.now();
        entry.inflight = undefined;
        for (const listener of this.listeners) listener(jwksUri, jwks);
        return jwks;
      },
      (error: unknown) => {
        entry.lastFailureAt = this.options.now();
        entry.inflight = undefined;
        throw error;
      },
    );
    entry.inflight = inflight;
    return inflight;
  }

  private async download(entry: Entry): Promise<Jwks> {
    const source = entry.source;
    let url: string;
    if (source.kind === 'jwks-uri') {
      url = source.url;
    } else if (source.kind === 'discovery') {
      entry.resolvedJwksUri ??= await this.resolveDiscovery(source.issuer, source.discoveryUrl);
      url = entry.resolvedJwksUri;
    } else {
      throw new JwksNotAvailableInCacheError('a pinned JWKS is never fetched');
    }
    const parsed = parseJson(await this.options.fetcher.fetch(url));
    assertIsJwks(parsed as Parameters<typeof assertIsJwks>[0]);
    return parsed as Jwks;
  }

  private async resolveDiscovery(issuer: string, discoveryUrl: string): Promise<string> {
    const metadata = parseJson(await this.options.fetcher.fetch(discoveryUrl));
    if (!isJsonObject(metadata as Parameters<typeof isJsonObject>[0])) {
      throw new JwksValidationError('OpenID metadata is not a JSON object');
    }
    const { issuer: advertised, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
    if (advertised !== issuer) {
      throw new JwksValidationError('OpenID metadata issuer does not equal the configured issuer');
    }
    // https only; plain http only on the origin of an issuer that is itself plain http on loopback.
    if (typeof jwksUri !== 'string' || !isFetchableDiscoveredJwksUri(jwksUri, issuer)) {
      throw new JwksValidationError(
        "OpenID metadata jwks_uri is missing or not an https URL (plain http only on a loopback issuer's own origin)",
      );
    }
    return jwksUri;
  }

  private entry(jwksUri: string): Entry {
    const entry = this.entries.get(jwksUri);
    if (entry === undefined)
      throw new JwksNotAvailableInCacheError(`no key source registered for ${loggableUrl(jwksUri)}`);
    return entry;
  }
}
