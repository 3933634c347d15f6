/**
 * Property tests (fast-check): random bodies, headers and signature inputs never reach the backend
 * unless valid; the guard never answers 500 and its parsers never throw anything but their own error.
 * dynalite is the real DynamoDB.
 */
import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signRequest } from '../../../client/sign-request';
import { MalformedRequestError } from '../../../lambdas/guard/errors';
import { parseJsonSafely } from '../../../lambdas/guard/safe-json';
import { checkContentDigest } from '../../../lambdas/shared/http-signatures/content-digest';
import { SignatureSyntaxError } from '../../../lambdas/shared/http-signatures/errors';
import {
  parseSignatureField,
  parseSignatureInput,
} from '../../../lambdas/shared/http-signatures/signature-fields';
import { startClientKeyDynalite, type ClientKeyDynalite } from '../../support/client-key-dynalite';
import {
  ALICE_TOKEN,
  BASE_URL,
  GUARD_TEST_KEY,
  NOW_SECONDS,
  buildGuard,
  eventFor,
  type GuardUnderTest,
} from './guard-harness';

let fixture: ClientKeyDynalite;
let sut: GuardUnderTest;

beforeAll(async () => {
  fixture = await startClientKeyDynalite(GUARD_TEST_KEY);
  sut = buildGuard(fixture.dynamo);
});
afterAll(async () => {
  await fixture.close();
});

const CLIENT_ERRORS = [400, 401, 413, 415, 422];

/** An independent statement of the createOrder rule, to judge what reached the backend. */
function isValidOrder(body: string | null): boolean {
  if (body === null) return false;
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value).sort();
    const v = value as { item?: unknown; quantity?: unknown };
    return (
      keys.join(',') === 'item,quantity' &&
      typeof v.item === 'string' &&
      /^[\p{L}\p{N} ._-]{1,100}$/u.test(v.item) &&
      Number.isInteger(v.quantity) &&
      (v.quantity as number) >= 1 &&
      (v.quantity as number) <= 1000
    );
  } catch {
    return false;
  }
}

const headerName = fc.oneof(
  fc.constantFrom(
    'Signature',
    'Signature-Input',
    'Content-Digest',
    'Content-Type',
    'Authorization',
    'Host',
    'signature',
  ),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    'sig1=("@method" "@target-uri");created=1;keyid="x";nonce="n"',
    'sig1=:AAAA:',
    'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:',
    'application/json',
    '',
  ),
);
const bodyArb = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc.record({ item: fc.string({ maxLength: 20 }), quantity: fc.integer() }).map((o) => JSON.stringify(o)),
);

describe('guard properties', () => {
  it('property: random bodies and headers on a signed route never reach the backend and never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
        bodyArb,
        async (headers, body) => {
          const before = sut.backend.calls.length;
          const event = eventFor(
            {
              method: 'POST',
              url: `${BASE_URL}/orders`,
              headers,
              body: body === null ? undefined : Buffer.from(body),
            },
            { resource: '/orders' },
          );
          const result = await sut.guard(event);
          expect(CLIENT_ERRORS).toContain(result.statusCode);
          expect(result.headers?.['Content-Type']).toBe('application/problem+json');
          expect(sut.backend.calls.length).toBe(before);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: on an unsigned route, only schema-valid orders reach the backend; nothing 500s', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
        bodyArb,
        fc.boolean(),
        async (headers, body, json) => {
          const before = sut.backend.calls.length;
          const all = json ? { ...headers, 'Content-Type': 'application/json' } : headers;
          const event = eventFor(
            {
              method: 'POST',
              url: `${BASE_URL}/open-orders`,
              headers: all,
              body: body === null ? undefined : Buffer.from(body),
            },
            { resource: '/open-orders' },
          );
          const result = await sut.guard(event);
          expect(result.statusCode).not.toBe(500);
          const reached = sut.backend.calls.length > before;
          if (reached) {
            expect(isValidOrder(body)).toBe(true);
            expect(result.statusCode).toBe(201);
          } else {
            expect(CLIENT_ERRORS).toContain(result.statusCode);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: null, array and odd header values in the event never crash the guard', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.oneof(fc.constant(null), fc.string(), fc.array(fc.string())),
        ),
        async (raw) => {
          const event = eventFor(
            { method: 'POST', url: `${BASE_URL}/orders`, headers: {}, body: Buffer.from('{}') },
            { resource: '/orders' },
          );
          const hostile = {
            ...event,
            headers: raw,
            multiValueHeaders: raw,
          } as unknown as APIGatewayProxyEvent;
          const result = await sut.guard(hostile);
          expect(CLIENT_ERRORS).toContain(result.statusCode);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: any single mutation of a validly signed request is never accepted', async () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('body' as const),
        at: fc.nat(),
        char: fc.constantFrom('1', '9', 'x', ' '),
      }),
      fc.record({ kind: fc.constant('method' as const), to: fc.constantFrom('PUT', 'PATCH', 'post') }),
      fc.record({
        kind: fc.constant('path' as const),
        to: fc.constantFrom('/orders/', '/Orders', '/orders2', '/prod/orders'),
      }),
      fc.record({ kind: fc.constant('query' as const), to: fc.constantFrom('a=1', 'limit=5', 'x') }),
      fc.record({
        kind: fc.constant('header' as const),
        name: fc.constantFrom(
          'Authorization',
          'Content-Type',
          'Content-Digest',
          'Signature-Input',
          'Signature',
          'Host',
        ),
        // Trailing whitespace is not part of an HTTP field value (RFC 9110 §5.5), so it is no mutation.
        suffix: fc.constantFrom('x', '0', ',a'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, fc.integer({ min: 1, max: 1000 }), async (m, quantity) => {
        const body = JSON.stringify({ item: 'widget', quantity });
        const signed = await signRequest({
          method: 'POST',
          url: `${BASE_URL}/orders`,
          headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
          body,
          key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
          created: NOW_SECONDS,
        });
        const event = eventFor(signed, { resource: '/orders' });
        switch (m.kind) {
          case 'body': {
            const at = m.at % body.length;
            const changed = body.slice(0, at) + m.char + body.slice(at + 1);
            if (changed === body) return;
            event.body = changed;
            break;
          }
          case 'method':
            event.httpMethod = m.to;
            break;
          case 'path':
            event.requestContext.path = m.to;
            break;
          case 'query':
            event.multiValueQueryStringParameters = { [m.to]: ['1'] };
            break;
          case 'header': {
            const value = `${signed.headers[m.name] ?? event.headers[m.name] ?? ''}${m.suffix}`;
            event.headers[m.name] = value;
            event.multiValueHeaders[m.name] = [value];
            break;
          }
        }
        const before = sut.backend.calls.length;
        const result = await sut.guard(event);
        expect(result.statusCode).not.toBe(201);
        expect(result.statusCode).not.toBe(500);
        expect(sut.backend.calls.length).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('property: validly signed, schema-valid orders are accepted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[a-z0-9 ._-]{1,40}$/),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('target-uri' as const, 'authority-path-query' as const),
        async (item, quantity, coverage) => {
          const signed = await signRequest({
            method: 'POST',
            url: `${BASE_URL}/orders`,
            headers: { Authorization: ALICE_TOKEN },
            body: JSON.stringify({ item, quantity }),
            key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
            created: NOW_SECONDS,
            coverage,
          });
          const result = await sut.guard(eventFor(signed, { resource: '/orders' }));
          expect(result.statusCode).toBe(201);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('parser properties: never an unhandled error', () => {
  const fieldText = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.stringMatching(/^[a-z0-9*=();:"@ ,.+/\\-]{0,120}$/),
  );

  it('property: parseSignatureInput / parseSignatureField return or throw SignatureSyntaxError', () => {
    fc.assert(
      fc.property(fieldText, (text) => {
        for (const parse of [parseSignatureInput, parseSignatureField]) {
          try {
            parse(text);
          } catch (error) {
            expect(error).toBeInstanceOf(SignatureSyntaxError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('property: checkContentDigest returns a verdict or throws SignatureSyntaxError', () => {
    fc.assert(
      fc.property(fieldText, fc.uint8Array({ maxLength: 64 }), (text, body) => {
        try {
          expect(['match', 'mismatch', 'no_accepted_algorithm']).toContain(
            checkContentDigest(text, body, ['sha-256', 'sha-512']),
          );
        } catch (error) {
          expect(error).toBeInstanceOf(SignatureSyntaxError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('property: parseJsonSafely returns a value or throws MalformedRequestError, and never pollutes', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.json(),
      fc
        .dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a'), fc.json())
        .map((o) => JSON.stringify(o).replace('"a"', '"__proto__"')),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseJsonSafely(t);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedRequestError);
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});
