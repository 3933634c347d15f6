/**
 * The Lambda entry point: `handler` is built at module scope from AUTH_CONFIG (JWKS pre-load started at
 * cold start); an invalid AUTH_CONFIG fails the cold start with a ConfigError naming the field.
 */
import type { ConfigError } from '../../../lambdas/shared/config/config-error';
import type * as HandlerModule from '../../../lambdas/authorizer/handler';
import { TEST_AUDIENCE, TEST_ROUTES, tokenEvent } from '../../support/auth-config';
import { generateEd25519Key, jwksOf } from '../../support/keys';
import { mintJwt, standardClaims } from '../../support/tokens';

const ISSUER = 'https://idp.example.com';

function loadWithEnv(env: Record<string, string | undefined>): typeof HandlerModule {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) Reflect.deleteProperty(process.env, k);
  try {
    let mod: typeof HandlerModule | undefined;
    jest.isolateModules(() => {
      mod = jest.requireActual<typeof HandlerModule>('../../../lambdas/authorizer/handler');
    });
    return mod!;
  } finally {
    process.env = saved;
  }
}

describe('handler module', () => {
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stdout.mockRestore();
  });

  it('happy flow: builds the module-level handler from AUTH_CONFIG (EdDSA key pinned) and answers a TOKEN event', async () => {
    const key = generateEd25519Key({ kid: 'ed' });
    const config = {
      issuers: [{ issuer: ISSUER, audience: TEST_AUDIENCE, jwks: jwksOf(key), algorithms: ['EdDSA'] }],
      routes: TEST_ROUTES,
    };
    const { handler } = loadWithEnv({ AUTH_CONFIG: JSON.stringify(config) });
    await handler.ready();
    const token = mintJwt(
      key,
      standardClaims(ISSUER, TEST_AUDIENCE, Math.floor(Date.now() / 1000), { roles: ['admin'] }),
    );
    const result = (await handler(tokenEvent(`Bearer ${token}`))) as { principalId: string };
    expect(result.principalId).toBe('user-123');
    await expect(handler(tokenEvent('Bearer nope'))).rejects.toThrow(/^Unauthorized$/);
  });

  it('error flow: an invalid AUTH_CONFIG fails the cold start with a ConfigError naming the field', () => {
    const config = {
      issuers: [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, algorithms: ['HS256'] }],
      routes: TEST_ROUTES,
    };
    let caught: unknown;
    try {
      loadWithEnv({ AUTH_CONFIG: JSON.stringify(config) });
    } catch (error) {
      caught = error;
    }
    // isolateModules loads its own copy of the class: compare by name.
    expect((caught as Error).name).toBe('ConfigError');
    const paths = (caught as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['issuers[0].audience', 'issuers[0].algorithms[0]']));
  });

  it('error flow: inside Lambda a missing AUTH_CONFIG fails the cold start', () => {
    let caught: unknown;
    try {
      loadWithEnv({ AUTH_CONFIG: undefined, AWS_LAMBDA_FUNCTION_NAME: 'authorizer' });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error | undefined)?.name).toBe('ConfigError');
  });

  it('outside Lambda without AUTH_CONFIG the module loads (for createAuthorizer) and its handler fails closed', async () => {
    const mod = loadWithEnv({ AUTH_CONFIG: undefined, AWS_LAMBDA_FUNCTION_NAME: undefined });
    expect(typeof mod.createAuthorizer).toBe('function');
    await expect(mod.handler(tokenEvent('Bearer x'))).rejects.toMatchObject({ name: 'ConfigError' });
  });
});
