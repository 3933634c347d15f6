/**
 * Attack matrix: compliant and non-compliant tokens side by side, each non-compliant row asserting
 * its reason code. Real keys generated at run time, JWKS over HTTP on 127.0.0.1, hostile tokens
 * built byte by byte with node:crypto and Buffer base64url. The JWKS publishes no `alg` members,
 * so the alg ↔ key binding is our own check, not the library's.
 */
import { randomBytes } from 'node:crypto';
import { createAuthorizer, type AuthorizerHandler } from '../../../lambdas/authorizer/handler';
import type { PolicyAuthorizerResult } from '../../../lambdas/authorizer/authorizer';
import { evaluatePolicy } from '../../../local/gateway/policy-evaluator';
import { methodArnFor, testAuthorizerConfig, TEST_AUDIENCE } from '../../support/auth-config';
import { captureLogger, captureMetrics, manualClock } from '../../support/capture';
import { generateEcKey, generateRsaKey, jwksOf, type TestKey } from '../../support/keys';
import { startJwksServer, startTripwireServer, type JwksServer } from '../../support/jwks-server';
import {
  b64url,
  craftJwt,
  hmacInput,
  mintJwt,
  segments,
  signInput,
  standardClaims,
} from '../../support/tokens';

interface World {
  issuer: string;
  rsa: TestKey;
  ec: TestKey;
  ec384: TestKey;
  attacker: TestKey;
  attackerEc: TestKey;
  tripwireUrl: string;
  now: number;
  claims: (over?: Record<string, unknown>) => Record<string, unknown>;
}

let server: JwksServer;
let tripwire: Awaited<ReturnType<typeof startTripwireServer>>;
let handler: AuthorizerHandler;
let logger: ReturnType<typeof captureLogger>;
const w = {} as World;

beforeAll(async () => {
  w.rsa = generateRsaKey({ kid: 'rsa-1' });
  w.ec = generateEcKey({ kid: 'ec-256' });
  w.ec384 = generateEcKey({ kid: 'ec-384', curve: 'P-384' });
  w.attacker = generateRsaKey({ kid: 'rsa-1' });
  w.attackerEc = generateEcKey({ kid: 'ec-256' });
  server = await startJwksServer(jwksOf(w.rsa, w.ec, w.ec384));
  tripwire = await startTripwireServer();
  w.tripwireUrl = tripwire.url;
  w.issuer = `${server.origin}/realms/edge`;
  const clock = manualClock();
  w.now = Math.floor(clock.now() / 1000);
  w.claims = (over = {}) => standardClaims(w.issuer, TEST_AUDIENCE, w.now, { roles: ['admin'], ...over });
  logger = captureLogger();
  handler = createAuthorizer(
    testAuthorizerConfig([
      { issuer: w.issuer, jwksUri: server.jwksUri, algorithms: ['RS256', 'ES256', 'ES384'] },
    ]),
    { clock: clock.now, logger, metrics: captureMetrics() },
  );
  await handler.ready();
});

afterAll(async () => {
  await server.stop();
  await tripwire.stop();
});

const ARN = methodArnFor('GET', '/orders');

async function decide(authorization: string | undefined): Promise<{ outcome: string; reason: unknown }> {
  const before = logger.lines.length;
  let outcome: string;
  try {
    const result = (await handler({
      type: 'TOKEN',
      authorizationToken: authorization,
      methodArn: ARN,
    })) as PolicyAuthorizerResult;
    outcome = evaluatePolicy(result.policyDocument, ARN);
  } catch (error) {
    expect((error as Error).message).toBe('Unauthorized');
    // A signal to API Gateway, not a fault: no frames for the Lambda runtime to format.
    expect((error as Error).stack).toBe('Error: Unauthorized');
    outcome = 'unauthorized';
  }
  expect(logger.lines).toHaveLength(before + 1);
  return { outcome, reason: logger.lines.at(-1)?.attributes.reason };
}

const bearer = (token: string): string => `Bearer ${token}`;
/** Flips one character in the middle of a segment (the last character may only carry padding bits). */
const flip = (segment: string): string => {
  const i = Math.floor(segment.length / 2);
  return segment.slice(0, i) + (segment[i] === 'A' ? 'B' : 'A') + segment.slice(i + 1);
};

describe('compliant tokens', () => {
  it.each<[string, () => string]>([
    ['RS256, RSA-2048 key', () => bearer(mintJwt(w.rsa, w.claims()))],
    ['ES256, P-256 key', () => bearer(mintJwt(w.ec, w.claims()))],
    ['ES384, P-384 key', () => bearer(mintJwt(w.ec384, w.claims()))],
    ['scheme in lower case', () => `bearer ${mintJwt(w.rsa, w.claims())}`],
    ['scheme in upper case', () => `BEARER ${mintJwt(w.rsa, w.claims())}`],
    [
      'aud as an array containing the audience',
      () => bearer(mintJwt(w.rsa, w.claims({ aud: ['other', TEST_AUDIENCE] }))),
    ],
    [
      'nbf and iat within the clock skew',
      () => bearer(mintJwt(w.rsa, w.claims({ nbf: w.now + 30, iat: w.now + 30 }))),
    ],
    [
      'lifetime exactly the maximum',
      () => bearer(mintJwt(w.rsa, w.claims({ iat: w.now, exp: w.now + 3600 }))),
    ],
  ])('compliant: %s → allow', async (_name, authorization) => {
    expect(await decide(authorization())).toEqual({ outcome: 'allow', reason: 'ok' });
  });
});

describe('non-compliant tokens', () => {
  const noneRows = ['none', 'None', 'NONE', 'nOnE'].flatMap((alg) => [
    [
      `alg "${alg}" without a signature`,
      () => bearer(craftJwt({ header: { alg, typ: 'JWT' }, payload: w.claims() })),
    ],
    [
      `alg "${alg}" with a random signature`,
      () =>
        bearer(
          craftJwt({
            header: { alg, kid: 'rsa-1' },
            payload: w.claims(),
            signature: b64url(randomBytes(32)),
          }),
        ),
    ],
    [
      `alg "${alg}" with a genuine RS256 signature`,
      () =>
        bearer(craftJwt({ header: { alg, kid: 'rsa-1' }, payload: w.claims(), key: w.rsa, alg: 'RS256' })),
    ],
  ]) as [string, () => string][];

  it.each<[string, () => string, string]>(
    (
      [
        // An unsigned token (empty third segment) is malformed before its alg is even read.
        ...noneRows.map(
          ([name, token]) =>
            [name, token, name.includes('without') ? 'malformed' : 'alg_not_allowed'] as [
              string,
              () => string,
              string,
            ],
        ),
        [
          'HS256 signed with the RSA public key (PEM) as secret',
          () => {
            const pem = w.rsa.publicKey.export({ format: 'pem', type: 'spki' });
            return bearer(
              craftJwt({
                header: { alg: 'HS256', kid: 'rsa-1' },
                payload: w.claims(),
                signer: (i) => hmacInput(i, pem),
              }),
            );
          },
          'alg_not_allowed',
        ],
        [
          'HS256 signed with the RSA public key (DER) as secret',
          () => {
            const der = w.rsa.publicKey.export({ format: 'der', type: 'spki' });
            return bearer(
              craftJwt({
                header: { alg: 'HS256', kid: 'rsa-1' },
                payload: w.claims(),
                signer: (i) => hmacInput(i, der),
              }),
            );
          },
          'alg_not_allowed',
        ],
        [
          'HS256 signed with the RSA public key (JWK JSON) as secret',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'HS256', kid: 'rsa-1' },
                payload: w.claims(),
                signer: (i) => hmacInput(i, JSON.stringify(w.rsa.jwk)),
              }),
            ),
          'alg_not_allowed',
        ],
        [
          'HS512 with any secret',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'HS512', kid: 'rsa-1' },
                payload: w.claims(),
                signer: (i) => hmacInput(i, 'secret'),
              }),
            ),
          'alg_not_allowed',
        ],
        [
          'PS256 (not accepted)',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'PS256', kid: 'rsa-1' },
                payload: w.claims(),
                key: w.rsa,
                alg: 'RS256',
              }),
            ),
          'alg_not_allowed',
        ],
        [
          'RS384: a known algorithm the issuer does not use',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS384', kid: 'rsa-1' },
                payload: w.claims(),
                key: w.rsa,
                alg: 'RS384',
              }),
            ),
          'alg_not_allowed',
        ],
        [
          'alg missing',
          () => bearer(craftJwt({ header: { kid: 'rsa-1' }, payload: w.claims(), key: w.rsa, alg: 'RS256' })),
          'alg_not_allowed',
        ],
        [
          'stripped signature (empty third segment)',
          () => {
            const { header, payload } = segments(mintJwt(w.rsa, w.claims()));
            return bearer(`${header}.${payload}.`);
          },
          'malformed',
        ],
        [
          'tampered payload (roles raised, signature kept)',
          () => {
            const { header, signature } = segments(mintJwt(w.rsa, w.claims({ roles: ['guest'] })));
            return bearer(`${header}.${b64url(JSON.stringify(w.claims({ roles: ['admin'] })))}.${signature}`);
          },
          'bad_signature',
        ],
        [
          'tampered signature (RS256)',
          () => {
            const { header, payload, signature } = segments(mintJwt(w.rsa, w.claims()));
            return bearer(`${header}.${payload}.${flip(signature)}`);
          },
          'bad_signature',
        ],
        [
          'tampered signature (ES256)',
          () => {
            const { header, payload, signature } = segments(mintJwt(w.ec, w.claims()));
            return bearer(`${header}.${payload}.${flip(signature)}`);
          },
          'bad_signature',
        ],
        ['wrong RSA key under a trusted kid', () => bearer(mintJwt(w.attacker, w.claims())), 'bad_signature'],
        [
          'wrong EC key under a trusted kid',
          () => bearer(mintJwt(w.attackerEc, w.claims())),
          'bad_signature',
        ],
        [
          'ES256 all-zero signature (r = s = 0, "psychic signature")',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'ES256', kid: 'ec-256' },
                payload: w.claims(),
                signature: b64url(Buffer.alloc(64)),
              }),
            ),
          'bad_signature',
        ],
        [
          'ES256 signature of the wrong length',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'ES256', kid: 'ec-256' },
                payload: w.claims(),
                signature: b64url(randomBytes(63)),
              }),
            ),
          'bad_signature',
        ],
        [
          'embedded attacker jwk header, signed with the attacker key',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'rsa-1', jwk: w.attacker.jwk },
                payload: w.claims(),
                key: w.attacker,
              }),
            ),
          'embedded_key_header',
        ],
        [
          'jku pointing at a server the test runs',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'evil', jku: w.tripwireUrl },
                payload: w.claims(),
                key: w.attacker,
              }),
            ),
          'embedded_key_header',
        ],
        [
          'x5u pointing at a server the test runs',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'evil', x5u: w.tripwireUrl },
                payload: w.claims(),
                key: w.attacker,
              }),
            ),
          'embedded_key_header',
        ],
        [
          'x5c with an attacker certificate chain',
          () =>
            bearer(
              craftJwt({
                header: {
                  alg: 'RS256',
                  kid: 'rsa-1',
                  x5c: [w.attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')],
                },
                payload: w.claims(),
                key: w.attacker,
              }),
            ),
          'embedded_key_header',
        ],
        [
          'expired',
          () => bearer(mintJwt(w.rsa, w.claims({ iat: w.now - 3700, exp: w.now - 3600 }))),
          'expired',
        ],
        [
          'expired just beyond the skew',
          () => bearer(mintJwt(w.rsa, w.claims({ iat: w.now - 600, exp: w.now - 61 }))),
          'expired',
        ],
        [
          'not yet valid (nbf in an hour)',
          () => bearer(mintJwt(w.rsa, w.claims({ nbf: w.now + 3600 }))),
          'not_yet_valid',
        ],
        [
          'iat in the future beyond the skew',
          () => bearer(mintJwt(w.rsa, w.claims({ iat: w.now + 600, exp: w.now + 900 }))),
          'iat_in_future',
        ],
        [
          'missing exp',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'rsa-1' },
                payload: w.claims({ exp: undefined }),
                key: w.rsa,
              }),
            ),
          'exp_missing',
        ],
        [
          'missing iat',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'rsa-1' },
                payload: w.claims({ iat: undefined }),
                key: w.rsa,
              }),
            ),
          'iat_missing',
        ],
        [
          'lifetime too long (exp - iat = 2 h)',
          () => bearer(mintJwt(w.rsa, w.claims({ iat: w.now, exp: w.now + 7200 }))),
          'lifetime_too_long',
        ],
        ['missing sub', () => bearer(mintJwt(w.rsa, w.claims({ sub: undefined }))), 'sub_missing'],
        [
          'iss with a trailing slash',
          () => bearer(mintJwt(w.rsa, w.claims({ iss: `${w.issuer}/` }))),
          'iss_mismatch',
        ],
        [
          'iss in another case',
          () => bearer(mintJwt(w.rsa, w.claims({ iss: w.issuer.replace('/realms/edge', '/realms/EDGE') }))),
          'iss_mismatch',
        ],
        [
          'iss a prefix of the issuer',
          () => bearer(mintJwt(w.rsa, w.claims({ iss: w.issuer.slice(0, -1) }))),
          'iss_mismatch',
        ],
        [
          'iss with an extra path',
          () => bearer(mintJwt(w.rsa, w.claims({ iss: `${w.issuer}/evil` }))),
          'iss_mismatch',
        ],
        [
          'iss with a Unicode homoglyph (Cyrillic е)',
          () => bearer(mintJwt(w.rsa, w.claims({ iss: w.issuer.replace('edge', '\u0435dge') }))),
          'iss_mismatch',
        ],
        [
          'iss with surrounding whitespace',
          () => bearer(mintJwt(w.rsa, w.claims({ iss: ` ${w.issuer}` }))),
          'iss_mismatch',
        ],
        ['iss missing', () => bearer(mintJwt(w.rsa, w.claims({ iss: undefined }))), 'iss_mismatch'],
        [
          'aud of another API',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: 'billing-api' }))),
          'aud_mismatch',
        ],
        [
          'aud in another case',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: 'Orders-API' }))),
          'aud_mismatch',
        ],
        ['aud a prefix', () => bearer(mintJwt(w.rsa, w.claims({ aud: 'orders' }))), 'aud_mismatch'],
        [
          'aud with a suffix',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: 'orders-api-evil' }))),
          'aud_mismatch',
        ],
        [
          'aud with trailing whitespace',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: 'orders-api ' }))),
          'aud_mismatch',
        ],
        [
          'aud with a Unicode homoglyph',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: 'оrders-api' }))),
          'aud_mismatch',
        ],
        [
          'aud array without the audience',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: ['a', 'b'] }))),
          'aud_mismatch',
        ],
        [
          'aud missing (and no client_id)',
          () => bearer(mintJwt(w.rsa, w.claims({ aud: undefined }))),
          'aud_mismatch',
        ],
        [
          'crit naming exp',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'rsa-1', crit: ['exp'], exp: 1 },
                payload: w.claims(),
                key: w.rsa,
              }),
            ),
          'crit_unsupported',
        ],
        [
          'crit empty',
          () =>
            bearer(
              craftJwt({ header: { alg: 'RS256', kid: 'rsa-1', crit: [] }, payload: w.claims(), key: w.rsa }),
            ),
          'crit_unsupported',
        ],
        [
          'b64 false with crit',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'rsa-1', b64: false, crit: ['b64'] },
                payload: w.claims(),
                key: w.rsa,
              }),
            ),
          'crit_unsupported',
        ],
        [
          'RS256 header on an EC P-256 key (ECDSA signature underneath)',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'ec-256' },
                payload: w.claims(),
                key: w.ec,
                alg: 'ES256',
              }),
            ),
          'alg_key_mismatch',
        ],
        [
          'ES256 header on a P-384 key',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'ES256', kid: 'ec-384' },
                payload: w.claims(),
                signer: (i) => signInput(i, 'ES384', w.ec384.privateKey),
              }),
            ),
          'alg_key_mismatch',
        ],
        [
          'ES384 header on a P-256 key',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'ES384', kid: 'ec-256' },
                payload: w.claims(),
                key: w.ec,
                alg: 'ES256',
              }),
            ),
          'alg_key_mismatch',
        ],
        [
          'ES256 header on an RSA key',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'ES256', kid: 'rsa-1' },
                payload: w.claims(),
                key: w.rsa,
                alg: 'RS256',
              }),
            ),
          'alg_key_mismatch',
        ],
        [
          'kid missing',
          () => bearer(craftJwt({ header: { alg: 'RS256' }, payload: w.claims(), key: w.rsa })),
          'unknown_kid',
        ],
        ['kid unknown', () => bearer(mintJwt({ ...w.rsa, kid: 'nope' }, w.claims())), 'unknown_kid'],
        [
          'oversized token (9 KB)',
          () =>
            bearer(
              craftJwt({
                header: { alg: 'RS256', kid: 'rsa-1' },
                payload: w.claims({ pad: 'x'.repeat(9000) }),
                key: w.rsa,
              }),
            ),
          'token_too_large',
        ],
        ['two segments', () => bearer('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'), 'malformed'],
        ['four segments', () => bearer(`${mintJwt(w.rsa, w.claims())}.AAAA`), 'malformed'],
        ['only dots', () => bearer('..'), 'malformed'],
        [
          'empty header segment',
          () => bearer(`.${segments(mintJwt(w.rsa, w.claims())).payload}.AAAA`),
          'malformed',
        ],
        [
          'empty payload segment',
          () => bearer(`${segments(mintJwt(w.rsa, w.claims())).header}..AAAA`),
          'malformed',
        ],
        [
          'non-base64url characters (+ and /)',
          () => bearer('eyJh+GciOiJ/UzI1NiJ9.eyJzdWIiOiJ4In0.AAAA'),
          'malformed',
        ],
        [
          'header is not JSON',
          () => bearer(craftJwt({ rawHeader: b64url('not json'), payload: w.claims(), key: w.rsa })),
          'malformed',
        ],
        [
          'payload is not JSON',
          () =>
            bearer(
              craftJwt({ header: { alg: 'RS256', kid: 'rsa-1' }, rawPayload: b64url('{"sub":'), key: w.rsa }),
            ),
          'malformed',
        ],
        [
          'header is a JSON array',
          () => bearer(craftJwt({ header: ['RS256'], payload: w.claims(), key: w.rsa })),
          'malformed',
        ],
        [
          'payload is a JSON array',
          () =>
            bearer(craftJwt({ header: { alg: 'RS256', kid: 'rsa-1' }, payload: [w.claims()], key: w.rsa })),
          'malformed',
        ],
        [
          'header is a JSON string',
          () => bearer(craftJwt({ rawHeader: b64url('"RS256"'), payload: w.claims(), key: w.rsa })),
          'malformed',
        ],
        ['missing scheme', () => mintJwt(w.rsa, w.claims()), 'malformed'],
        ['Basic scheme', () => `Basic ${Buffer.from('user:pass').toString('base64')}`, 'malformed'],
        [
          'Bearer with a JWT under the Basic scheme',
          () => `Basic ${mintJwt(w.rsa, w.claims())}`,
          'malformed',
        ],
        [
          'two tokens',
          () => `Bearer ${mintJwt(w.rsa, w.claims())} ${mintJwt(w.rsa, w.claims())}`,
          'malformed',
        ],
        [
          'two tokens, comma separated',
          () => `Bearer ${mintJwt(w.rsa, w.claims())},Bearer ${mintJwt(w.rsa, w.claims())}`,
          'malformed',
        ],
        ['trailing junk', () => `Bearer ${mintJwt(w.rsa, w.claims())} junk`, 'malformed'],
        ['trailing space', () => `Bearer ${mintJwt(w.rsa, w.claims())} `, 'malformed'],
        ['double space after the scheme', () => `Bearer  ${mintJwt(w.rsa, w.claims())}`, 'malformed'],
        ['tab after the scheme', () => `Bearer\t${mintJwt(w.rsa, w.claims())}`, 'malformed'],
        ['scheme only', () => 'Bearer', 'malformed'],
        ['scheme and a space', () => 'Bearer ', 'malformed'],
        ['empty header', () => '', 'missing_token'],
      ] as [string, () => string, string][]
    ).map(
      ([name, token, reason]) => [`${name} → 401 ${reason}`, token, reason] as [string, () => string, string],
    ),
  )('non-compliant: %s', async (_name, authorization, reason) => {
    expect(await decide(authorization())).toEqual({ outcome: 'unauthorized', reason });
  });

  it('error flow: no Authorization value at all → 401 missing_token', async () => {
    expect(await decide(undefined)).toEqual({ outcome: 'unauthorized', reason: 'missing_token' });
  });

  it('jku / x5u targets were never contacted, and the JWKS was fetched only by the pre-load and kid refetches', () => {
    expect(tripwire.hits()).toBe(0);
    expect(server.requests.every((p) => p === '/.well-known/jwks.json')).toBe(true);
  });
});

describe('required typ', () => {
  let typed: AuthorizerHandler;
  let typedLogger: ReturnType<typeof captureLogger>;

  beforeAll(async () => {
    typedLogger = captureLogger();
    typed = createAuthorizer(
      testAuthorizerConfig([{ issuer: w.issuer, jwksUri: server.jwksUri, requiredTyp: 'at+jwt' }]),
      { logger: typedLogger, metrics: captureMetrics() },
    );
    await typed.ready();
  });

  it.each<[string, string, string | undefined]>([
    ['typ at+jwt', 'ok', 'at+jwt'],
    ['typ application/at+jwt (media type form)', 'ok', 'application/at+jwt'],
    ['typ AT+JWT (case-insensitive)', 'ok', 'AT+JWT'],
    ['typ JWT', 'typ_mismatch', 'JWT'],
    ['typ missing', 'typ_mismatch', undefined],
  ])('%s → %s', async (_name, reason, typ) => {
    const headerObject = { alg: 'RS256', kid: 'rsa-1', ...(typ === undefined ? {} : { typ }) };
    const token = craftJwt({ header: headerObject, payload: w.claims(), key: w.rsa });
    await typed({ type: 'TOKEN', authorizationToken: bearer(token), methodArn: ARN }).catch(() => undefined);
    expect(typedLogger.lines.at(-1)?.attributes.reason).toBe(reason);
  });
});
