import { evaluatePolicy, iamWildcardMatch } from '../../../local/gateway/policy-evaluator';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/orders/1';
const allow = (Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({
  Effect: 'Allow',
  Action,
  Resource,
});
const deny = (Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({
  Effect: 'Deny',
  Action,
  Resource,
});
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('IAM wildcard matching', () => {
  it.each<[string, string, boolean]>([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['a*', 'a/b/c', true],
    ['*', '', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'a/c', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbd', false],
    ['*/GET/orders/*', 'prod/GET/orders/1/secret', true],
    ['*/GET/orders', 'prod/GET/orders/1', false],
    ['ABC', 'abc', false],
    ['a**b', 'ab', true],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(iamWildcardMatch(pattern, value)).toBe(expected);
  });
});

describe('evaluatePolicy', () => {
  it.each<[string, unknown, string]>([
    ['exact Allow', doc(allow(ARN)), 'allow'],
    ['Allow with * across slashes', doc(allow('arn:aws:execute-api:eu-west-1:123456789012:api/*')), 'allow'],
    [
      'Allow for another method',
      doc(allow('arn:aws:execute-api:eu-west-1:123456789012:api/*/POST/*')),
      'deny',
    ],
    ['no statement matches → deny', doc(allow('arn:aws:execute-api:eu-west-1:123456789012:other/*')), 'deny'],
    ['explicit Deny wins over Allow', doc(allow('*'), deny(ARN)), 'deny'],
    ['Deny listed before a matching Allow: deny', doc(deny('arn:*/GET/*'), allow('*')), 'deny'],
    ['Deny that does not match leaves the Allow', doc(deny('arn:*/POST/*'), allow('*')), 'allow'],
    ['Resource array', doc(allow(['x', ARN])), 'allow'],
    ['Action execute-api:*', doc(allow(ARN, 'execute-api:*')), 'allow'],
    ['Action *', doc(allow(ARN, '*')), 'allow'],
    ['Action in another case', doc(allow(ARN, 'Execute-API:invoke')), 'allow'],
    ['Action of another service', doc(allow(ARN, 's3:GetObject')), 'deny'],
    ['Action array', doc(allow(ARN, ['s3:*', 'execute-api:Invoke'])), 'allow'],
    [
      'Deny with another action does not apply',
      doc(allow(ARN), deny(ARN, 'execute-api:ManageConnections')),
      'allow',
    ],
    ['single statement object', { Version: '2012-10-17', Statement: allow(ARN) }, 'allow'],
    [
      'NotResource',
      doc({ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: 'arn:*/POST/*' }),
      'allow',
    ],
    ['wrong version', { Version: '2020-01-01', Statement: [allow(ARN)] }, 'invalid'],
    ['Effect lower case', doc({ Effect: 'allow', Action: 'execute-api:Invoke', Resource: ARN }), 'invalid'],
    ['no Resource', doc({ Effect: 'Allow', Action: 'execute-api:Invoke' }), 'invalid'],
    ['Resource not a string', doc(allow(42)), 'invalid'],
    ['empty Statement', doc(), 'invalid'],
    ['Condition (unsupported)', doc({ ...allow(ARN), Condition: {} }), 'invalid'],
    ['not an object', 'Allow', 'invalid'],
  ])('%s → %s', (_name, policy, expected) => {
    expect(evaluatePolicy(policy, ARN)).toBe(expected);
  });
});
