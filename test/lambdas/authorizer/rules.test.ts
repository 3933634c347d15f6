import {
  allowedRoutes,
  allowedRoutesKey,
  entitlementsOf,
  ruleAllows,
} from '../../../lambdas/authorizer/rules';
import { compileRoutes } from '../../../lambdas/authorizer/route-matcher';
import { routeRuleSchema } from '../../../lambdas/shared/config/authorizer-config';

const rule = (r: Record<string, unknown>) => routeRuleSchema.parse({ method: 'GET', path: '/x', ...r });
const who = (roles: string[], scopes: string[] = []) => entitlementsOf({ roles, scopes });

describe('rule engine', () => {
  it.each<[string, Record<string, unknown>, string[], string[], boolean]>([
    ['anyRoles: one of them', { anyRoles: ['a', 'b'] }, ['b'], [], true],
    ['anyRoles: none of them', { anyRoles: ['a', 'b'] }, ['c'], [], false],
    ['allRoles: all present', { allRoles: ['a', 'b'] }, ['a', 'b', 'c'], [], true],
    ['allRoles: one missing', { allRoles: ['a', 'b'] }, ['a'], [], false],
    ['anyScopes: one of them', { anyScopes: ['s1', 's2'] }, [], ['s2'], true],
    ['anyScopes: a role does not count as a scope', { anyScopes: ['s1'] }, ['s1'], [], false],
    ['allScopes: all present', { allScopes: ['s1', 's2'] }, [], ['s1', 's2'], true],
    ['allScopes: one missing', { allScopes: ['s1', 's2'] }, [], ['s1'], false],
    ['roles AND scopes: both hold', { anyRoles: ['w'], anyScopes: ['orders'] }, ['w'], ['orders'], true],
    ['roles AND scopes: role only', { anyRoles: ['w'], anyScopes: ['orders'] }, ['w'], [], false],
    ['roles AND scopes: scope only', { anyRoles: ['w'], anyScopes: ['orders'] }, [], ['orders'], false],
    [
      'all four lists hold',
      { anyRoles: ['a'], allRoles: ['b'], anyScopes: ['c'], allScopes: ['d'] },
      ['a', 'b'],
      ['c', 'd'],
      true,
    ],
    ['an empty list counts as not set', { anyRoles: [], allRoles: ['b'] }, ['b'], [], true],
    ['authenticatedOnly: any principal', { authenticatedOnly: true }, [], [], true],
    ['public: any principal', { public: true }, [], [], true],
    ['role names compare exactly (case)', { anyRoles: ['Admin'] }, ['admin'], [], false],
  ])('%s → %s', (_name, r, roles, scopes, expected) => {
    expect(ruleAllows(rule(r), who(roles, scopes))).toBe(expected);
  });

  it('a rule without requirements is closed (deny by default, also if the schema were bypassed)', () => {
    expect(ruleAllows({ method: 'GET', path: '/x', public: false }, who(['admin']))).toBe(false);
  });

  it('allowedRoutes flags each route; allowedRoutesKey is stable and distinguishes sets', () => {
    const routes = compileRoutes([
      rule({ anyRoles: ['a'] }),
      rule({ path: '/y', anyRoles: ['b'] }),
      rule({ path: '/z', authenticatedOnly: true }),
      rule({ path: '/w', anyRoles: ['a'] }),
      rule({ path: '/v', anyRoles: ['b'] }),
    ]);
    const a = allowedRoutes(routes, who(['a']));
    const b = allowedRoutes(routes, who(['b']));
    expect(a).toEqual([true, false, true, true, false]);
    expect(allowedRoutesKey(a)).toBe(allowedRoutesKey([...a]));
    expect(allowedRoutesKey(a)).not.toBe(allowedRoutesKey(b));
  });
});
