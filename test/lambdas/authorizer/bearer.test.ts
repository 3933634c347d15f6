import fc from 'fast-check';
import { extractBearerToken } from '../../../lambdas/authorizer/bearer';
import { MalformedTokenError } from '../../../lambdas/authorizer/errors';

const reasonOf = (value: unknown, max = 100): string => {
  try {
    extractBearerToken(value, max);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedTokenError);
    return (error as MalformedTokenError).reason;
  }
};

describe('extractBearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER abc', 'abc'],
    ['Bearer a-b_c~d+e/f==', 'a-b_c~d+e/f=='],
  ])('happy flow: %s → the token', (value, token) => {
    expect(extractBearerToken(value, 100)).toBe(token);
  });

  it.each<[string, unknown, string]>([
    ['undefined', undefined, 'missing_token'],
    ['empty string', '', 'missing_token'],
    ['a number', 42, 'missing_token'],
    ['no scheme', 'abc.def.ghi', 'malformed'],
    ['Basic scheme', 'Basic dXNlcjpwYXNz', 'malformed'],
    ['scheme only', 'Bearer', 'malformed'],
    ['scheme and space', 'Bearer ', 'malformed'],
    ['two spaces', 'Bearer  abc', 'malformed'],
    ['tab', 'Bearer\tabc', 'malformed'],
    ['two tokens', 'Bearer abc def', 'malformed'],
    ['trailing space', 'Bearer abc ', 'malformed'],
    ['leading space', ' Bearer abc', 'malformed'],
    ['newline injection', 'Bearer abc\nX-Evil: 1', 'malformed'],
    ['character outside token68', 'Bearer abc$def', 'malformed'],
    ['padding in the middle', 'Bearer ab=c', 'malformed'],
    ['non-ASCII', 'Bearer äbc', 'malformed'],
    ['comma-joined duplicates', 'Bearer a,Bearer b', 'malformed'],
  ])('error flow: %s → %s', (_name, value, reason) => {
    expect(reasonOf(value)).toBe(reason);
  });

  it('error flow: the size limit is checked on the byte length of the whole value, before parsing', () => {
    expect(reasonOf(`Bearer ${'a'.repeat(93)}`, 100)).toBe('ok');
    expect(reasonOf(`Bearer ${'a'.repeat(94)}`, 100)).toBe('token_too_large');
    // 40 characters but 80 bytes: multi-byte characters count as bytes.
    expect(reasonOf('é'.repeat(40), 79)).toBe('token_too_large');
    // Garbage that would otherwise be "malformed" is rejected as too large first.
    expect(reasonOf('!'.repeat(101), 100)).toBe('token_too_large');
  });

  it('size limit: rejected as too large exactly when the UTF-8 byte length exceeds the limit (property)', () => {
    // The byte count is skipped when 3 × length fits; this shows the shortcut never changes a verdict.
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: fc.constantFrom('a', 'é', '€', '\ud83d', '\ude00', '😀'), maxLength: 60 }),
    );
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 200 }), (headerValue, max) => {
        const tooLarge = headerValue !== '' && Buffer.byteLength(headerValue, 'utf8') > max;
        expect(reasonOf(headerValue, max) === 'token_too_large').toBe(tooLarge);
      }),
      { numRuns: 2000 },
    );
  });
});
