/**
 * Observability with the real Powertools Logger and Metrics (stdout captured): one JSON decision
 * line per request with outcome, reason, sub, iss, kid, jti, latency and route; EMF counts by outcome
 * and reason; and never the token, nor any of its segments.
 */
import { createAuthorizer } from '../../../lambdas/authorizer/handler';
import { testAuthorizerConfig, tokenEvent, TEST_AUDIENCE } from '../../support/auth-config';
import { manualClock } from '../../support/capture';
import { generateRsaKey, jwksOf } from '../../support/keys';
import { craftJwt, mintJwt, segments, standardClaims } from '../../support/tokens';

describe('decision logs and metrics (Powertools, stdout)', () => {
  let written: string[];
  let spy: jest.SpyInstance;

  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  });

  afterEach(() => {
    spy.mockRestore();
  });

  it('one JSON line per decision and EMF counts by outcome and reason; no token or signature anywhere', async () => {
    const key = generateRsaKey({ kid: 'main' });
    const issuer = 'https://idp.example.com';
    const clock = manualClock();
    const handler = createAuthorizer(testAuthorizerConfig([{ issuer, jwks: jwksOf(key) as never }]), {
      clock: clock.now,
      metricsFlushIntervalMs: 0,
    });
    await handler.ready();
    const now = Math.floor(clock.now() / 1000);
    const claims = (over: Record<string, unknown> = {}) =>
      standardClaims(issuer, TEST_AUDIENCE, now, { roles: ['orders:read'], jti: 'jti-1', ...over });
    const valid = mintJwt(key, claims());
    const expired = mintJwt(key, claims({ iat: now - 7200, exp: now - 3600 }));
    const tampered = `${segments(valid).header}.${segments(mintJwt(key, claims({ roles: ['admin'] }))).payload}.${segments(valid).signature}`;
    const nonJson = craftJwt({
      rawHeader: Buffer.from('{"alg":"RS256",').toString('base64url'),
      payload: claims(),
      key,
    });
    const wrongRole = mintJwt(key, claims());
    const tokens = [valid, expired, tampered, nonJson, wrongRole];

    await handler(tokenEvent(`Bearer ${valid}`));
    await handler(tokenEvent(`Bearer ${expired}`)).catch(() => undefined);
    await handler(tokenEvent(`Bearer ${tampered}`)).catch(() => undefined);
    await handler(tokenEvent(`Bearer ${nonJson}`)).catch(() => undefined);
    await handler(tokenEvent(`Bearer ${wrongRole}`, 'POST', '/orders'));

    const lines = written
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const decisions = records.filter((r) => r.message === 'authorizer decision');
    expect(decisions.map((d) => [d.outcome, d.reason])).toEqual([
      ['allow', 'ok'],
      ['unauthorized', 'expired'],
      ['unauthorized', 'bad_signature'],
      ['unauthorized', 'malformed'],
      ['deny', 'missing_role'],
    ]);
    expect(decisions[0]).toMatchObject({
      level: 'INFO',
      service: 'authorizer',
      sub: 'user-123',
      iss: issuer,
      kid: 'main',
      jti: 'jti-1',
      route: 'GET /orders',
      cached: false,
    });
    expect(typeof decisions[0]?.latencyMs).toBe('number');

    const emf = records.filter((r) => r._aws !== undefined);
    expect(emf.map((r) => [r.outcome, r.reason, r.AuthorizerDecision])).toEqual([
      ['allow', 'ok', 1],
      ['unauthorized', 'expired', 1],
      ['unauthorized', 'bad_signature', 1],
      ['unauthorized', 'malformed', 1],
      ['deny', 'missing_role', 1],
    ]);
    expect(JSON.stringify(emf[0]?._aws)).toContain('"Namespace":"ApiSecurityEdge"');

    const everything = written.join('');
    for (const token of tokens) {
      const { header, payload, signature } = segments(token);
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(signature);
      expect(everything).not.toContain(payload);
      expect(everything).not.toContain(header);
    }
  });
});
