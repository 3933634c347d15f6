/**
 * Property tests of the revocation rules: any stored item parses without throwing; a parsed item
 * that is still within its TTL never re-admits a token it names; `revokedBefore` kills exactly the
 * tokens issued before it.
 */
import fc from 'fast-check';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { revocationKeysOf, revokes } from '../../../lambdas/authorizer/revocation-check';
import { revocationFromItem } from '../../../lambdas/authorizer/revocation-store';

const attribute: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.string().map((S) => ({ S })),
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom('NaN', 'Infinity', '', '1e400', 'abc')).map((n) => ({
    N: String(n),
  })),
  fc.boolean().map((BOOL) => ({ BOOL })),
);

const item = fc.record(
  {
    pk: fc
      .oneof(fc.string(), fc.constantFrom('revoked#jti#a', 'revoked#sub#s', 'revoked#client#c'))
      .map((S) => ({
        S,
      })),
    kind: attribute,
    revokedBefore: attribute,
    expiresAt: attribute,
  },
  { requiredKeys: [] },
);

const subject = fc.record({
  sub: fc.string({ minLength: 1 }),
  iss: fc.webUrl(),
  jti: fc.string(),
  clientId: fc.string(),
  iat: fc.integer({ min: 0, max: 2 ** 31 }),
});

describe('revocation rules (property)', () => {
  it('any item parses without throwing; a kind-less or number-less item errs on the side of revoking', () => {
    fc.assert(
      fc.property(item, subject, fc.integer({ min: 0, max: 2 ** 31 }), (raw, s, now) => {
        const record = revocationFromItem(raw);
        if (raw.pk?.S === undefined) {
          expect(record).toBeUndefined();
          return;
        }
        expect(record).toBeDefined();
        if (record === undefined) return;
        // A record that cannot tell its TTL or cut-off never lets a token through.
        if (raw.expiresAt === undefined && (record.kind === 'jti' || raw.revokedBefore === undefined)) {
          expect(revokes(record, s, now)).toBe(true);
        }
      }),
    );
  });

  it('revokedBefore kills exactly the tokens with iat below it (while the item lives)', () => {
    fc.assert(
      fc.property(subject, fc.integer({ min: 0, max: 2 ** 31 }), (s, cutoff) => {
        const record = {
          pk: 'p',
          kind: 'sub' as const,
          revokedBefore: cutoff,
          expiresAt: Number.POSITIVE_INFINITY,
        };
        expect(revokes(record, s, 0)).toBe(s.iat < cutoff);
      }),
    );
  });

  it('every token is looked up by both subject keys; jti and client only when present', () => {
    fc.assert(
      fc.property(subject, (s) => {
        const keys = revocationKeysOf(s);
        expect(keys.length).toBe(2 + (s.jti === '' ? 0 : 1) + (s.clientId === '' ? 0 : 1));
        expect(new Set(keys).size).toBe(keys.length);
      }),
    );
  });
});
