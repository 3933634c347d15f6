import { createPublicKey } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { LocalKeyError, TokenRequestError } from '../../local/errors';
import { startLocalIdp, type LocalIdp } from '../../local/idp/idp-server';
import { mintAccessToken } from '../../local/idp/mint-token';
import {
  generateSigningKeys,
  jwkThumbprint,
  loadOrCreateSigningKeys,
  type SigningKeys,
} from '../../local/idp/signing-keys';
import { parseTokenRequest } from '../../local/idp/token-request';

describe('local identity provider keys (.local/, 0600)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-idp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('happy flow: generates RSA and EC keys once, owner-only, and reuses them', async () => {
    const first = await loadOrCreateSigningKeys(join(dir, 'keys'));
    const info = await stat(join(dir, 'keys', 'idp-rs256.pem'));
    expect(info.mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    const second = await loadOrCreateSigningKeys(join(dir, 'keys'));
    expect(second.RS256.kid).toBe(first.RS256.kid);
    expect(second.ES256.kid).toBe(first.ES256.kid);
    expect(first.RS256.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(first.ES256.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(first.RS256.publicJwk).not.toHaveProperty('d');
  });

  it('error flow: a key file others can read is refused', async () => {
    await loadOrCreateSigningKeys(dir);
    await chmod(join(dir, 'idp-es256.pem'), 0o644);
    await expect(loadOrCreateSigningKeys(dir)).rejects.toBeInstanceOf(LocalKeyError);
  });

  it('error flow: a corrupt key file is refused, not replaced silently', async () => {
    await loadOrCreateSigningKeys(dir);
    await writeFile(join(dir, 'idp-rs256.pem'), 'garbage', { mode: 0o600 });
    await expect(loadOrCreateSigningKeys(dir)).rejects.toBeInstanceOf(LocalKeyError);
    expect(await readFile(join(dir, 'idp-rs256.pem'), 'utf8')).toBe('garbage');
  });

  it('kid is the RFC 7638 thumbprint (RFC 7638 §3.1 example)', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('token requests', () => {
  it('happy flow: defaults applied', () => {
    expect(parseTokenRequest({ sub: 'alice' })).toMatchObject({
      sub: 'alice',
      roles: [],
      scopes: [],
      clientId: 'local-cli',
      ttl: 900,
      alg: 'RS256',
    });
  });

  it.each([
    [{}],
    [{ sub: '' }],
    [{ sub: 'a', roles: ['has space'] }],
    [{ sub: 'a', ttl: 0 }],
    [{ sub: 'a', ttl: 86_401 }],
    [{ sub: 'a', alg: 'HS256' }],
    [{ sub: 'a', alg: 'none' }],
    [{ sub: 'a', unknown: 1 }],
  ])('error flow: %j is refused', (raw) => {
    expect(() => parseTokenRequest(raw)).toThrow(TokenRequestError);
  });

  it('extra claims cannot override reserved claims', () => {
    const keys = generateSigningKeys();
    const minted = mintAccessToken(
      keys,
      { issuer: 'http://127.0.0.1:1', audience: 'orders-api' },
      parseTokenRequest({
        sub: 'alice',
        extraClaims: { sub: 'mallory', iss: 'evil', email: 'a@example.com' },
      }),
    );
    const claims = jwt.decode(minted.accessToken) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'alice', iss: 'http://127.0.0.1:1', email: 'a@example.com' });
  });
});

describe('local identity provider over HTTP (127.0.0.1, port 0)', () => {
  let keys: SigningKeys;
  let idp: LocalIdp;
  beforeAll(async () => {
    keys = generateSigningKeys();
    idp = await startLocalIdp({ keys, port: 0, audience: 'orders-api' });
  });
  afterAll(async () => {
    await idp.close();
  });

  it('publishes an OIDC discovery document naming its JWKS', async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(idp.issuer);
    expect(doc.jwks_uri).toBe(idp.jwksUri);
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('publishes public keys only', async () => {
    const jwks = (await (await fetch(idp.jwksUri)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([keys.ES256.kid, keys.RS256.kid].sort());
    for (const key of jwks.keys)
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
  });

  it.each(['RS256', 'ES256'] as const)(
    'happy flow: POST /token mints a %s at+jwt that verifies with the JWKS',
    async (alg) => {
      const res = await fetch(idp.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          sub: 'alice',
          roles: ['orders:read'],
          scopes: ['orders'],
          clientId: 'web',
          tenant: 't1',
          ttl: 120,
          alg,
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(120);
      const jwks = (await (await fetch(idp.jwksUri)).json()) as {
        keys: (Record<string, unknown> & { kid: string })[];
      };
      const header = jwt.decode(body.access_token, { complete: true })?.header;
      expect(header).toMatchObject({ alg, typ: 'at+jwt' });
      const jwk = jwks.keys.find((k) => k.kid === header?.kid);
      expect(jwk).toBeDefined();
      const claims = jwt.verify(body.access_token, createPublicKey({ key: jwk as never, format: 'jwk' }), {
        algorithms: [alg],
        issuer: idp.issuer,
        audience: 'orders-api',
      }) as Record<string, unknown>;
      expect(claims).toMatchObject({
        sub: 'alice',
        roles: ['orders:read'],
        scope: 'orders',
        client_id: 'web',
        tenant: 't1',
      });
      expect((claims.exp as number) - (claims.iat as number)).toBe(120);
      expect(typeof claims.jti).toBe('string');
    },
  );

  it.each([
    ['not JSON', 'application/json', 'nope', 400],
    ['wrong media type', 'text/plain', '{"sub":"a"}', 415],
    ['invalid request', 'application/json', '{"sub":""}', 400],
    ['too large', 'application/json', JSON.stringify({ sub: 'a'.repeat(20_000) }), 413],
  ])('error flow: %s → %d', async (_label, type, body, status) => {
    const res = await fetch(idp.tokenEndpoint, { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('error flow: GET /token → 405, unknown path → 404', async () => {
    expect((await fetch(idp.tokenEndpoint)).status).toBe(405);
    expect((await fetch(`${idp.issuer}/nope`)).status).toBe(404);
  });
});
