/**
 * A JWKS or discovery URL reaches the logs only as origin + path: no query string (an
 * `?access_token=…` some IdPs hand out), no fragment, no user info. The cold-start pre-load warning is
 * the line that names the URL; it is checked against a real JWKS server on 127.0.0.1 in outage, and
 * against an https IdP, which cannot run here: a fetcher that refuses every request stands in for it.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { FetchError } from 'aws-jwt-verify/error';
import { createAuthorizer } from '../../../lambdas/authorizer/handler';
import { HttpFetcher } from '../../../lambdas/authorizer/http-fetcher';
import { testAuthorizerConfig } from '../../support/auth-config';
import { captureLogger, captureMetrics, manualClock } from '../../support/capture';
import { startJwksServer, type JwksServer } from '../../support/jwks-server';

const SECRET = 'secret-4f1d0c';

/** No network here: every request fails as an unreachable host would. */
const unreachable: Fetcher = {
  fetch: (uri: string) => Promise.reject(new FetchError(uri, 'unreachable')),
};

describe('JWKS URLs in logs: origin and path only', () => {
  let server: JwksServer;

  beforeEach(async () => {
    server = await startJwksServer();
    server.setOutage(true);
  });

  afterEach(async () => {
    await server.stop();
  });

  async function preloadWarning(jwksUri: string, fetcher?: Fetcher) {
    const logger = captureLogger();
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer: 'https://idp.example.com', jwksUri }]), {
      clock: manualClock().now,
      logger,
      metrics: captureMetrics(),
      ...(fetcher === undefined ? {} : { fetcher }),
    });
    await handler.ready();
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    return { warning: warnings[0], text: logger.text() };
  }

  it('error flow: pre-load of https://idp.example.com/jwks?access_token=… fails → the warning names origin and path only', async () => {
    const { warning, text } = await preloadWarning(
      `https://idp.example.com/jwks?access_token=${SECRET}#frag-${SECRET}`,
      unreachable,
    );
    expect(warning?.attributes).toMatchObject({
      reason: 'jwks_unavailable',
      jwksSource: 'https://idp.example.com/jwks',
    });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('access_token');
  });

  it('error flow: a real JWKS server on 127.0.0.1 answers 503 → the warning has no query string', async () => {
    const { warning, text } = await preloadWarning(`${server.jwksUri}?access_token=${SECRET}`);
    expect(server.requestCount()).toBe(1);
    expect(warning?.attributes.jwksSource).toBe(server.jwksUri);
    expect(text).not.toContain(SECRET);
  });

  it('error flow: a failed fetch names the URL in its error without query or fragment', async () => {
    const fetcher = new HttpFetcher({ timeoutMs: 1000 });
    const error = await fetcher.fetch(`${server.jwksUri}?access_token=${SECRET}#${SECRET}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FetchError);
    expect((error as Error).message).not.toContain(SECRET);
  });
});
