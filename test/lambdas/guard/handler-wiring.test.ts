/**
 * The Lambda entry wires itself from the environment once per cold start and fails the cold start
 * (fail closed) when a setting is missing. No AWS call happens at import time.
 */

const GUARD_ENV = {
  GUARD_CONFIG: JSON.stringify({ routes: { 'POST /orders': { validation: 'createOrder' } } }),
  GUARD_BACKENDS: JSON.stringify({ 'POST /orders': 'orders-function' }),
  NONCE_TABLE_NAME: 'Nonces',
  CLIENT_KEY_TABLE_NAME: 'ClientKeys',
  GUARD_SIGNING_KEY_ID: 'alias/guard-response-signing',
  AWS_REGION: 'eu-west-1',
};

/** The error a cold start fails with (isolateModules loads its own copy of ConfigError: compare names). */
function coldStartError(env: Record<string, string>): string {
  try {
    importHandlerWith(env);
  } catch (error) {
    return error instanceof Error ? error.name : 'non-error';
  }
  return 'no error';
}

function importHandlerWith(env: Record<string, string>): unknown {
  const saved = process.env;
  process.env = { ...env };
  try {
    let loaded: unknown;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('../../../lambdas/guard/handler');
    });
    return loaded;
  } finally {
    process.env = saved;
  }
}

describe('guard handler wiring', () => {
  it('exports a handler when the environment is complete', () => {
    const module = importHandlerWith(GUARD_ENV) as { handler: unknown; createGuard: unknown };
    expect(typeof module.handler).toBe('function');
    expect(typeof module.createGuard).toBe('function');
  });

  it.each(Object.keys(GUARD_ENV).filter((k) => k !== 'AWS_REGION'))(
    'error flow: %s missing → cold start fails',
    (name) => {
      const env = Object.fromEntries(Object.entries(GUARD_ENV).filter(([key]) => key !== name));
      expect(coldStartError(env)).toBe('ConfigError');
    },
  );

  it('a valid rotation list in GUARD_PREVIOUS_SIGNING_KEY_IDS is accepted', () => {
    const env = { ...GUARD_ENV, GUARD_PREVIOUS_SIGNING_KEY_IDS: 'alias/guard-old-1,alias/guard-old-2' };
    expect(coldStartError(env)).toBe('no error');
  });

  it.each([
    ['an empty entry', 'alias/guard-old-1,,alias/guard-old-2'],
    ['a malformed id', 'alias/guard old'],
    ['the same key twice', 'alias/guard-old-1,alias/guard-old-1'],
    ['the current key', `alias/guard-old-1,${GUARD_ENV.GUARD_SIGNING_KEY_ID}`],
    ['more than five keys', Array.from({ length: 6 }, (_, i) => `alias/guard-old-${i}`).join(',')],
  ])('error flow: GUARD_PREVIOUS_SIGNING_KEY_IDS with %s → cold start fails', (_name, ids) => {
    expect(coldStartError({ ...GUARD_ENV, GUARD_PREVIOUS_SIGNING_KEY_IDS: ids })).toBe('ConfigError');
  });
});
