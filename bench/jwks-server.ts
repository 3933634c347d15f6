import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JWKS endpoint on 127.0.0.1 (port chosen by the OS) that counts how often it was fetched. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/jwks.json` */
  readonly jwksUri: string;
  /** Number of JWKS requests served so far. */
  fetches(): number;
  close(): Promise<void>;
}

export async function startJwksServer(jwks: unknown): Promise<JwksServer> {
  const body = JSON.stringify(jwks);
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks.json') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    jwksUri: `http://127.0.0.1:${port}/jwks.json`,
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}
