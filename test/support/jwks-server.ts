import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A JWKS (and optional OIDC discovery) server on 127.0.0.1, port 0. Tests switch the key set,
 * switch an outage on and off, and count requests. `stop()` closes it and every connection.
 */
export interface JwksServer {
  /** `http://127.0.0.1:{port}` */
  readonly origin: string;
  /** `{origin}/.well-known/jwks.json` */
  readonly jwksUri: string;
  /** Replaces the served key set (any JSON value, to serve hostile documents too). */
  setJwks(jwks: unknown): void;
  /** While on, every request is answered 503. */
  setOutage(down: boolean): void;
  /** Serves `{origin}{issuerPath}/.well-known/openid-configuration` with this metadata. */
  serveDiscovery(issuerPath: string, metadata: Record<string, unknown>): void;
  /** Requests received, all paths (outage answers included). */
  requestCount(): number;
  /** Requests received for one path. */
  requestsFor(path: string): number;
  /** Paths requested, in order. */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

export async function startJwksServer(initialJwks: unknown = { keys: [] }): Promise<JwksServer> {
  let jwks = initialJwks;
  let down = false;
  const discovery = new Map<string, Record<string, unknown>>();
  const requests: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(body));
    };
    const metadata = discovery.get(path);
    if (down) send(503, { error: 'outage' });
    else if (path === '/.well-known/jwks.json') send(200, jwks);
    else if (metadata !== undefined) send(200, metadata);
    else send(404, { error: 'not found' });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    jwksUri: `${origin}/.well-known/jwks.json`,
    setJwks: (next) => {
      jwks = next;
    },
    setOutage: (value) => {
      down = value;
    },
    serveDiscovery: (issuerPath, metadata) => {
      discovery.set(`${issuerPath.replace(/\/$/, '')}/.well-known/openid-configuration`, metadata);
    },
    requestCount: () => requests.length,
    requestsFor: (path) => requests.filter((p) => p === path).length,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

/** A server that records every request and answers 404: the target of `jku`/`x5u` headers that must never be contacted. */
export async function startTripwireServer(): Promise<{
  url: string;
  hits: () => number;
  stop: () => Promise<void>;
}> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(404, { connection: 'close' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/keys.json`,
    hits: () => hits,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
