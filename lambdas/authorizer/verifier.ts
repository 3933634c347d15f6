import { JwtVerifier, type VerifyProperties } from 'aws-jwt-verify/jwt-verifier';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwk, JwksCache, Jwks } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt, type DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthorizerConfig, IssuerConfig, JwtAlgorithm } from '../shared/config/authorizer-config';
import { BadSignatureError, InvalidClaimError, MalformedTokenError, UnknownKeyError } from './errors';
import { toAuthorizerError } from './library-errors';
import { discoveryUrlFor, RefreshingJwksCache, type KeySource } from './jwks-cache';
import {
  assertAudience,
  assertHeaderAcceptable,
  assertIssuerAlgorithm,
  assertKeyFitsAlgorithm,
  assertSubject,
  assertTimeClaims,
  assertTyp,
} from './token-checks';

/** What verification learned about a token, verified or not; safe to log (never the token). */
export interface TokenTrace {
  kid?: string;
  iss?: string;
  sub?: string;
  jti?: string;
  /** The principal's client id, set when the client registry is consulted (never the API key). */
  clientId?: string;
}

/** A token whose signature and claims passed every check. */
export interface VerifiedToken {
  readonly header: JwtHeader;
  readonly payload: JwtPayload & { sub: string; exp: number; iss: string };
  readonly issuer: IssuerConfig;
  readonly kid: string;
}

/** Issuer properties as aws-jwt-verify wants them; `includeRawJwtInErrors` stays false. */
interface EdgeIssuerProperties {
  issuer: string;
  jwksUri: string;
  audience: null;
  graceSeconds: number;
  includeRawJwtInErrors: false;
  customJwtCheck: (props: { header: JwtHeader; payload: JwtPayload; jwk: Jwk }) => void;
}

/**
 * aws-jwt-verify's multi-issuer `JwtVerifier`, opened up only to verify a token we have already
 * decomposed (we inspect the header before any key lookup) without decomposing it twice.
 */
class EdgeJwtVerifier extends JwtVerifier<Partial<VerifyProperties>, EdgeIssuerProperties, true> {
  // Not useless: it makes the library's protected constructor public for this subclass.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(properties: EdgeIssuerProperties[], jwksCache: JwksCache) {
    super(properties, jwksCache);
  }

  verifyDecomposedSync(decomposed: DecomposedJwt, properties: EdgeIssuerProperties): JwtPayload {
    return this.verifyDecomposedJwtSync(decomposed, properties.jwksUri, properties);
  }
}

interface IssuerRuntime {
  readonly config: IssuerConfig;
  readonly properties: EdgeIssuerProperties;
  readonly algorithms: ReadonlySet<string>;
}

export interface TokenVerifierOptions {
  /** Current time in epoch milliseconds. */
  readonly clock: () => number;
  /** Fetches JWKS and discovery documents. */
  readonly fetcher: Fetcher;
}

/** The cache key (the verifier's `jwksUri`) and source of an issuer's keys. */
export function keySourceFor(issuer: IssuerConfig): { cacheKey: string; source: KeySource } {
  if (issuer.jwks !== undefined) return { cacheKey: `pinned:${issuer.issuer}`, source: { kind: 'pinned' } };
  if (issuer.jwksUri !== undefined) {
    return { cacheKey: issuer.jwksUri, source: { kind: 'jwks-uri', url: issuer.jwksUri } };
  }
  const discoveryUrl = discoveryUrlFor(issuer.issuer);
  return { cacheKey: discoveryUrl, source: { kind: 'discovery', issuer: issuer.issuer, discoveryUrl } };
}

/**
 * Verifies bearer tokens against the configured issuers: our header checks first (before any key is
 * looked up), then the key, its binding to `alg`, aws-jwt-verify's signature and claim checks, and
 * our own claim checks (time, lifetime, audience, subject) with the injected clock.
 */
export class TokenVerifier {
  readonly jwksCache: RefreshingJwksCache;
  private readonly verifier: EdgeJwtVerifier;
  private readonly issuers = new Map<string, IssuerRuntime>();
  private readonly preloadKeys: string[] = [];

  constructor(config: AuthorizerConfig, options: TokenVerifierOptions) {
    const nowSeconds = (): number => options.clock() / 1000;
    this.jwksCache = new RefreshingJwksCache({
      now: nowSeconds,
      fetcher: options.fetcher,
      maxKeyAgeSeconds: config.jwks.maxKeyAgeSeconds,
      unknownKidRefetchIntervalSeconds: config.jwks.unknownKidRefetchIntervalSeconds,
    });
    const limits = config.tokenLimits;
    const issuersByKey = new Map<string, string[]>();
    for (const issuer of config.issuers) {
      const { cacheKey, source } = keySourceFor(issuer);
      if (!issuersByKey.has(cacheKey)) {
        this.jwksCache.register(cacheKey, source);
        if (source.kind !== 'pinned') this.preloadKeys.push(cacheKey);
        issuersByKey.set(cacheKey, []);
      }
      issuersByKey.get(cacheKey)?.push(issuer.issuer);
      const audience =
        issuer.audience === null
          ? null
          : new Set(typeof issuer.audience === 'string' ? [issuer.audience] : issuer.audience);
      const properties: EdgeIssuerProperties = {
        issuer: issuer.issuer,
        jwksUri: cacheKey,
        audience: null, // checked below, exactly, with the client_id fallback
        graceSeconds: limits.clockSkewSeconds,
        includeRawJwtInErrors: false,
        customJwtCheck: ({ header, payload, jwk }) => {
          assertKeyFitsAlgorithm(jwk, String(header.alg));
          assertTimeClaims(payload, nowSeconds(), limits);
          assertAudience(payload, audience);
          assertSubject(payload);
        },
      };
      this.issuers.set(issuer.issuer, {
        config: issuer,
        properties,
        algorithms: new Set(issuer.algorithms),
      });
    }
    this.verifier = new EdgeJwtVerifier(
      [...this.issuers.values()].map((i) => i.properties),
      this.jwksCache,
    );
    for (const issuer of config.issuers) {
      if (issuer.jwks !== undefined) this.verifier.cacheJwks(issuer.jwks as unknown as Jwks, issuer.issuer);
    }
    // A refreshed key set replaces the library's derived KeyObjects, so a kid reused for a new key is safe.
    this.jwksCache.onJwksFetched((cacheKey, jwks) => {
      for (const issuer of issuersByKey.get(cacheKey) ?? []) this.verifier.cacheJwks(jwks, issuer);
    });
  }

  /**
   * Fetches every issuer's JWKS (resolving OIDC discovery first). Never rejects: an issuer whose keys
   * cannot be fetched now is retried on demand; the returned list names the failures.
   */
  async preload(): Promise<{ cacheKey: string; error: unknown }[]> {
    const results = await Promise.allSettled(this.preloadKeys.map((key) => this.jwksCache.getJwks(key)));
    const failures: { cacheKey: string; error: unknown }[] = [];
    results.forEach((result, i) => {
      if (result.status === 'rejected')
        failures.push({ cacheKey: this.preloadKeys.at(i) ?? '', error: result.reason });
    });
    return failures;
  }

  /**
   * Verifies a compact JWS. Fills `trace` with what it learns (for the decision log line).
   * @throws AuthorizerError with the reason code of the first failed check
   */
  async verify(token: string, trace: TokenTrace = {}): Promise<VerifiedToken> {
    try {
      const { decomposed, issuer, alg, kid } = this.inspect(token, trace);
      const cacheKey = issuer.properties.jwksUri;
      const jwk =
        this.jwksCache.getFreshJwk(cacheKey, kid) ?? (await this.jwksCache.getJwk(cacheKey, decomposed));
      // Bind alg to the key before the signature is checked (the custom check repeats it afterwards).
      assertKeyFitsAlgorithm(jwk, alg);
      const verified = verifyOrMalformedSignature(() =>
        this.verifier.verifyDecomposedSync(decomposed, issuer.properties),
      );
      return {
        header: decomposed.header,
        payload: verified as VerifiedToken['payload'],
        issuer: issuer.config,
        kid,
      };
    } catch (error) {
      throw toAuthorizerError(error);
    }
  }

  /**
   * Decomposes the token and runs every check that needs no key: header, trusted issuer, algorithm
   * allowed for it, `typ`, `kid` present. Synchronous, so a verification whose key is cached awaits
   * nothing but the handler's own promise.
   */
  private inspect(
    token: string,
    trace: TokenTrace,
  ): { decomposed: DecomposedJwt; issuer: IssuerRuntime; alg: JwtAlgorithm; kid: string } {
    let decomposed: DecomposedJwt;
    try {
      decomposed = decomposeUnverifiedJwt(token);
    } catch (cause) {
      throw new MalformedTokenError('malformed', 'not a compact JWS with JSON object header and payload', {
        cause,
      });
    }
    const { header, payload } = decomposed;
    traceClaims(trace, header, payload);

    assertHeaderAcceptable(header);
    const issuer = typeof payload.iss === 'string' ? this.issuers.get(payload.iss) : undefined;
    if (issuer === undefined) {
      throw new InvalidClaimError('iss_mismatch', 'issuer not trusted', { claim: 'iss' });
    }
    assertIssuerAlgorithm(header.alg, issuer.algorithms);
    assertTyp(header, issuer.config.requiredTyp);
    const kid = header.kid;
    if (typeof kid !== 'string' || kid === '')
      throw new UnknownKeyError('header has no kid', { claim: 'kid' });
    return { decomposed, issuer, alg: header.alg, kid };
  }
}

/** Node's crypto throws (rather than returning false) for some malformed signatures, e.g. an ECDSA signature of the wrong length. */
function verifyOrMalformedSignature(verify: () => JwtPayload): JwtPayload {
  try {
    return verify();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_CRYPTO_OPERATION_FAILED') {
      throw new BadSignatureError('signature is malformed', { cause: error });
    }
    throw error;
  }
}

const TRACE_MAX = 128;

function traceValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > TRACE_MAX ? `${value.slice(0, TRACE_MAX)}…` : value;
}

function traceClaims(trace: TokenTrace, header: JwtHeader, payload: JwtPayload): void {
  const kid = traceValue(header.kid);
  const iss = traceValue(payload.iss);
  const sub = traceValue(payload.sub);
  const jti = traceValue(payload.jti);
  if (kid !== undefined) trace.kid = kid;
  if (iss !== undefined) trace.iss = iss;
  if (sub !== undefined) trace.sub = sub;
  if (jti !== undefined) trace.jti = jti;
}
