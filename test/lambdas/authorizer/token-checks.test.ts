import {
  assertAudience,
  assertHeaderAcceptable,
  assertIssuerAlgorithm,
  assertKeyFitsAlgorithm,
  assertSubject,
  assertTimeClaims,
  assertTyp,
} from '../../../lambdas/authorizer/token-checks';
import { AuthorizerError } from '../../../lambdas/authorizer/errors';
import { tokenLimitsSchema } from '../../../lambdas/shared/config/authorizer-config';
import { generateEcKey, generateEd25519Key, generateRsaKey } from '../../support/keys';
import type { Jwk } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';

const reason = (f: () => void): string => {
  try {
    f();
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return (error as AuthorizerError).reason;
  }
};

describe('header checks', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['RS256', { alg: 'RS256' }, 'ok'],
    ['EdDSA', { alg: 'EdDSA' }, 'ok'],
    ['none', { alg: 'none' }, 'alg_not_allowed'],
    ['HS256', { alg: 'HS256' }, 'alg_not_allowed'],
    ['rs256 (case)', { alg: 'rs256' }, 'alg_not_allowed'],
    ['alg not a string', { alg: ['RS256'] }, 'alg_not_allowed'],
    ['jku', { alg: 'RS256', jku: 'https://evil' }, 'embedded_key_header'],
    ['x5u', { alg: 'RS256', x5u: 'https://evil' }, 'embedded_key_header'],
    ['jwk', { alg: 'RS256', jwk: {} }, 'embedded_key_header'],
    ['x5c', { alg: 'RS256', x5c: [] }, 'embedded_key_header'],
    ['jku set to null still rejects', { alg: 'RS256', jku: null }, 'embedded_key_header'],
    ['crit', { alg: 'RS256', crit: ['exp'] }, 'crit_unsupported'],
  ])('%s → %s', (_name, header, expected) => {
    expect(
      reason(() => {
        assertHeaderAcceptable(header as JwtHeader);
      }),
    ).toBe(expected);
  });

  it('issuer allowlist and typ', () => {
    expect(
      reason(() => {
        assertIssuerAlgorithm('ES256', new Set(['RS256']));
      }),
    ).toBe('alg_not_allowed');
    expect(
      reason(() => {
        assertIssuerAlgorithm('RS256', new Set(['RS256']));
      }),
    ).toBe('ok');
    expect(
      reason(() => {
        assertTyp({ typ: 'JWT' }, undefined);
      }),
    ).toBe('ok');
    expect(
      reason(() => {
        assertTyp({ typ: 'at+JWT' }, 'application/at+jwt');
      }),
    ).toBe('ok');
    expect(
      reason(() => {
        assertTyp({ typ: 'JWT' }, 'at+jwt');
      }),
    ).toBe('typ_mismatch');
    expect(
      reason(() => {
        assertTyp({}, 'at+jwt');
      }),
    ).toBe('typ_mismatch');
  });
});

describe('alg ↔ key binding (also when the JWK has no alg)', () => {
  const rsa = generateRsaKey().jwk as unknown as Jwk;
  const rsa1024 = generateRsaKey({ bits: 1024 }).jwk as unknown as Jwk;
  const p256 = generateEcKey().jwk as unknown as Jwk;
  const p384 = generateEcKey({ curve: 'P-384' }).jwk as unknown as Jwk;
  const p521 = generateEcKey({ curve: 'P-521' }).jwk as unknown as Jwk;
  const ed = generateEd25519Key().jwk as unknown as Jwk;

  it.each<[string, Jwk, string, string]>([
    ['RS256 on RSA', rsa, 'RS256', 'ok'],
    ['RS512 on RSA', rsa, 'RS512', 'ok'],
    ['RS256 on RSA-1024 (too short)', rsa1024, 'RS256', 'alg_key_mismatch'],
    ['RS256 on EC', p256, 'RS256', 'alg_key_mismatch'],
    ['ES256 on P-256', p256, 'ES256', 'ok'],
    ['ES256 on P-384', p384, 'ES256', 'alg_key_mismatch'],
    ['ES384 on P-256', p256, 'ES384', 'alg_key_mismatch'],
    ['ES384 on P-384', p384, 'ES384', 'ok'],
    ['ES512 on P-521', p521, 'ES512', 'ok'],
    ['ES512 on P-384', p384, 'ES512', 'alg_key_mismatch'],
    ['ES256 on RSA', rsa, 'ES256', 'alg_key_mismatch'],
    ['EdDSA on Ed25519', ed, 'EdDSA', 'ok'],
    ['EdDSA on P-256', p256, 'EdDSA', 'alg_key_mismatch'],
    ['ES256 on Ed25519', ed, 'ES256', 'alg_key_mismatch'],
    ['JWK alg differs from header alg', { ...rsa, alg: 'RS384' }, 'RS256', 'alg_key_mismatch'],
    ['JWK use enc', { ...rsa, use: 'enc' }, 'RS256', 'alg_key_mismatch'],
    ['JWK key_ops without verify', { ...rsa, key_ops: ['encrypt'] }, 'RS256', 'alg_key_mismatch'],
    ['JWK key_ops with verify', { ...rsa, key_ops: ['verify'] }, 'RS256', 'ok'],
    ['HS256 on anything', rsa, 'HS256', 'alg_key_mismatch'],
  ])('%s → %s', (_name, jwk, alg, expected) => {
    expect(
      reason(() => {
        assertKeyFitsAlgorithm(jwk, alg);
      }),
    ).toBe(expected);
  });
});

describe('claims checks', () => {
  const limits = tokenLimitsSchema.parse({ clockSkewSeconds: 60, maxLifetimeSeconds: 3600 });
  const now = 1_800_000_000;
  it.each<[string, Record<string, unknown>, string]>([
    ['valid', { iat: now, exp: now + 300 }, 'ok'],
    ['exp missing', { iat: now }, 'exp_missing'],
    ['exp not a number', { iat: now, exp: '9999999999' }, 'exp_missing'],
    ['expired beyond skew', { iat: now - 400, exp: now - 61 }, 'expired'],
    ['expired within skew', { iat: now - 400, exp: now - 59 }, 'ok'],
    ['nbf beyond skew', { iat: now, exp: now + 300, nbf: now + 61 }, 'not_yet_valid'],
    ['nbf within skew', { iat: now, exp: now + 300, nbf: now + 59 }, 'ok'],
    ['iat missing', { exp: now + 300 }, 'iat_missing'],
    ['iat in the future beyond skew', { iat: now + 61, exp: now + 300 }, 'iat_in_future'],
    ['iat in the future within skew', { iat: now + 59, exp: now + 300 }, 'ok'],
    ['lifetime over the maximum', { iat: now, exp: now + 3601 }, 'lifetime_too_long'],
    ['lifetime exactly the maximum', { iat: now, exp: now + 3600 }, 'ok'],
  ])('%s → %s', (_name, payload, expected) => {
    expect(
      reason(() => {
        assertTimeClaims(payload as JwtPayload, now, limits);
      }),
    ).toBe(expected);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['aud string match', { aud: 'api' }, 'ok'],
    ['aud array match', { aud: ['x', 'api'] }, 'ok'],
    ['aud case differs', { aud: 'API' }, 'aud_mismatch'],
    ['aud prefix', { aud: 'ap' }, 'aud_mismatch'],
    ['aud array of non-strings', { aud: [1, 2] }, 'aud_mismatch'],
    ['no aud, client_id accepted', { client_id: 'api' }, 'ok'],
    ['no aud, client_id not accepted', { client_id: 'other' }, 'aud_mismatch'],
    ['aud present but wrong, client_id right (aud wins)', { aud: 'other', client_id: 'api' }, 'aud_mismatch'],
    ['nothing', {}, 'aud_mismatch'],
  ])('audience: %s → %s', (_name, payload, expected) => {
    expect(
      reason(() => {
        assertAudience(payload as JwtPayload, new Set(['api']));
      }),
    ).toBe(expected);
  });

  it('audience null skips the check (explicit opt-out); sub is required', () => {
    expect(
      reason(() => {
        assertAudience({}, null);
      }),
    ).toBe('ok');
    expect(
      reason(() => {
        assertSubject({ sub: 'a' });
      }),
    ).toBe('ok');
    expect(
      reason(() => {
        assertSubject({ sub: '' });
      }),
    ).toBe('sub_missing');
    expect(
      reason(() => {
        assertSubject({});
      }),
    ).toBe('sub_missing');
  });
});
