import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { startLocalEdge, type LocalEdge } from '../../local/edge';
import { IDP_PATHS, startLocalIdp, type LocalIdp } from '../../local/idp/idp-server';
import { generateSigningKeys } from '../../local/idp/signing-keys';
import { requestAddressedToLoopback } from '../../local/listen';
import { loadEdgeConfigFile } from '../../local/local-config';
import { startLocalDynamo, type LocalDynamo } from '../../local/dynamo/local-dynamo';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * DNS rebinding: a web page in the developer's browser rebinds its own name to 127.0.0.1 and then
 * calls the local identity provider and the local gateway "same-origin", with its own name in
 * `Host`. Both servers answer only requests addressed to their own loopback address and port
 * (421 otherwise), so such a page can neither mint tokens nor call the edge.
 * Real HTTP over a raw socket, so the test controls `Host` byte for byte (or leaves it out).
 */

interface RawAnswer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** Sends one request over a fresh socket (`Connection: close`) and reads the whole answer. */
function rawRequest(
  port: number,
  options: {
    readonly method?: string;
    readonly target?: string;
    /** Host header values in order; `[]` sends none. */
    readonly hosts: readonly string[];
    readonly headers?: readonly [string, string][];
    readonly body?: string;
    readonly version?: '1.0' | '1.1';
  },
): Promise<RawAnswer> {
  const body = options.body ?? '';
  const lines = [
    `${options.method ?? 'GET'} ${options.target ?? '/'} HTTP/${options.version ?? '1.1'}`,
    ...options.hosts.map((host) => `Host: ${host}`),
    ...(options.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    ...(body === '' ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
    'Connection: close',
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
      const headers = new Map<string, string>();
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

/** Host values a rebinding page (or a confused client) could send, for a server on `port`. */
const FOREIGN_HOSTS: [string, (port: number) => string[]][] = [
  ['the attacker name with the port', (p) => [`rebind.attacker.example:${p}`]],
  ['the attacker name without a port', () => ['rebind.attacker.example']],
  ['loopback on another port', (p) => [`127.0.0.1:${p + 1}`]],
  ['loopback without the port (not the default port 80)', () => ['127.0.0.1']],
  ['localhost without the port', () => ['localhost']],
  ['localhost with a trailing dot', (p) => [`localhost.:${p}`]],
  ['a *.localhost name', (p) => [`app.localhost:${p}`]],
  ['another 127/8 address', (p) => [`127.0.0.2:${p}`]],
  ['user info before the loopback address', (p) => [`evil@127.0.0.1:${p}`]],
  ['an empty Host', () => ['']],
  ['no Host at all (HTTP/1.0)', () => []],
  ['two Host headers, the right one first', (p) => [`127.0.0.1:${p}`, `rebind.attacker.example:${p}`]],
  ['two Host headers, the right one last', (p) => [`rebind.attacker.example:${p}`, `127.0.0.1:${p}`]],
];

const OWN_HOSTS: [string, (port: number) => string][] = [
  ['127.0.0.1 with the port (what npm start, npm run token and curl send)', (p) => `127.0.0.1:${p}`],
  ['localhost with the port', (p) => `localhost:${p}`],
  ['[::1] with the port', (p) => `[::1]:${p}`],
  ['host names are case-insensitive', (p) => `LocalHost:${p}`],
];

describe('requestAddressedToLoopback: the Host allow-list', () => {
  it.each([
    [3000, '127.0.0.1:3000', true],
    [3000, 'localhost:3000', true],
    [3000, '[::1]:3000', true],
    [3000, '127.0.0.1', false],
    [3000, '127.0.0.1:03000', false],
    [3000, '127.0.0.1:3000.', false],
    [3000, ' 127.0.0.1:3000', false],
    [3000, '[0:0:0:0:0:0:0:1]:3000', false],
    // Clients leave the port out only when it is the scheme's default (80 for http).
    [80, '127.0.0.1', true],
    [80, 'localhost', true],
    [80, '[::1]', true],
    [80, '127.0.0.1:80', true],
    [80, 'rebind.attacker.example', false],
  ])('port %i, Host %p → %p', (port, host, expected) => {
    expect(requestAddressedToLoopback(['Host', host], '/', port)).toBe(expected);
  });

  it('absolute-form targets (RFC 9112 §3.2.2): the target authority must be ours as well', () => {
    const host = ['Host', '127.0.0.1:3000'];
    expect(requestAddressedToLoopback(host, 'http://127.0.0.1:3000/token', 3000)).toBe(true);
    expect(requestAddressedToLoopback(host, 'http://rebind.attacker.example:3000/token', 3000)).toBe(false);
    expect(requestAddressedToLoopback(host, 'https://127.0.0.1:3000/token', 3000)).toBe(false);
    expect(requestAddressedToLoopback(host, 'not a url', 3000)).toBe(false);
    expect(requestAddressedToLoopback(host, '*', 3000)).toBe(true);
  });

  it('property: any Host value other than the three loopback names with the port is refused', () => {
    const own = new Set(['127.0.0.1:3000', 'localhost:3000', '[::1]:3000']);
    fc.assert(
      fc.property(fc.string(), (host) => {
        fc.pre(!own.has(host.toLowerCase()));
        return !requestAddressedToLoopback(['Host', host], '/', 3000);
      }),
    );
  });
});

describe('local identity provider: requests not addressed to it → 421, no token', () => {
  let idp: LocalIdp;
  const minted: string[] = [];
  beforeAll(async () => {
    idp = await startLocalIdp({
      keys: generateSigningKeys(),
      port: 0,
      audience: 'orders-api',
      onTokenMinted: ({ jti }) => minted.push(jti),
    });
  });
  afterAll(async () => {
    await idp.close();
  });
  beforeEach(() => {
    minted.length = 0;
  });

  const mint = (hosts: string[], version: '1.0' | '1.1' = '1.1'): Promise<RawAnswer> =>
    rawRequest(idp.port, {
      method: 'POST',
      target: '/token',
      hosts,
      version,
      headers: [['Content-Type', 'application/json']],
      body: JSON.stringify({ sub: 'mallory', roles: ['admin'] }),
    });

  it.each(FOREIGN_HOSTS)('error flow: POST /token with %s → 421, nothing minted', async (_name, hosts) => {
    const answer = await mint(hosts(idp.port), hosts(idp.port).length === 0 ? '1.0' : '1.1');
    expect(answer.status).toBe(421);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).not.toContain('access_token');
    expect(minted).toEqual([]);
  });

  it('error flow: an absolute-form target naming another host → 421, nothing minted', async () => {
    const answer = await rawRequest(idp.port, {
      method: 'POST',
      target: `http://rebind.attacker.example:${idp.port}/token`,
      hosts: [`127.0.0.1:${idp.port}`],
      headers: [['Content-Type', 'application/json']],
      body: JSON.stringify({ sub: 'mallory', roles: ['admin'] }),
    });
    expect(answer.status).toBe(421);
    expect(minted).toEqual([]);
  });

  it.each([IDP_PATHS.discovery, IDP_PATHS.jwks])(
    'error flow: GET %s with a foreign Host → 421',
    async (path) => {
      const answer = await rawRequest(idp.port, {
        target: path,
        hosts: [`rebind.attacker.example:${idp.port}`],
      });
      expect(answer.status).toBe(421);
    },
  );

  it.each(OWN_HOSTS)('happy flow: POST /token with %s → 200 and a token', async (_name, host) => {
    const answer = await mint([host(idp.port)]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveProperty('access_token');
    expect(minted).toHaveLength(1);
  });

  it('happy flow: fetch() on the issuer URL (as the authorizer and npm run token call it) works', async () => {
    const res = await fetch(idp.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice' }),
    });
    expect(res.status).toBe(200);
    expect((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });
});

describe('local gateway: requests not addressed to it → 421 problem+json, authorizer never called', () => {
  let edge: LocalEdge;
  let authorizerCalls = 0;
  let token: string;
  let port: number;
  beforeAll(async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    edge = await startLocalEdge({
      baseConfig: await loadEdgeConfigFile(join(__dirname, '../../config/edge.config.json')),
      ports: { gateway: 0, idp: 0, dynamo: 0 },
      stateDir: undefined,
      wrapAuthorizer: (authorizer) => (event) => {
        authorizerCalls++;
        return authorizer(event);
      },
    });
    port = Number(new URL(edge.gatewayUrl).port);
    const res = await fetch(edge.idp.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice', roles: ['orders:read'] }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await edge.close();
  });
  beforeEach(() => {
    edge.gateway.authorizerCache.clear();
    authorizerCalls = 0;
  });

  const getOrders = (hosts: string[], version: '1.0' | '1.1' = '1.1'): Promise<RawAnswer> =>
    rawRequest(port, {
      target: '/orders',
      hosts,
      version,
      headers: [['Authorization', `Bearer ${token}`]],
    });

  it.each(FOREIGN_HOSTS)(
    'error flow: GET /orders with %s → 421, no authorizer call',
    async (_name, hosts) => {
      const answer = await getOrders(hosts(port), hosts(port).length === 0 ? '1.0' : '1.1');
      expect(answer.status).toBe(421);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 421, title: 'Misdirected Request' });
      expect(authorizerCalls).toBe(0);
    },
  );

  it('error flow: a CORS preflight from the rebound page → 421', async () => {
    const answer = await rawRequest(port, {
      method: 'OPTIONS',
      target: '/orders',
      hosts: [`rebind.attacker.example:${port}`],
      headers: [
        ['Origin', `http://rebind.attacker.example:${port}`],
        ['Access-Control-Request-Method', 'POST'],
      ],
    });
    expect(answer.status).toBe(421);
  });

  it('error flow: a public route is refused too (the whole edge is local only)', async () => {
    const answer = await rawRequest(port, { target: '/health', hosts: [`rebind.attacker.example:${port}`] });
    expect(answer.status).toBe(421);
  });

  it.each(OWN_HOSTS)('happy flow: GET /orders with %s → 200 through the authorizer', async (_name, host) => {
    const answer = await getOrders([host(port)]);
    expect(answer.status).toBe(200);
    expect(authorizerCalls).toBe(1);
  });

  it('happy flow: fetch() on gatewayUrl (the banner curl commands and e2e tests use it) works', async () => {
    const res = await fetch(`${edge.gatewayUrl}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });
});

describe('local DynamoDB (dynalite): requests not addressed to it → 421, tables untouched', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo(0);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const listTables = (hosts: readonly string[]) =>
    rawRequest(dynamo.port, {
      method: 'POST',
      hosts,
      // HTTP/1.1 without Host is refused by node's HTTP parser itself (400); 1.0 reaches the check.
      version: hosts.length === 0 ? '1.0' : '1.1',
      headers: [
        ['Content-Type', 'application/x-amz-json-1.0'],
        ['X-Amz-Target', 'DynamoDB_20120810.ListTables'],
      ],
      body: '{}',
    });

  it.each(FOREIGN_HOSTS)('error flow: ListTables with %s → 421', async (_name, hosts) => {
    const answer = await listTables(hosts(dynamo.port));
    expect(answer.status).toBe(421);
    expect(answer.body).not.toContain('Nonces');
  });

  it('happy flow: the AWS SDK on the endpoint (as npm start and the CLIs use it) works', async () => {
    const tables = await dynamo.client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual(expect.arrayContaining(['Nonces', 'ClientKeys', 'Revocations']));
  });
});
