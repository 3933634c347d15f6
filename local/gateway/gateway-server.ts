import { createServer, type Server } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  LOOPBACK,
  misdirectedDetail,
  requestAddressedToLoopback,
} from '../listen';
import { BodyTooLargeError, readBody } from '../read-body';
import type { Gateway } from './gateway';

/** API Gateway's REST payload limit (10 MB); larger requests get 413. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** A running local gateway HTTP server. */
export interface GatewayServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a {@link Gateway} over node:http on 127.0.0.1. Thin: reads the body, hands the request
 * over, writes the answer. Every decision lives in the gateway. A request not addressed to
 * `127.0.0.1:<port>`, `localhost:<port>` or `[::1]:<port>` (a DNS-rebinding page in a browser)
 * is answered 421 before the gateway sees it: no authorizer, no backend.
 */
export async function startGatewayServer(gateway: Gateway, port: number): Promise<GatewayServer> {
  let bound = 0;
  const server: Server = createServer((req, res) => {
    const respondError = (
      status: number,
      title: string,
      detail?: string,
      extra: Record<string, string> = {},
    ): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = JSON.stringify({
        type: 'about:blank',
        title,
        status,
        ...(detail === undefined ? {} : { detail }),
      });
      res.writeHead(status, {
        'content-type': 'application/problem+json',
        'content-length': Buffer.byteLength(body),
        ...extra,
      });
      res.end(body);
    };
    if (!requestAddressedToLoopback(req.rawHeaders, req.url ?? '/', bound)) {
      respondError(421, 'Misdirected Request', misdirectedDetail(bound), {
        connection: 'close',
      });
      return;
    }
    readBody(req, MAX_PAYLOAD_BYTES)
      .then((body) =>
        gateway.handle({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          localPort: req.socket.localPort ?? port,
        }),
      )
      .then((response) => {
        for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
        res.setHeader('content-length', response.body.length);
        res.writeHead(response.statusCode);
        res.end(req.method === 'HEAD' ? undefined : response.body);
      })
      .catch((error: unknown) => {
        if (error instanceof BodyTooLargeError) respondError(413, 'Content Too Large');
        else respondError(500, 'Internal Server Error');
      });
  });
  bound = await listenOnLoopback(server, port, {
    service: 'local gateway',
    envVar: 'EDGE_PORT',
    flag: '--port',
  });
  return { port: bound, url: `http://${LOOPBACK}:${bound}`, close: () => closeServer(server) };
}
