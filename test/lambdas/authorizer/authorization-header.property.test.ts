/**
 * Property: any Authorization value → exactly `Unauthorized` (401) or a policy; never another error;
 * a policy that allows the route only for a genuinely valid token.
 */
import fc from 'fast-check';
import { createAuthorizer, type AuthorizerHandler } from '../../../lambdas/authorizer/handler';
import type { PolicyAuthorizerResult, SimpleAuthorizerResult } from '../../../lambdas/authorizer/authorizer';
import { evaluatePolicy } from '../../../local/gateway/policy-evaluator';
import { httpApiEvent, methodArnFor, testAuthorizerConfig, TEST_AUDIENCE } from '../../support/auth-config';
import { captureLogger, captureMetrics } from '../../support/capture';
import { generateEcKey, generateRsaKey, jwksOf, type TestKey } from '../../support/keys';
import { mintJwt, segments, standardClaims } from '../../support/tokens';

const ISSUER = 'https://idp.example.com';
const ARN = methodArnFor('GET', '/orders');
let handler: AuthorizerHandler;
let rsa: TestKey;
let ec: TestKey;
let valid: string[];

beforeAll(async () => {
  rsa = generateRsaKey({ kid: 'r' });
  ec = generateEcKey({ kid: 'e' });
  handler = createAuthorizer(
    testAuthorizerConfig([{ issuer: ISSUER, jwks: jwksOf(rsa, ec) as never }], {
      decisionCache: { maxEntries: 0, maxAgeSeconds: 60 },
    }),
    { logger: captureLogger(), metrics: captureMetrics() },
  );
  await handler.ready();
  const now = Math.floor(Date.now() / 1000);
  valid = [rsa, ec].map((k) =>
    mintJwt(k, standardClaims(ISSUER, TEST_AUDIENCE, now, { roles: ['orders:read'] })),
  );
});

/** The decision for a header value: 'unauthorized', 'allow' or 'deny'. Any other throw fails the property. */
async function decide(authorization: unknown): Promise<string> {
  try {
    const result = (await handler({
      type: 'TOKEN',
      authorizationToken: authorization,
      methodArn: ARN,
    })) as PolicyAuthorizerResult;
    expect(typeof result.principalId).toBe('string');
    return evaluatePolicy(result.policyDocument, ARN);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Unauthorized');
    return 'unauthorized';
  }
}

/** Same signing input and the same signature bytes as one of the valid tokens (base64url is malleable in its last bits). */
function isGenuine(authorization: string): boolean {
  const match = /^bearer (.*)$/i.exec(authorization);
  if (match?.[1] === undefined) return false;
  const candidate = segments(match[1]);
  if (match[1].split('.').length !== 3) return false;
  return valid.some((token) => {
    const original = segments(token);
    return (
      candidate.header === original.header &&
      candidate.payload === original.payload &&
      /^[A-Za-z0-9_-]+={0,2}$/.test(candidate.signature) &&
      Buffer.from(candidate.signature, 'base64').equals(Buffer.from(original.signature, 'base64url'))
    );
  });
}

const token68Char = fc.constantFrom(...'ABCabc012-._~+/='.split(''));

describe('any Authorization value', () => {
  it('arbitrary values (strings, unicode, non-strings) → 401 or a policy, never a crash, never an allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: token68Char }).map((s) => `Bearer ${s}`),
          fc.anything(),
        ),
        async (value) => {
          expect(await decide(value)).not.toBe('allow');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('token-shaped values built from random JSON segments → never an allow', async () => {
    const segment = fc.oneof(
      fc.json().map((j) => Buffer.from(j).toString('base64url')),
      fc.string({ unit: token68Char }),
      fc.constant(''),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), async (parts) => {
        expect(await decide(`Bearer ${parts.join('.')}`)).not.toBe('allow');
      }),
      { numRuns: 300 },
    );
  });

  it('mutations of a valid token (replace, insert, delete a character; case of the scheme) → allow only if still genuine', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1 }),
        fc.nat(),
        fc.constantFrom('replace', 'insert', 'delete', 'none'),
        fc.constantFrom(...alphabet.split('')),
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearer:', 'Bearer\t'),
        async (which, position, operation, char, scheme) => {
          const token = valid[which] ?? '';
          const i = position % (token.length + 1);
          const mutated =
            operation === 'replace'
              ? token.slice(0, i) + char + token.slice(i + 1)
              : operation === 'insert'
                ? token.slice(0, i) + char + token.slice(i)
                : operation === 'delete'
                  ? token.slice(0, i) + token.slice(i + 1)
                  : token;
          const value = `${scheme} ${mutated}`;
          const verdict = await decide(value);
          if (isGenuine(value)) expect(verdict).toBe('allow');
          else expect(verdict).not.toBe('allow');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('HTTP API payload 2.0: any value → a boolean simple response, authorized only for a genuine token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constantFrom(...valid.map((t) => `Bearer ${t}`))),
        async (value) => {
          const result = (await handler(
            httpApiEvent(value, 'GET /orders', 'GET', '/orders'),
          )) as SimpleAuthorizerResult;
          expect(typeof result.isAuthorized).toBe('boolean');
          expect(result.isAuthorized).toBe(isGenuine(value));
        },
      ),
      { numRuns: 200 },
    );
  });
});
