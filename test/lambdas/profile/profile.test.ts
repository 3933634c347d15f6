import { buildProfile, permissionsOf } from '../../../lambdas/profile/profile';
import { createProfileHandler } from '../../../lambdas/profile/profile-http';
import { readCaller } from '../../../lambdas/shared/contracts/authorizer-context';
import { authorizerContext, proxyEvent } from '../sample-backend-event';

const cors = { allowOrigins: [], exposeHeaders: [], allowCredentials: false };

describe('profile', () => {
  it.each([
    [
      'reader',
      'orders:read',
      '',
      { readOwnOrders: true, readAllOrders: false, placeOrders: false, admin: false },
    ],
    [
      'writer',
      'orders:write',
      'orders',
      { readOwnOrders: false, readAllOrders: false, placeOrders: true, admin: false },
    ],
    [
      'writer without scope',
      'orders:write',
      '',
      { readOwnOrders: false, readAllOrders: false, placeOrders: false, admin: false },
    ],
    ['admin', 'admin', '', { readOwnOrders: true, readAllOrders: true, placeOrders: false, admin: true }],
    ['nobody', '', '', { readOwnOrders: false, readAllOrders: false, placeOrders: false, admin: false }],
  ])('per-role permissions: %s', (_name, roles, scopes, expected) => {
    const caller = readCaller(authorizerContext({ roles, scopes }))!;
    expect(permissionsOf(caller)).toEqual(expected);
  });

  it('happy flow: the profile names the caller, never a token', async () => {
    const res = await createProfileHandler({ cors })(
      proxyEvent({
        method: 'GET',
        resource: '/profile',
        authorizer: authorizerContext({ roles: 'b a', tenant: 't1' }),
      }),
    );
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      sub: 'alice',
      issuer: 'https://idp.example.com',
      clientId: 'web',
      tenant: 't1',
      roles: ['a', 'b'],
    });
    expect(Object.keys(body)).not.toContain('token');
    expect(buildProfile(readCaller(authorizerContext({ clientId: '' }))!).clientId).toBeNull();
  });

  it.each([
    ['no caller → 401', proxyEvent({ method: 'GET', resource: '/profile', authorizer: null }), 401],
    [
      'other route → 404',
      proxyEvent({ method: 'POST', resource: '/profile', authorizer: authorizerContext() }),
      404,
    ],
  ])('error flow: %s', async (_name, event, status) => {
    const res = await createProfileHandler({ cors })(event);
    expect(res.statusCode).toBe(status);
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
  });
});
