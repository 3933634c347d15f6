import { renderBanner, READY_LINE } from '../../local/banner';
import { LocalUsageError, PortInUseError } from '../../local/errors';
import { DEFAULT_PORTS, parseStartOptions } from '../../local/start-options';
import { parseTokenArgs } from '../../local/token-args';

describe('npm start options (flags beat env vars)', () => {
  it('defaults', () => {
    expect(parseStartOptions([], {})).toEqual({
      ports: { ...DEFAULT_PORTS },
      configPath: 'config/edge.config.json',
      stateDir: '.local',
      accessLog: true,
      backends: [],
    });
  });

  it('--backend is repeatable, EDGE_BACKENDS lists name=module pairs, and the flags win', () => {
    const env = { EDGE_BACKENDS: 'billing=./src/billing.ts, audit=./src/audit.ts' };
    expect(parseStartOptions([], env)).toMatchObject({
      backends: [
        { name: 'billing', modulePath: './src/billing.ts', source: 'EDGE_BACKENDS' },
        { name: 'audit', modulePath: './src/audit.ts', source: 'EDGE_BACKENDS' },
      ],
    });
    expect(
      parseStartOptions(['--backend', 'orders=./my-orders.ts', '--backend=audit=a=b.ts'], env),
    ).toMatchObject({
      backends: [
        { name: 'orders', modulePath: './my-orders.ts', source: '--backend' },
        { name: 'audit', modulePath: 'a=b.ts', source: '--backend' },
      ],
    });
  });

  it.each([
    [['--backend', 'billing'], {}],
    [['--backend', '=./x.ts'], {}],
    [['--backend', 'Billing=./x.ts'], {}],
    [['--backend', 'billing='], {}],
    [['--backend', 'a=./x.ts', '--backend', 'a=./y.ts'], {}],
    [[], { EDGE_BACKENDS: 'billing' }],
  ])('error flow: backends %j %j → usage error', (argv, env) => {
    expect(() => parseStartOptions(argv, env)).toThrow(LocalUsageError);
  });

  it('env vars, then flags in both spellings', () => {
    const env = { EDGE_PORT: '3100', IDP_PORT: '9500', DYNAMO_PORT: '0', EDGE_CONFIG: 'my.json' };
    expect(parseStartOptions([], env)).toMatchObject({
      ports: { gateway: 3100, idp: 9500, dynamo: 0 },
      configPath: 'my.json',
    });
    expect(parseStartOptions(['--port', '3200', '--idp-port=9600', '--no-access-log'], env)).toMatchObject({
      ports: { gateway: 3200, idp: 9600, dynamo: 0 },
      accessLog: false,
    });
  });

  it.each([
    [['--port', 'abc'], {}],
    [['--port', '70000'], {}],
    [['--port'], {}],
    [['--bogus'], {}],
    [[], { EDGE_PORT: '-1' }],
  ])('error flow: %j %j → usage error', (argv, env) => {
    expect(() => parseStartOptions(argv, env)).toThrow(LocalUsageError);
  });

  it('--help', () => {
    expect(parseStartOptions(['--help'], {})).toBe('help');
  });

  it('a busy port error names the port, the env var and the flag', () => {
    const error = new PortInUseError('local gateway', 3000, 'EDGE_PORT', '--port');
    expect(error.code).toBe('port_in_use');
    expect(error.message).toContain('127.0.0.1:3000');
    expect(error.message).toContain('EDGE_PORT=<port>');
    expect(error.message).toContain('--port <port>');
  });
});

describe('npm run token arguments', () => {
  it('happy flow: lists split on commas or spaces', () => {
    expect(
      parseTokenArgs([
        '--sub',
        'alice',
        '--roles',
        'orders:read,admin',
        '--scopes=orders profile',
        '--ttl',
        '60',
        '--alg',
        'ES256',
      ]),
    ).toEqual({
      request: {
        sub: 'alice',
        roles: ['orders:read', 'admin'],
        scopes: ['orders', 'profile'],
        ttl: 60,
        alg: 'ES256',
      },
      stateDir: '.local',
      json: false,
    });
  });

  it.each([
    [[]],
    [['--roles', 'a']],
    [['--sub', 'a', '--ttl', '1h']],
    [['--sub', 'a', '--nope', 'x']],
    [['--sub']],
  ])('error flow: %j → usage error', (argv) => {
    expect(() => parseTokenArgs(argv)).toThrow(LocalUsageError);
  });
});

describe('start-up banner', () => {
  const base = {
    gatewayUrl: 'http://127.0.0.1:3000',
    issuer: 'http://127.0.0.1:9400',
    dynamoEndpoint: 'http://127.0.0.1:4567',
    stateDir: '.local',
    startedInMs: 1234,
    apiKey: undefined,
    signedRequestCommand: 'npm run -s signed-request -- GET /orders/ord-1001 --replay',
  };

  it('has the ready line and ready-to-paste commands for each flow', () => {
    const text = renderBanner(base);
    expect(text).toContain(READY_LINE);
    expect(text).toContain('TOKEN=$(npm run -s token -- --sub alice --roles orders:read)');
    expect(text).toContain('curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/orders');
    expect(text).toContain('-d \'{"item":"book","quantity":1}\' http://127.0.0.1:3000/orders');
    expect(text).toContain('curl -i http://127.0.0.1:3000/orders');
    expect(text).toContain(base.signedRequestCommand);
  });

  it('adds the API key and a non-default state folder to the commands', () => {
    const text = renderBanner({
      ...base,
      stateDir: '/tmp/x',
      apiKey: { id: 'i', name: 'n', plan: 'free', value: 'KEYVALUE' },
    });
    expect(text).toContain('-H "x-api-key: KEYVALUE"');
    expect(text).toContain('--state-dir /tmp/x');
  });
});
