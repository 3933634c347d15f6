/**
 * Property: the cached policy never allows what the rule engine denies (for every request API
 * Gateway would route to a configured resource), and allows what the rule engine allows unless a
 * Deny pattern of a denied route also covers the request (the documented fail-closed corner).
 */
import fc from 'fast-check';
import type { HttpMethod, RouteRule } from '../../../lambdas/shared/config/authorizer-config';
import { PolicyBuilder } from '../../../lambdas/authorizer/policy';
import { compileRoutes, matchRoute, type CompiledRoute } from '../../../lambdas/authorizer/route-matcher';
import { allowedRoutes, allowedRoutesKey, entitlementsOf } from '../../../lambdas/authorizer/rules';
import { evaluatePolicy, iamWildcardMatch } from '../../../local/gateway/policy-evaluator';
import { methodArnFor, TEST_ARN_PREFIX } from '../../support/auth-config';

const METHODS: HttpMethod[] = ['GET', 'POST', 'DELETE', 'ANY'];
const CONCRETE = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const LITERALS = ['orders', 'items', 'admin', 'a', 'b'];
const ROLES = ['reader', 'writer', 'admin', 'ops'];

type Segment = { kind: 'literal'; value: string } | { kind: 'param' } | { kind: 'greedy' };

const segmentArb: fc.Arbitrary<Segment> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...LITERALS).map((value) => ({ kind: 'literal' as const, value })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'param' as const }) },
);

const templateArb = fc
  .tuple(fc.array(segmentArb, { minLength: 0, maxLength: 3 }), fc.boolean())
  .map(([segments, greedy]) => {
    const all: Segment[] = greedy ? [...segments, { kind: 'greedy' }] : segments;
    if (all.length === 0) return '/';
    return `/${all.map((s, i) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? `{p${i}}` : '{proxy+}')).join('/')}`;
  });

const ruleArb: fc.Arbitrary<RouteRule> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    path: templateArb,
    kind: fc.constantFrom('anyRoles', 'allRoles', 'authenticatedOnly'),
    roles: fc.subarray(ROLES, { minLength: 1, maxLength: 2 }),
  })
  .map(({ method, path, kind, roles }) => ({
    method,
    path,
    public: false,
    ...(kind === 'authenticatedOnly' ? { authenticatedOnly: true } : { [kind]: roles }),
  }));

const configArb = fc.array(ruleArb, { minLength: 1, maxLength: 8 }).map((rules) => {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
});

/** A concrete request for a route: params and greedy parts filled from the same literals (to provoke overlaps). */
function requestArb(routes: readonly CompiledRoute[]): fc.Arbitrary<{ method: string; path: string }> {
  return fc
    .record({
      index: fc.nat({ max: routes.length - 1 }),
      fills: fc.array(fc.constantFrom(...LITERALS, 'x1', 'GET', 'secret'), { minLength: 6, maxLength: 6 }),
      greedyLength: fc.integer({ min: 1, max: 3 }),
      method: fc.constantFrom(...CONCRETE),
      trailingSlash: fc.boolean(),
    })
    .map(({ index, fills, greedyLength, method, trailingSlash }) => {
      const route = routes[index]!;
      const parts: string[] = [];
      route.segments.forEach((s, i) => {
        if (s.kind === 'literal') parts.push(s.value);
        else if (s.kind === 'param') parts.push(fills[i]!);
        else parts.push(...fills.slice(i, i + greedyLength));
      });
      // API Gateway routes `/x/` like `/x`; the method ARN may keep the slash.
      const path = `/${parts.join('/')}${trailingSlash && parts.length > 0 ? '/' : ''}`;
      return { method: route.method === 'ANY' ? method : route.method, path };
    });
}

/** Deny patterns of the routes a principal may not call (computed independently of the builder). */
function deniedPatterns(routes: readonly CompiledRoute[], allowed: readonly boolean[]): string[] {
  return routes
    .filter((_, i) => allowed[i] !== true)
    .flatMap((r) => {
      const path = r.arnPattern.slice(r.arnPattern.indexOf('/'));
      const methods = r.method === 'ANY' ? CONCRETE : [r.method];
      return methods.flatMap((m) => {
        const pattern = `${TEST_ARN_PREFIX}*/${m}${path}`;
        return /[*/]$/.test(pattern) ? [pattern] : [pattern, `${pattern}/`];
      });
    });
}

describe('route matcher × policy', () => {
  it('never allows what the rule engine denies; allows what it allows outside Deny patterns', () => {
    let checkedAllows = 0;
    let corners = 0;
    fc.assert(
      fc.property(
        configArb.chain((rules) => {
          const routes = compileRoutes(rules);
          return fc.tuple(
            fc.constant(routes),
            fc.subarray(ROLES),
            fc.array(requestArb(routes), { minLength: 1, maxLength: 10 }),
            fc.constantFrom('prod', 'dev', 'v1'),
          );
        }),
        ([routes, roles, requests, stage]) => {
          const allowed = allowedRoutes(routes, entitlementsOf({ roles, scopes: [] }));
          const policy = new PolicyBuilder(routes).build(TEST_ARN_PREFIX, allowed, allowedRoutesKey(allowed));
          const denies = deniedPatterns(routes, allowed);
          for (const { method, path } of requests) {
            const routed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
            const route = matchRoute(routes, method, routed);
            if (route === undefined) continue; // API Gateway routes only to configured resources
            const arn = methodArnFor(method, path, stage);
            const verdict = evaluatePolicy(policy, arn);
            if (allowed[route.index] !== true) {
              expect(verdict).toBe('deny');
            } else if (!denies.some((d) => iamWildcardMatch(d, arn))) {
              expect(verdict).toBe('allow');
              checkedAllows++;
            } else {
              corners++;
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
    // The liveness half must actually have been exercised.
    expect(checkedAllows).toBeGreaterThan(100);
    expect(corners).toBeLessThan(checkedAllows);
  });

  it('literal-only routes without ANY: the policy is exact (allow ⇔ rule engine allows)', () => {
    const literalRule = fc
      .record({
        method: fc.constantFrom<HttpMethod>('GET', 'POST', 'DELETE'),
        parts: fc.array(fc.constantFrom(...LITERALS), { minLength: 0, maxLength: 3 }),
        roles: fc.subarray(ROLES, { minLength: 1, maxLength: 2 }),
      })
      .map(({ method, parts, roles }): RouteRule => ({
        method,
        path: `/${parts.join('/')}`,
        public: false,
        anyRoles: roles,
      }));
    fc.assert(
      fc.property(
        fc.array(literalRule, { minLength: 1, maxLength: 8 }),
        fc.subarray(ROLES),
        (rules, roles) => {
          const unique = [...new Map(rules.map((r) => [`${r.method} ${r.path}`, r])).values()];
          const routes = compileRoutes(unique);
          const allowed = allowedRoutes(routes, entitlementsOf({ roles, scopes: [] }));
          const policy = new PolicyBuilder(routes).build(TEST_ARN_PREFIX, allowed, allowedRoutesKey(allowed));
          for (const route of routes) {
            const verdict = evaluatePolicy(policy, methodArnFor(route.method, route.template));
            expect(verdict).toBe(allowed[route.index] === true ? 'allow' : 'deny');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
