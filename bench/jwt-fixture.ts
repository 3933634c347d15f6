import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';

/**
 * Keys and tokens the authorizer benchmarks verify: one RSA-2048 key (RS256) and one P-256 key
 * (ES256), generated at run time, and a pool of distinct tokens per algorithm. Generated once by the
 * bench runner and handed to worker processes as a JSON file in a temporary directory; never committed.
 */

export const BENCH_ALGORITHMS = ['RS256', 'ES256'] as const;
export type BenchAlgorithm = (typeof BENCH_ALGORITHMS)[number];

/** The claims every bench token carries; the bench config's routes are written against them. */
export const BENCH_CLAIMS = {
  issuer: 'https://idp.bench.example',
  audience: 'orders-api',
  roles: ['orders:read'],
  scope: 'orders',
  clientId: 'bench-client',
  tenant: 'tenant-1',
  typ: 'at+jwt',
  /** Token lifetime in seconds; well under the bench config's `maxLifetimeSeconds`. */
  lifetimeSeconds: 3000,
} as const;

export interface FixtureKey {
  readonly kid: string;
  readonly privateJwk: JsonWebKey;
  readonly publicJwk: JsonWebKey;
}

export interface JwtFixture {
  readonly keys: Readonly<Record<BenchAlgorithm, FixtureKey>>;
  /** Distinct tokens (different `sub` and `jti`) per algorithm. */
  readonly tokens: Readonly<Record<BenchAlgorithm, readonly string[]>>;
}

function generateKey(alg: BenchAlgorithm): { kid: string; privateKey: KeyObject; publicKey: KeyObject } {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: `bench-${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`, ...pair };
}

/** Mints `count` distinct, valid tokens signed with `privateKey` (jsonwebtoken does the signing). */
export function mintTokens(alg: BenchAlgorithm, kid: string, privateKey: KeyObject, count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      jwt.sign(
        {
          sub: `user-${i}`,
          jti: randomUUID(),
          iat: now,
          exp: now + BENCH_CLAIMS.lifetimeSeconds,
          roles: BENCH_CLAIMS.roles,
          scope: BENCH_CLAIMS.scope,
          client_id: BENCH_CLAIMS.clientId,
          tenant: BENCH_CLAIMS.tenant,
        },
        privateKey,
        {
          algorithm: alg,
          keyid: kid,
          issuer: BENCH_CLAIMS.issuer,
          audience: BENCH_CLAIMS.audience,
          header: { alg, typ: BENCH_CLAIMS.typ, kid },
        },
      ),
    );
  }
  return tokens;
}

export function createJwtFixture(tokensPerAlgorithm: number): JwtFixture {
  const keys = {} as Record<BenchAlgorithm, FixtureKey>;
  const tokens = {} as Record<BenchAlgorithm, string[]>;
  for (const alg of BENCH_ALGORITHMS) {
    const { kid, privateKey, publicKey } = generateKey(alg);
    keys[alg] = {
      kid,
      privateJwk: privateKey.export({ format: 'jwk' }),
      publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    };
    tokens[alg] = mintTokens(alg, kid, privateKey, tokensPerAlgorithm);
  }
  return { keys, tokens };
}

/** The public JWKS of a fixture, as an IdP would publish it. */
export function fixtureJwks(fixture: JwtFixture): { keys: JsonWebKey[] } {
  return { keys: BENCH_ALGORITHMS.map((alg) => fixture.keys[alg].publicJwk) };
}

export function writeJwtFixture(path: string, fixture: JwtFixture): void {
  writeFileSync(path, JSON.stringify(fixture), { mode: 0o600 });
}

export function readJwtFixture(path: string): JwtFixture {
  return JSON.parse(readFileSync(path, 'utf8')) as JwtFixture;
}
