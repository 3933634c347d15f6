import { PolicyBuilder, iamPatternsIntersect } from '../../../lambdas/authorizer/policy';
import { compileRoutes } from '../../../lambdas/authorizer/route-matcher';
import { allowedRoutes, allowedRoutesKey, entitlementsOf } from '../../../lambdas/authorizer/rules';
import {
  HTTP_METHODS,
  MAX_PATH_TEMPLATE_LENGTH,
  pathTemplateSchema,
  routeRuleSchema,
} from '../../../lambdas/shared/config/authorizer-config';
import { evaluatePolicy } from '../../../local/gateway/policy-evaluator';
import { methodArnFor, TEST_ARN_PREFIX } from '../../support/auth-config';

const rule = (method: string, path: string, r: Record<string, unknown>) =>
  routeRuleSchema.parse({ method, path, ...r });

describe('iamPatternsIntersect', () => {
  it.each<[string, string, boolean]>([
    ['a', 'a', true],
    ['a', 'b', false],
    ['*', 'anything', true],
    ['*/GET/orders/*', '*/GET/orders/*/secret', true],
    ['GET/orders', 'GET/orders/*', false],
    ['GET/orders/*', 'POST/orders', false],
    // The stage wildcard can swallow a method and a path: "x/GET/orders/y/GET/orders" matches both.
    ['*/GET/orders', '*/GET/orders/*', true],
    ['*/GET/orders/*', '*/POST/*', true],
    ['a*c', 'ab*', true],
    ['a*', 'b*', false],
    ['', '', true],
    ['', '*', true],
    ['', 'a', false],
  ])('%s ∩ %s ≠ ∅: %s', (a, b, expected) => {
    expect(iamPatternsIntersect(a, b)).toBe(expected);
    expect(iamPatternsIntersect(b, a)).toBe(expected);
  });
});

describe('PolicyBuilder', () => {
  const routes = compileRoutes([
    rule('GET', '/orders', { anyRoles: ['reader'] }),
    rule('GET', '/orders/{id}', { anyRoles: ['reader'] }),
    rule('GET', '/orders/{id}/secret', { anyRoles: ['admin'] }),
    rule('GET', '/orders/special', { anyRoles: ['admin'] }),
    rule('ANY', '/admin/{proxy+}', { anyRoles: ['admin'] }),
    rule('GET', '/admin/status', { authenticatedOnly: true }),
    rule('DELETE', '/orders/{id}', { anyRoles: ['admin'] }),
  ]);
  const builder = new PolicyBuilder(routes);
  const policyFor = (roles: string[]) => {
    const allowed = allowedRoutes(routes, entitlementsOf({ roles, scopes: [] }));
    return builder.build(TEST_ARN_PREFIX, allowed, allowedRoutesKey(allowed));
  };

  it('cache: one object per (API, allowed routes); bounded, and right again after it starts over', () => {
    const small = new PolicyBuilder(routes, 2);
    const otherApi = TEST_ARN_PREFIX.replace(/[^/:]+\/$/, 'otherapi01/');
    const build = (prefix: string, roles: string[]) => {
      const allowed = allowedRoutes(routes, entitlementsOf({ roles, scopes: [] }));
      return small.build(prefix, allowed, allowedRoutesKey(allowed));
    };
    const reader = build(TEST_ARN_PREFIX, ['reader']);
    expect(build(TEST_ARN_PREFIX, ['reader'])).toBe(reader);
    const readerElsewhere = build(otherApi, ['reader']);
    expect(readerElsewhere).not.toBe(reader);
    expect(readerElsewhere.Statement[0]?.Resource.every((r) => r.startsWith(otherApi))).toBe(true);
    const admin = build(TEST_ARN_PREFIX, ['admin']); // third policy: the cache starts over
    expect(admin).toEqual(builder.build(TEST_ARN_PREFIX, ...allowedAndKey(['admin'])));
    expect(build(TEST_ARN_PREFIX, ['reader'])).toEqual(reader);
  });

  const allowedAndKey = (roles: string[]): [boolean[], string] => {
    const allowed = allowedRoutes(routes, entitlementsOf({ roles, scopes: [] }));
    return [allowed, allowedRoutesKey(allowed)];
  };

  it('lists every allowed route stage-independently, and denies overlapping denied routes explicitly', () => {
    const policy = policyFor(['reader']);
    const [allow, deny] = policy.Statement;
    expect(allow).toEqual({
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
      Resource: [
        `${TEST_ARN_PREFIX}*/GET/orders`,
        `${TEST_ARN_PREFIX}*/GET/orders/`,
        `${TEST_ARN_PREFIX}*/GET/orders/*`,
        `${TEST_ARN_PREFIX}*/GET/admin/status`,
        `${TEST_ARN_PREFIX}*/GET/admin/status/`,
      ],
    });
    expect(deny?.Effect).toBe('Deny');
    expect(deny?.Resource).toEqual(
      expect.arrayContaining([
        `${TEST_ARN_PREFIX}*/GET/orders/*/secret`,
        `${TEST_ARN_PREFIX}*/GET/orders/*/secret/`,
        `${TEST_ARN_PREFIX}*/GET/orders/special`,
        `${TEST_ARN_PREFIX}*/GET/orders/special/`,
        `${TEST_ARN_PREFIX}*/DELETE/orders/*`,
      ]),
    );
    expect(policy.Statement).toHaveLength(2);
  });

  it.each<[string, string, string]>([
    ['GET', '/orders/1', 'allow'],
    ['GET', '/orders/1/', 'allow'],
    ['GET', '/orders/', 'allow'],
    ['GET', '/orders/1/secret', 'deny'],
    ['GET', '/orders/1/secret/', 'deny'], // routed to /orders/{id}/secret; the Allow …/GET/orders/* matches it
    ['GET', '/orders/special', 'deny'],
    ['GET', '/orders/special/', 'deny'],
    ['DELETE', '/orders/1', 'deny'],
    ['GET', '/admin/status', 'deny'], // the documented fail-closed corner (see below)
    ['POST', '/admin/status', 'deny'],
    ['GET', '/admin/users', 'deny'],
  ])('reader policy: %s %s → %s', (method, path, verdict) => {
    expect(evaluatePolicy(policyFor(['reader']), methodArnFor(method, path))).toBe(verdict);
  });

  it.each<[string, string, string]>([
    ['GET', '/orders/special', 'allow'],
    ['GET', '/orders/special/', 'allow'],
    ['GET', '/orders/1/secret/', 'allow'],
    ['GET', '/admin/users/', 'allow'],
  ])('admin + reader policy, with and without a trailing slash: %s %s → %s', (method, path, verdict) => {
    expect(evaluatePolicy(policyFor(['admin', 'reader']), methodArnFor(method, path))).toBe(verdict);
  });

  it('a denied ANY route is denied per method, leaving out methods with their own rule on the same path', () => {
    const anyRoutes = compileRoutes([
      rule('ANY', '/items/{id}', { anyRoles: ['admin'] }),
      rule('GET', '/items/{id}', { anyRoles: ['reader'] }),
    ]);
    const b = new PolicyBuilder(anyRoutes);
    const allowed = allowedRoutes(anyRoutes, entitlementsOf({ roles: ['reader'], scopes: [] }));
    const policy = b.build(TEST_ARN_PREFIX, allowed, allowedRoutesKey(allowed));
    expect(evaluatePolicy(policy, methodArnFor('GET', '/items/1'))).toBe('allow');
    expect(evaluatePolicy(policy, methodArnFor('PUT', '/items/1'))).toBe('deny');
    const deny = policy.Statement.find((s) => s.Effect === 'Deny');
    expect(deny?.Resource).not.toContain(`${TEST_ARN_PREFIX}*/GET/items/*`);
  });

  it('no allowed route at all → one Deny for the whole API', () => {
    const closed = compileRoutes([rule('GET', '/orders', { anyRoles: ['reader'] })]);
    const allowed = allowedRoutes(closed, entitlementsOf({ roles: [], scopes: [] }));
    expect(
      new PolicyBuilder(closed).build(TEST_ARN_PREFIX, allowed, allowedRoutesKey(allowed)).Statement,
    ).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${TEST_ARN_PREFIX}*`] }]);
  });

  it('admins get every route; the policy is built once per (API, allowed set) and shared', () => {
    const first = policyFor(['admin', 'reader']);
    expect(first.Statement).toHaveLength(1);
    expect(policyFor(['admin', 'reader'])).toBe(first);
    const otherApi = builder.build('arn:aws:execute-api:us-east-1:210987654321:zzz/', [true], '1');
    expect(otherApi).not.toBe(first);
  });

  it('the known fail-closed corner: a denied greedy route covers a more specific allowed one', () => {
    const corner = compileRoutes([
      rule('ANY', '/admin/{proxy+}', { anyRoles: ['admin'] }),
      rule('GET', '/admin/status', { authenticatedOnly: true }),
      rule('GET', '/admin', { authenticatedOnly: true }),
    ]);
    const b = new PolicyBuilder(corner);
    const allowed = allowedRoutes(corner, entitlementsOf({ roles: [], scopes: [] }));
    const policy = b.build(TEST_ARN_PREFIX, allowed, allowedRoutesKey(allowed));
    // The rule engine allows GET /admin/status, the policy fails closed (403); never the reverse.
    expect(evaluatePolicy(policy, methodArnFor('GET', '/admin/status'))).toBe('deny');
    expect(evaluatePolicy(policy, methodArnFor('GET', '/admin'))).toBe('allow');
    expect(evaluatePolicy(policy, methodArnFor('GET', '/admin/x'))).toBe('deny');
  });
});

describe('policy resource length (API Gateway: at most 512 characters per resource ARN)', () => {
  /** The longest ARN prefix any region can send: longest partition and region names, 10-character API id. */
  const WORST_PREFIX = 'arn:aws-us-gov:execute-api:ap-southeast-5:123456789012:abcdefghij/';
  /** A literal path of exactly the longest accepted length (literals never shrink to `*`). */
  const longest = `/${'a'.repeat(MAX_PATH_TEMPLATE_LENGTH - 1)}`;

  it('the longest accepted path template is accepted, one character more is not', () => {
    expect(pathTemplateSchema.safeParse(longest).success).toBe(true);
    expect(pathTemplateSchema.safeParse(`${longest}b`).success).toBe(false);
  });

  it.each([
    ['every other route allowed (from the first)', 0],
    ['every other route allowed (from the second)', 1],
  ])('%s: every resource of the worst case stays within 512 characters', (_name, parity) => {
    // Every method on the longest path, plus ANY (its Denies spell out each other method).
    const routes = compileRoutes([
      ...HTTP_METHODS.filter((m) => m !== 'ANY').map((m) => rule(m, longest, { anyRoles: ['r'] })),
      rule('ANY', `${longest.slice(0, -2)}/x`, { anyRoles: ['other'] }),
    ]);
    const allowed = routes.map((_, i) => i % 2 === parity);
    const policy = new PolicyBuilder(routes).build(WORST_PREFIX, allowed, allowedRoutesKey(allowed));
    const resources = policy.Statement.flatMap((st) => st.Resource);
    expect(resources.length).toBeGreaterThan(1);
    const longestResource = Math.max(...resources.map((r) => r.length));
    expect(longestResource).toBeGreaterThan(MAX_PATH_TEMPLATE_LENGTH + WORST_PREFIX.length);
    expect(longestResource).toBeLessThanOrEqual(512);
  });
});
