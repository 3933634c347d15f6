import fc from 'fast-check';
import {
  flattenAuthorizerContext,
  MalformedAuthorizerResponseError,
  parseAuthorizerAnswer,
} from '../../local/gateway/authorizer-response';

const policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }],
};

describe('authorizer response and context flattening (as API Gateway)', () => {
  it('happy flow: string, number and boolean values become strings', () => {
    expect(
      flattenAuthorizerContext({ sub: 'alice', exp: 1700000000, admin: true, off: false, ratio: 0.5 }),
    ).toEqual({
      sub: 'alice',
      exp: '1700000000',
      admin: 'true',
      off: 'false',
      ratio: '0.5',
    });
  });

  it.each([
    ['an object', { nested: { a: 1 } }],
    ['an array', { roles: ['a', 'b'] }],
    ['null', { x: null }],
    ['NaN', { x: Number.NaN }],
  ])('error flow: a context value that is %s is malformed', (_label, context) => {
    expect(() => flattenAuthorizerContext(context)).toThrow(MalformedAuthorizerResponseError);
  });

  it('error flow: a context that is not an object is malformed', () => {
    expect(() => flattenAuthorizerContext(['a'])).toThrow(MalformedAuthorizerResponseError);
    expect(() => flattenAuthorizerContext('ctx')).toThrow(MalformedAuthorizerResponseError);
  });

  it('happy flow: a full answer parses, usageIdentifierKey kept', () => {
    const answer = parseAuthorizerAnswer({
      principalId: 'alice',
      policyDocument: policy,
      context: { sub: 'alice' },
      usageIdentifierKey: 'k',
    });
    expect(answer).toEqual({
      principalId: 'alice',
      policyDocument: policy,
      context: { sub: 'alice' },
      usageIdentifierKey: 'k',
    });
  });

  it.each([
    ['no principalId', { policyDocument: policy }],
    ['empty principalId', { principalId: '', policyDocument: policy }],
    ['no policy', { principalId: 'a' }],
    ['policy without Statement', { principalId: 'a', policyDocument: { Version: '2012-10-17' } }],
    ['nested context', { principalId: 'a', policyDocument: policy, context: { o: {} } }],
    ['not an object', 'allow'],
    ['null', null],
  ])('error flow: %s → malformed (500)', (_label, raw) => {
    expect(() => parseAuthorizerAnswer(raw)).toThrow(MalformedAuthorizerResponseError);
  });

  it('property: any JSON value either parses to a flat string context or is rejected as malformed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (context) => {
        try {
          const answer = parseAuthorizerAnswer({ principalId: 'p', policyDocument: policy, context });
          for (const value of Object.values(answer.context)) expect(typeof value).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedAuthorizerResponseError);
        }
      }),
    );
  });
});
