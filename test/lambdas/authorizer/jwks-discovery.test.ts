/**
 * OIDC discovery end to end: a `jwks_uri` found in issuer metadata must be https, unless the issuer
 * itself is plain http on loopback (the local identity provider), and then only on the issuer's own
 * origin. Tampered metadata naming a plain-http service on the Lambda host (the Runtime API listens on
 * http://127.0.0.1:9001) must fail closed without a request to it.
 *
 * Real parts: keys generated at run time, JWKS servers on 127.0.0.1 (port 0), the real HttpFetcher. An
 * https IdP cannot run here: for that case a fetcher answers the issuer's discovery URL from memory and
 * passes every other request to the real HttpFetcher, so a request to the target would really be made.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { createAuthorizer } from '../../../lambdas/authorizer/handler';
import type { PolicyAuthorizerResult } from '../../../lambdas/authorizer/authorizer';
import { HttpFetcher } from '../../../lambdas/authorizer/http-fetcher';
import { discoveryUrlFor } from '../../../lambdas/authorizer/jwks-cache';
import { evaluatePolicy } from '../../../local/gateway/policy-evaluator';
import { methodArnFor, testAuthorizerConfig, tokenEvent, TEST_AUDIENCE } from '../../support/auth-config';
import { captureLogger, captureMetrics, manualClock } from '../../support/capture';
import { generateRsaKey, jwksOf, type TestKey } from '../../support/keys';
import { startJwksServer, type JwksServer } from '../../support/jwks-server';
import { mintJwt, standardClaims } from '../../support/tokens';

const HTTPS_ISSUER = 'https://idp.example.com/realms/edge';

/** Serves one https discovery document from memory; everything else goes over real HTTP. */
function httpsIssuerFetcher(metadata: Record<string, unknown>): Fetcher & { calls: string[] } {
  const real = new HttpFetcher({ timeoutMs: 1000 });
  const calls: string[] = [];
  return {
    calls,
    fetch: (uri: string) => {
      calls.push(uri);
      if (uri !== discoveryUrlFor(HTTPS_ISSUER)) return real.fetch(uri);
      const bytes = Buffer.from(JSON.stringify(metadata));
      return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  };
}

describe('OIDC discovery: which jwks_uri is fetched', () => {
  let rsa: TestKey;
  let idp: JwksServer;
  /** Serves the right keys: a request to it is what the tampered metadata tries to cause. */
  let target: JwksServer;

  beforeAll(() => {
    rsa = generateRsaKey();
  });

  beforeEach(async () => {
    idp = await startJwksServer(jwksOf(rsa));
    target = await startJwksServer(jwksOf(rsa));
  });

  afterEach(async () => {
    await Promise.all([idp.stop(), target.stop()]);
  });

  async function decide(issuer: string, fetcher?: Fetcher) {
    const clock = manualClock();
    const logger = captureLogger();
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer, discovery: true }]), {
      clock: clock.now,
      logger,
      metrics: captureMetrics(),
      ...(fetcher === undefined ? {} : { fetcher }),
    });
    await handler.ready();
    const token = mintJwt(
      rsa,
      standardClaims(issuer, TEST_AUDIENCE, Math.floor(clock.now() / 1000), { roles: ['orders:read'] }),
    );
    const outcome = await handler(tokenEvent(`Bearer ${token}`)).then(
      (result) =>
        evaluatePolicy((result as PolicyAuthorizerResult).policyDocument, methodArnFor('GET', '/orders')),
      (error: unknown) => (error as Error).message,
    );
    return { outcome, reason: logger.lines.at(-1)?.attributes.reason, logger };
  }

  it('attack: https issuer whose metadata names plain http on 127.0.0.1 → jwks_unavailable, the URL is never requested', async () => {
    const fetcher = httpsIssuerFetcher({ issuer: HTTPS_ISSUER, jwks_uri: target.jwksUri });
    const { outcome, reason, logger } = await decide(HTTPS_ISSUER, fetcher);
    expect(outcome).toBe('Unauthorized');
    expect(reason).toBe('jwks_unavailable');
    expect(target.requestCount()).toBe(0);
    expect(fetcher.calls.every((uri) => uri === discoveryUrlFor(HTTPS_ISSUER))).toBe(true);
    expect(logger.lines.some((l) => l.level === 'warn' && l.attributes.reason === 'jwks_unavailable')).toBe(
      true,
    );
  });

  it('attack: loopback issuer whose metadata names another loopback port → jwks_unavailable, never requested', async () => {
    const issuer = `${idp.origin}/realms/edge`;
    idp.serveDiscovery('/realms/edge', { issuer, jwks_uri: target.jwksUri });
    const { outcome, reason } = await decide(issuer);
    expect(outcome).toBe('Unauthorized');
    expect(reason).toBe('jwks_unavailable');
    expect(target.requestCount()).toBe(0);
    expect(idp.requestsFor('/.well-known/jwks.json')).toBe(0);
  });

  it('happy flow: loopback issuer (the local identity provider) with a jwks_uri on its own origin → allow', async () => {
    const issuer = `${idp.origin}/realms/edge`;
    idp.serveDiscovery('/realms/edge', { issuer, jwks_uri: idp.jwksUri });
    const { outcome, reason } = await decide(issuer);
    expect(outcome).toBe('allow');
    expect(reason).toBe('ok');
    expect(idp.requests).toEqual(['/realms/edge/.well-known/openid-configuration', '/.well-known/jwks.json']);
  });
});
