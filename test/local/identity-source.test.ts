import fc from 'fast-check';
import { BEARER_VALIDATION_REGEX, IDENTITY_HEADER } from '../../lib/identity-validation';
import { checkIdentitySource } from '../../local/gateway/identity-source';

// eslint-disable-next-line security/detect-non-literal-regexp -- the stack's constant
const settings = { headerName: IDENTITY_HEADER, validationRegex: new RegExp(BEARER_VALIDATION_REGEX) };

describe('identity source and validation expression (before any authorizer call)', () => {
  it.each([
    [['Authorization', 'Bearer abc.def.ghi']],
    [['authorization', 'bearer abc.def.ghi']],
    [['AUTHORIZATION', 'BEARER a-b_c~d+e/f==']],
  ])('happy flow: %j passes with the raw header value', (raw) => {
    expect(checkIdentitySource(raw, settings)).toEqual({ ok: true, token: raw[1] });
  });

  it.each([
    [[], 'missing'],
    [['Content-Type', 'application/json'], 'missing'],
    [['Authorization', ''], 'empty'],
    [['Authorization', '   '], 'empty'],
    [['Authorization', 'Basic dXNlcjpwYXNz'], 'regex_mismatch'],
    [['Authorization', 'Bearer'], 'regex_mismatch'],
    [['Authorization', 'Bearer  two-spaces'], 'regex_mismatch'],
    [['Authorization', 'Bearer a b'], 'regex_mismatch'],
    [['Authorization', 'Bearer abc\n'], 'regex_mismatch'],
    [['Authorization', 'Bearer abc', 'authorization', 'Bearer def'], 'duplicate'],
  ])('error flow: %j → %s', (raw, reason) => {
    expect(checkIdentitySource(raw, settings)).toEqual({ ok: false, reason });
  });

  it('without a validation expression any non-empty value passes', () => {
    expect(
      checkIdentitySource(['Authorization', 'anything'], {
        headerName: 'Authorization',
        validationRegex: undefined,
      }).ok,
    ).toBe(true);
  });

  it('property: a value passes only if it is "Bearer <token68>"', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const result = checkIdentitySource(['Authorization', value], settings);
        if (result.ok) expect(value).toMatch(/^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9._~+/-]+=*$/);
      }),
    );
  });
});
