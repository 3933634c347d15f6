import { createServer, type Server } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  LOOPBACK,
  misdirectedDetail,
  requestAddressedToLoopback,
} from '../listen';
import { BodyTooLargeError, readBody } from '../read-body';
import type { Gateway, GatewayResponse } from './gateway';

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
 * is answered 421 before the gateway sees it: no authorizer, no backend. A body over 10 MB is
 * answered 413; a request the gateway fails on unexpectedly gets its `DEFAULT_5XX` response (500).
 */
export async function startGatewayServer(gateway: Gateway, port: number): Promise<GatewayServer> {
  let bound = 0;
  const server: Server = createServer((req, res) => {
    // A failed attempt to write an answer (a header value Node refuses) may have left headers behind.
    const clearHeaders = (): void => {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
    };
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
      clearHeaders();
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
    const head = { method: req.method ?? 'GET', sourceIp: req.socket.remoteAddress ?? '127.0.0.1' };
    const send = (response: GatewayResponse): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      clearHeaders();
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      res.setHeader('content-length', response.body.length);
      res.writeHead(response.statusCode);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    };
    readBody(req, MAX_PAYLOAD_BYTES)
      .then((body) =>
        gateway.handle({
          ...head,
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          localPort: req.socket.localPort ?? port,
        }),
      )
      .then(send)
      .catch((error: unknown) => {
        // API Gateway's 413 (REQUEST_TOO_LARGE) cannot be customized: not a gateway response here either.
        if (error instanceof BodyTooLargeError) {
          respondError(413, 'Content Too Large');
          return;
        }
        try {
          send(gateway.failure(head));
        } catch {
          respondError(500, 'Internal Server Error');
        }
      });
  });
  bound = await listenOnLoopback(server, port, {
    service: 'local gateway',
    envVar: 'EDGE_PORT',
    flag: '--port',
  });
  return { port: bound, url: `http://${LOOPBACK}:${bound}`, close: () => closeServer(server) };
}
