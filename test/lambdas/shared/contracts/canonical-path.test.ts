/**
 * Canonical request paths: what the WAF rule NonCanonicalPath (and the local gateway) refuses. The
 * property proves the point of the rule: every spelling of a route's literal segment other than the
 * literal itself is refused, so no request can reach a literal resource under another spelling.
 */
import fc from 'fast-check';
import {
  isCanonicalPath,
  NON_CANONICAL_PATH_REGEX,
} from '../../../../lambdas/shared/contracts/canonical-path';
import { pathTemplateSchema } from '../../../../lambdas/shared/config/authorizer-config';

/** RFC 3986 §2.3 unreserved characters (all ASCII, so splitting by code unit is exact). */
const UNRESERVED = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~');

describe('isCanonicalPath', () => {
  it.each([
    ['/'],
    ['/orders/export'],
    ['/orders/a%20b'],
    ['/files/a%2Fb'],
    ['/users/caf%C3%A9'],
    ['/q/%3F%23%25%40%60%7B%7F'],
    ['/orders/export/'],
  ])('canonical: %s', (path) => {
    expect(isCanonicalPath(path)).toBe(true);
  });

  it.each([
    ['/orders/%65xport', 'an encoded lower-case letter'],
    ['/orders/%45XPORT', 'an encoded upper-case letter'],
    ['/orders/%5a', 'lower-case hex'],
    ['/v%31/items', 'an encoded digit'],
    ['/a%2Db', 'an encoded hyphen'],
    ['/a%2eb', 'an encoded dot'],
    ['/a%5Fb', 'an encoded underscore'],
    ['/a%7eb', 'an encoded tilde'],
    ['/orders//export', 'an empty segment'],
    ['//orders', 'an empty first segment'],
  ])('non-canonical: %s (%s)', (path) => {
    expect(isCanonicalPath(path)).toBe(false);
  });

  it('matches exactly the 66 unreserved characters among all 256 percent-encodings (any hex case)', () => {
    const refused: string[] = [];
    for (let code = 0; code < 256; code++) {
      const hex = code.toString(16).padStart(2, '0');
      const variants = [`/x%${hex.toUpperCase()}`, `/x%${hex.toLowerCase()}`];
      const verdicts = new Set(variants.map((p) => isCanonicalPath(p)));
      expect(verdicts.size).toBe(1);
      if (!isCanonicalPath(variants[0]!)) refused.push(String.fromCharCode(code));
    }
    expect(refused.sort()).toEqual([...UNRESERVED].sort());
  });

  it('property: any other spelling of a valid literal segment is refused', () => {
    const literal = fc
      .array(fc.constantFrom(...UNRESERVED), { minLength: 1, maxLength: 12 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(
        literal.filter((l) => pathTemplateSchema.safeParse(`/${l}`).success),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.boolean(),
        (value, encode, upper) => {
          const spelled = Array.from(value)
            .map((ch, i) => {
              if (encode[i] !== true) return ch;
              const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
              return `%${upper ? hex.toUpperCase() : hex}`;
            })
            .join('');
          expect(isCanonicalPath(`/orders/${spelled}`)).toBe(spelled === value);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the WAF regex is plain enough for AWS WAF (no lookaround, no backreference, under 512 characters)', () => {
    expect(NON_CANONICAL_PATH_REGEX.length).toBeLessThan(512);
    expect(NON_CANONICAL_PATH_REGEX).not.toMatch(/\(\?[=!<]|\\[1-9]/);
  });
});
