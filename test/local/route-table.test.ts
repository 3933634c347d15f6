import fc from 'fast-check';
import { buildMethodArn, LOCAL_API } from '../../local/gateway/method-arn';
import { compileRoutes, matchRoute, methodsOf, type ApiMethod } from '../../local/gateway/route-table';

const m = (httpMethod: string, resourcePath: string): ApiMethod<string> => ({
  httpMethod,
  resourcePath,
  target: `${httpMethod} ${resourcePath}`,
});

const table = compileRoutes([
  m('GET', '/health'),
  m('GET', '/orders'),
  m('POST', '/orders'),
  m('GET', '/orders/{id}'),
  m('GET', '/orders/special'),
  m('ANY', '/admin/{proxy+}'),
  m('GET', '/'),
]);

describe('route table (API Gateway resource matching)', () => {
  it.each([
    ['GET', '/health', 'GET /health', null],
    ['GET', '/orders', 'GET /orders', null],
    ['POST', '/orders', 'POST /orders', null],
    ['GET', '/orders/42', 'GET /orders/{id}', { id: '42' }],
    ['GET', '/orders/special', 'GET /orders/special', null],
    ['GET', '/orders/a%20b', 'GET /orders/{id}', { id: 'a b' }],
    ['DELETE', '/admin/users/7', 'ANY /admin/{proxy+}', { proxy: 'users/7' }],
    ['GET', '/admin/x', 'ANY /admin/{proxy+}', { proxy: 'x' }],
    ['GET', '/', 'GET /', null],
    ['GET', '/orders/', 'GET /orders', null],
  ])('happy flow: %s %s → %s', (method, path, target, params) => {
    const found = matchRoute(table, method, path);
    expect(found.kind).toBe('method');
    if (found.kind !== 'method') return;
    expect(found.method.target).toBe(target);
    expect(found.pathParameters).toEqual(params);
  });

  it.each([
    ['GET', '/nope'],
    ['GET', '/orders/1/items'],
    ['GET', '/Orders'],
  ])('error flow: %s %s → no resource', (method, path) => {
    expect(matchRoute(table, method, path).kind).toBe('no-resource');
  });

  it.each([
    ['DELETE', '/orders', '/orders'],
    ['PUT', '/orders/1', '/orders/{id}'],
    // /admin exists only as the parent of {proxy+}: a resource without methods.
    ['GET', '/admin', '/admin'],
  ])('error flow: %s %s → resource without that method', (method, path, resourcePath) => {
    expect(matchRoute(table, method, path)).toEqual({ kind: 'no-method', resourcePath });
  });

  it('error flow: bad percent-encoding is a bad path, not a crash', () => {
    expect(matchRoute(table, 'GET', '/orders/%E0%A4%A').kind).toBe('bad-path');
  });

  it('an empty segment never binds a path parameter', () => {
    expect(matchRoute(table, 'GET', '/orders//').kind).not.toBe('method');
  });

  it('refuses two methods for the same resource and verb', () => {
    expect(() => compileRoutes([m('GET', '/a'), m('GET', '/a')])).toThrow(/duplicate/);
  });

  it('lists the methods of a resource', () => {
    expect(methodsOf(table, '/orders').sort()).toEqual(['GET', 'POST']);
    expect(methodsOf(table, '/admin/{proxy+}')).toEqual(['ANY']);
    expect(methodsOf(table, '/missing')).toEqual([]);
  });

  it('property: any path never throws and a match always names a declared method', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'), fc.string(), (method, tail) => {
        const found = matchRoute(table, method, `/${tail}`);
        if (found.kind === 'method') {
          expect(['GET', 'POST', 'ANY']).toContain(found.method.httpMethod);
        }
      }),
    );
  });
});

describe('method ARN', () => {
  it.each([
    ['GET', '/orders/42', 'arn:aws:execute-api:local:000000000000:edgelocal1/local/GET/orders/42'],
    ['post', '/orders', 'arn:aws:execute-api:local:000000000000:edgelocal1/local/POST/orders'],
    ['GET', '/', 'arn:aws:execute-api:local:000000000000:edgelocal1/local/GET/'],
  ])('%s %s → %s (concrete path, not the template)', (method, path, arn) => {
    expect(buildMethodArn(LOCAL_API, method, path)).toBe(arn);
  });
});
