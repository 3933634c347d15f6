import {
  buildAuthorizerContext,
  claimValues,
  compileClaimPath,
  contextClaimKey,
  principalFromClaims,
  readClaim,
} from '../../../lambdas/authorizer/claims';
import { issuerConfigSchema } from '../../../lambdas/shared/config/authorizer-config';

const issuer = (over: Record<string, unknown> = {}) =>
  issuerConfigSchema.parse({
    issuer: 'https://idp.example.com',
    audience: 'api',
    jwksUri: 'https://idp.example.com/jwks',
    algorithms: ['RS256'],
    ...over,
  });

const base = { sub: 'alice', iss: 'https://idp.example.com', exp: 2_000_000_000 };

describe('claims → roles, scopes, context', () => {
  it('reads dotted paths and full names with dots, own properties only', () => {
    const payload = {
      realm_access: { roles: ['admin'] },
      'https://example.com/roles': ['ns-role'],
    };
    expect(readClaim(payload, 'realm_access.roles')).toEqual(['admin']);
    expect(readClaim(payload, 'https://example.com/roles')).toEqual(['ns-role']);
    expect(readClaim(payload, 'realm_access.missing')).toBeUndefined();
    expect(readClaim(payload, 'toString')).toBeUndefined();
    expect(readClaim(payload, 'realm_access.constructor')).toBeUndefined();
    expect(readClaim(payload, '__proto__')).toBeUndefined();
  });

  it('a compiled path reads what its string reads; a forbidden segment matches only the full name', () => {
    const payload = JSON.parse(
      '{"realm_access":{"roles":["admin"],"constructor":{"x":1}},"a.constructor.b":"own","a":{"constructor":{"b":"nested"}}}',
    ) as Record<string, unknown>;
    for (const path of [
      'realm_access.roles',
      'realm_access',
      'realm_access.constructor.x',
      'a.constructor.b',
      'nope',
    ]) {
      expect(readClaim(payload, compileClaimPath(path))).toEqual(readClaim(payload, path));
    }
    expect(compileClaimPath('roles')).toEqual({ name: 'roles' });
    expect(compileClaimPath('realm_access.roles')).toEqual({
      name: 'realm_access.roles',
      segments: ['realm_access', 'roles'],
    });
    expect(compileClaimPath('a.prototype.b')).toEqual({ name: 'a.prototype.b' });
    expect(readClaim(payload, 'a.constructor.b')).toBe('own');
    expect(readClaim(payload, 'realm_access.constructor.x')).toBeUndefined();
  });

  it.each<[string, unknown, string[]]>([
    ['array of strings', ['a', 'b'], ['a', 'b']],
    ['space separated string', 'a b  c', ['a', 'b', 'c']],
    ['comma separated string', 'a,b, c', ['a', 'b', 'c']],
    ['array with a role containing a space (dropped)', ['ok', 'has space', 'tab\tx'], ['ok']],
    ['array with non-strings (dropped)', ['ok', 1, null, { a: 1 }], ['ok']],
    ['over-long entries dropped', ['x'.repeat(129), 'y'], ['y']],
    ['a number', 42, []],
    ['an object', { admin: true }, []],
  ])('claimValues: %s', (_name, value, expected) => {
    expect(claimValues(value)).toEqual(expected);
  });

  it('happy flow: roles from every configured claim path (de-duplicated), scopes from scope and scp', () => {
    const principal = principalFromClaims(
      {
        ...base,
        roles: ['orders:read'],
        groups: ['admin', 'orders:read'],
        'cognito:groups': ['ops'],
        realm_access: { roles: ['kc-role'] },
        scope: 'openid orders',
        scp: ['profile'],
        azp: 'web-client',
        tenant: 'acme',
        jti: 'id-1',
        email: 'alice@example.com',
      },
      issuer({
        rolesClaims: ['roles', 'groups', 'cognito:groups', 'realm_access.roles'],
        tenantClaim: 'tenant',
      }),
    );
    expect(principal.roles).toEqual(['orders:read', 'admin', 'ops', 'kc-role']);
    expect(principal.scopes).toEqual(['openid', 'orders', 'profile']);
    expect(principal.clientId).toBe('web-client');
    expect(principal.tenant).toBe('acme');
    expect(principal.extra).toEqual({});
    const context = buildAuthorizerContext(principal);
    expect(context).toEqual({
      sub: 'alice',
      iss: 'https://idp.example.com',
      roles: 'orders:read admin ops kc-role',
      scopes: 'openid orders profile',
      clientId: 'web-client',
      jti: 'id-1',
      tenant: 'acme',
      exp: 2_000_000_000,
    });
    // No PII unless configured: the email claim is not in the context.
    expect(JSON.stringify(context)).not.toContain('alice@example.com');
  });

  it('opted-in context claims become flat claim_<name> values; objects are dropped', () => {
    const principal = principalFromClaims(
      { ...base, email: 'a@b.c', email_verified: true, 'org.id': 7, nested: { a: 1 }, groups: ['x', 'y'] },
      issuer({ contextClaims: ['email', 'email_verified', 'org.id', 'nested', 'groups', 'missing'] }),
    );
    expect(principal.extra).toEqual({
      claim_email: 'a@b.c',
      claim_email_verified: true,
      claim_org_id: 7,
      claim_groups: 'x y',
    });
    expect(contextClaimKey('https://x.io/tenant')).toBe('claim_https___x_io_tenant');
    for (const value of Object.values(buildAuthorizerContext(principal))) {
      expect(['string', 'number', 'boolean']).toContain(typeof value);
    }
  });

  it('a context claim cannot overwrite the standard members', () => {
    const principal = principalFromClaims({ ...base, sub: 'alice' }, issuer({ contextClaims: ['sub'] }));
    const context = buildAuthorizerContext(principal);
    expect(context.sub).toBe('alice');
    expect(context.claim_sub).toBe('alice');
  });

  it('missing optional claims give empty strings, never undefined', () => {
    const context = buildAuthorizerContext(principalFromClaims(base, issuer()));
    expect(context).toMatchObject({ roles: '', scopes: '', clientId: '', jti: '', tenant: '' });
  });
});
