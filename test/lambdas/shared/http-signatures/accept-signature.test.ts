import fc from 'fast-check';
import { parseDictionary } from 'structured-headers';
import { coverageProblem } from '../../../../lambdas/guard/signature-check';
import {
  acceptSignatureField,
  requestedComponents,
  signatureChallengeHeaders,
  wantContentDigestField,
} from '../../../../lambdas/shared/http-signatures/accept-signature';
import { component, isInnerList } from '../../../../lambdas/shared/http-signatures/components';
import { headerMap, requestPartsFromUrl } from '../../../../lambdas/shared/http-signatures/message';

function requestWith(hasAuthorization: boolean) {
  return requestPartsFromUrl(
    'POST',
    new URL('https://api.example.com/orders?x=1'),
    headerMap(hasAuthorization ? { authorization: 'Bearer x' } : {}),
  );
}

function entryCovering(names: readonly string[]) {
  return {
    label: 'sig1',
    components: names.map((n) => component(n)),
    params: { created: 1, nonce: 'n', keyid: 'k' },
    rawParams: new Map(),
  };
}

describe('Accept-Signature (RFC 9421 §5.1)', () => {
  it('serializes the requested components with created and nonce as a structured dictionary', () => {
    expect(acceptSignatureField({ hasBody: true, hasAuthorization: true })).toBe(
      'sig1=("@method" "@target-uri" "content-digest" "content-type" "authorization");created;nonce',
    );
    expect(acceptSignatureField({ hasBody: false, hasAuthorization: false })).toBe(
      'sig1=("@method" "@target-uri");created;nonce',
    );
  });

  it('parses back (structured fields) into components an entry the guard accepts must cover, for every kind of request', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (hasBody, hasAuthorization) => {
        const field = acceptSignatureField({ hasBody, hasAuthorization });
        const member = parseDictionary(field).get('sig1');
        if (member === undefined || !isInnerList(member)) throw new Error('no inner list sig1');
        const names = member[0].map(([name]) => String(name));
        expect(names).toEqual(requestedComponents({ hasBody, hasAuthorization }));
        expect([...member[1].entries()]).toEqual([
          ['created', true],
          ['nonce', true],
        ]);
        expect(coverageProblem(entryCovering(names), requestWith(hasAuthorization), hasBody)).toBeUndefined();
      }),
    );
  });

  it('asks for nothing the guard could do without: dropping any requested component fails the coverage policy', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.nat(), (hasBody, hasAuthorization, pick) => {
        const names = requestedComponents({ hasBody, hasAuthorization });
        const dropped = names.filter((_, i) => i !== pick % names.length);
        expect(coverageProblem(entryCovering(dropped), requestWith(hasAuthorization), hasBody)).toBeDefined();
      }),
    );
  });
});

describe('Want-Content-Digest (RFC 9530 §4)', () => {
  it('lists the accepted algorithms, preferred first, with descending weights', () => {
    expect(wantContentDigestField(['sha-256', 'sha-512'])).toBe('sha-256=10, sha-512=5');
    expect(wantContentDigestField(['sha-512'])).toBe('sha-512=10');
    expect([...parseDictionary(wantContentDigestField(['sha-512', 'sha-256'])).keys()]).toEqual([
      'sha-256',
      'sha-512',
    ]);
  });

  it('is sent only when the request has a body', () => {
    expect(signatureChallengeHeaders({ hasBody: false, hasAuthorization: true }, ['sha-256'])).toEqual({
      'Accept-Signature': 'sig1=("@method" "@target-uri" "authorization");created;nonce',
    });
    expect(
      signatureChallengeHeaders({ hasBody: true, hasAuthorization: false }, ['sha-256'])[
        'Want-Content-Digest'
      ],
    ).toBe('sha-256=10');
  });
});
