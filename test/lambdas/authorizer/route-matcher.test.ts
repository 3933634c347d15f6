import type { RouteRule } from '../../../lambdas/shared/config/authorizer-config';
import {
  compileRoutes,
  matchRoute,
  matchRouteKey,
  parsePathTemplate,
  routeArnPattern,
  templateMatches,
} from '../../../lambdas/authorizer/route-matcher';
import { apiArnPrefix, parseMethodArn } from '../../../lambdas/authorizer/method-arn';

const rule = (method: RouteRule['method'], path: string): RouteRule => ({
  method,
  path,
  public: false,
  authenticatedOnly: true,
});

describe('path templates', () => {
  it('parses literals, {param} and greedy {proxy+}', () => {
    expect(parsePathTemplate('/')).toEqual([]);
    expect(parsePathTemplate('/orders/{id}/items/{proxy+}')).toEqual([
      { kind: 'literal', value: 'orders' },
      { kind: 'param', name: 'id' },
      { kind: 'literal', value: 'items' },
      { kind: 'greedy', name: 'proxy' },
    ]);
  });

  it.each([
    ['GET', '/', 'GET/'],
    ['GET', '/orders', 'GET/orders'],
    ['GET', '/orders/{id}', 'GET/orders/*'],
    ['ANY', '/admin/{proxy+}', '*/admin/*'],
    ['POST', '/a/{b}/c/{d}', 'POST/a/*/c/*'],
  ] as const)('ARN pattern of %s %s is %s', (method, path, pattern) => {
    expect(routeArnPattern(method, parsePathTemplate(path))).toBe(pattern);
  });

  it.each<[string, string, boolean]>([
    ['/', '/', true],
    ['/', '/orders', false],
    ['/orders', '/orders', true],
    ['/orders', '/orders/', false],
    ['/orders/{id}', '/orders/42', true],
    ['/orders/{id}', '/orders/', false],
    ['/orders/{id}', '/orders/42/items', false],
    ['/orders/{id}', '/orders', false],
    ['/admin/{proxy+}', '/admin', false],
    ['/admin/{proxy+}', '/admin/a', true],
    ['/admin/{proxy+}', '/admin/a/b/c', true],
    ['/admin/{proxy+}', '/admin//x', false],
    ['/Orders', '/orders', false],
  ])('template %s matches %s: %s', (template, path, expected) => {
    expect(
      templateMatches(parsePathTemplate(template), path.slice(1) === '' ? [] : path.slice(1).split('/')),
    ).toBe(expected);
  });
});

describe('matchRoute (API Gateway resource selection)', () => {
  const routes = compileRoutes([
    rule('GET', '/orders'),
    rule('GET', '/orders/{id}'),
    rule('GET', '/orders/special'),
    rule('ANY', '/orders/{id}/items'),
    rule('POST', '/orders/{id}/items'),
    rule('ANY', '/admin/{proxy+}'),
    rule('GET', '/admin/status'),
    rule('GET', '/'),
  ]);
  const pick = (method: string, path: string): string | undefined => {
    const r = matchRoute(routes, method, path);
    return r === undefined ? undefined : `${r.method} ${r.template}`;
  };

  it.each([
    ['GET', '/orders', 'GET /orders'],
    ['GET', '/orders/7', 'GET /orders/{id}'],
    ['GET', '/orders/special', 'GET /orders/special'],
    ['GET', '/orders/7/items', 'ANY /orders/{id}/items'],
    ['POST', '/orders/7/items', 'POST /orders/{id}/items'],
    ['DELETE', '/admin/a/b', 'ANY /admin/{proxy+}'],
    ['GET', '/admin/status', 'GET /admin/status'],
    ['POST', '/admin/status', 'ANY /admin/{proxy+}'],
    ['GET', '/', 'GET /'],
    ['GET', '/orders/special/', 'GET /orders/special'],
    ['GET', '/orders/7/', 'GET /orders/{id}'],
    ['DELETE', '/admin/a/', 'ANY /admin/{proxy+}'],
  ])('happy flow (one trailing slash ignored): %s %s → %s', (method, path, expected) => {
    expect(pick(method, path)).toBe(expected);
  });

  it.each([
    ['POST', '/orders'],
    ['GET', '/nothing'],
    ['GET', '/orders/7/other'],
    ['GET', '/admin'],
    ['GET', '/orders//'],
    ['GET', '//'],
    ['get', '/orders'],
  ])('deny by default: %s %s matches no rule', (method, path) => {
    expect(pick(method, path)).toBeUndefined();
  });

  it('matchRouteKey: the method’s own rule before ANY, same template only', () => {
    expect(matchRouteKey(routes, '/orders/{id}/items', 'POST')?.method).toBe('POST');
    expect(matchRouteKey(routes, '/orders/{id}/items', 'GET')?.method).toBe('ANY');
    expect(matchRouteKey(routes, '/orders/{id}', 'POST')).toBeUndefined();
  });
});

describe('parseMethodArn', () => {
  it('happy flow: parses region, account, api, stage, method and path (colons allowed in the path)', () => {
    const arn = parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/a:b');
    expect(arn).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
      apiId: 'abc123',
      stage: 'prod',
      method: 'GET',
      path: '/orders/a:b',
    });
    expect(apiArnPrefix(arn!)).toBe('arn:aws:execute-api:eu-west-1:123456789012:abc123/');
    expect(parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/')?.path).toBe('/');
    expect(parseMethodArn('arn:aws-cn:execute-api:cn-north-1:123456789012:abc/$default/GET')?.path).toBe('/');
  });

  it.each([
    'not an arn',
    'arn:aws:lambda:eu-west-1:123456789012:function/x',
    'arn:aws:execute-api:eu-west-1:12345:abc/prod/GET/x',
    'arn:aws:execute-api:eu-west-1:123456789012:abc/prod',
    'arn:aws:execute-api:eu-west-1:123456789012:abc/pr*d/GET/x',
    'arn:aws:execute-api:eu-west-1:123456789012:abc/prod/get/x',
    42,
  ])('error flow: %s is not a method ARN', (value) => {
    expect(parseMethodArn(value)).toBeUndefined();
  });
});
