import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEdgeConfigJson } from '../../lib/config/edge-config';
import { buildLocalEdgeConfig, defaultLocalAudience } from '../../local/local-config';

const example = parseEdgeConfigJson(
  readFileSync(join(__dirname, '../../config/edge.config.json'), 'utf8'),
  'example',
);

describe('local edge config (pure)', () => {
  it('replaces the issuers with the local IdP, keeping the template settings', () => {
    const local = buildLocalEdgeConfig(example, { issuer: 'http://127.0.0.1:9400' });
    expect(local.auth.issuers).toHaveLength(1);
    const [issuer] = local.auth.issuers;
    const template = example.auth.issuers[0];
    expect(issuer).toMatchObject({
      issuer: 'http://127.0.0.1:9400',
      discovery: true,
      audience: template?.audience,
      requiredTyp: template?.requiredTyp,
      rolesClaims: template?.rolesClaims,
    });
    expect(issuer?.jwksUri).toBeUndefined();
    expect(issuer?.jwks).toBeUndefined();
  });

  it('keeps every other section and route rule untouched', () => {
    const local = buildLocalEdgeConfig(example, { issuer: 'http://127.0.0.1:9400' });
    expect(local.auth.routes).toEqual(example.auth.routes);
    expect(local.guard).toEqual(example.guard);
    expect(local.api).toEqual(example.api);
    expect(local.auth.resultCacheTtlSeconds).toBe(example.auth.resultCacheTtlSeconds);
  });

  it('limits algorithms to what the local keys sign with', () => {
    const withEdDsa: typeof example = {
      ...example,
      auth: {
        ...example.auth,
        issuers: example.auth.issuers.map((i) => ({ ...i, algorithms: ['EdDSA', 'ES256'] })),
      },
    };
    const local = buildLocalEdgeConfig(withEdDsa, { issuer: 'http://127.0.0.1:1' });
    expect(local.auth.issuers[0]?.algorithms).toEqual(['ES256']);
  });

  it('error flow: a non-loopback http issuer is refused by the same schema', () => {
    expect(() => buildLocalEdgeConfig(example, { issuer: 'http://10.0.0.1:9400' })).toThrow(/issuer/);
  });

  it('the default audience is the first configured one', () => {
    expect(defaultLocalAudience(example)).toBe('orders-api');
  });
});
