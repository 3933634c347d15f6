import { parseAuthorizerEvent } from '../../../lambdas/authorizer/events';
import { httpApiEvent, methodArnFor } from '../../support/auth-config';

const ARN = methodArnFor('GET', '/orders');

describe('parseAuthorizerEvent', () => {
  it('REST TOKEN event: the raw authorizationToken and the methodArn', () => {
    expect(parseAuthorizerEvent({ type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: ARN })).toEqual({
      kind: 'rest',
      authorization: 'Bearer x',
      methodArn: ARN,
    });
  });

  it('REST REQUEST event (payload 1.0): the Authorization header in any case', () => {
    expect(
      parseAuthorizerEvent({ type: 'REQUEST', methodArn: ARN, headers: { AUTHORIZATION: 'Bearer y' } }),
    ).toMatchObject({ kind: 'rest', authorization: 'Bearer y' });
  });

  it('error flow: two Authorization headers (two spellings or multi-value) are ambiguous → no token', () => {
    expect(
      parseAuthorizerEvent({
        type: 'REQUEST',
        methodArn: ARN,
        headers: { authorization: 'Bearer a', Authorization: 'Bearer b' },
      }),
    ).toMatchObject({ authorization: undefined });
    expect(
      parseAuthorizerEvent({
        type: 'REQUEST',
        methodArn: ARN,
        headers: { Authorization: 'Bearer b' },
        multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'] },
      }),
    ).toMatchObject({ authorization: undefined });
  });

  it('HTTP API payload 2.0: route template from routeKey, method from the request', () => {
    expect(
      parseAuthorizerEvent(httpApiEvent('Bearer z', 'ANY /admin/{proxy+}', 'delete', '/admin/x')),
    ).toEqual({
      kind: 'http-v2',
      authorization: 'Bearer z',
      method: 'DELETE',
      routeTemplate: '/admin/{proxy+}',
      path: '/admin/x',
    });
  });

  it('HTTP API $default route on a named stage: the stage prefix is removed from the path', () => {
    const event = httpApiEvent('Bearer z', '$default', 'GET', '/prod/orders/1');
    (event.requestContext as Record<string, unknown>).stage = 'prod';
    expect(parseAuthorizerEvent(event)).toMatchObject({ routeTemplate: undefined, path: '/orders/1' });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', []],
    ['TOKEN without methodArn', { type: 'TOKEN', authorizationToken: 'Bearer x' }],
    ['REQUEST without methodArn or version', { type: 'REQUEST', headers: {} }],
    ['HTTP API without requestContext', { version: '2.0', type: 'REQUEST', routeKey: 'GET /x' }],
    ['unknown type', { type: 'WEBSOCKET', methodArn: ARN }],
  ])('error flow: %s is not an authorizer event', (_name, event) => {
    expect(parseAuthorizerEvent(event)).toBeUndefined();
  });
});
