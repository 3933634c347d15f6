import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from './errors';
import { rawHeaderPairs } from './own-property';

/** How to name a listener in an error message and how the user changes its port. */
export interface ListenerIdentity {
  /** Human name, e.g. `local gateway`. */
  readonly service: string;
  /** Environment variable that sets the port, e.g. `EDGE_PORT`. */
  readonly envVar: string;
  /** Command-line flag that sets the port, e.g. `--port`. */
  readonly flag: string;
}

/** The only address the local edge listens on. */
export const LOOPBACK = '127.0.0.1';

/** The names a client may use for this machine in `Host` (compared case-insensitively). */
export const LOOPBACK_HOST_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** http's default port: the only port a client leaves out of `Host` (RFC 9110 §7.2, §4.2.1). */
const HTTP_DEFAULT_PORT = 80;

/** Whether an authority (`host[:port]`) names this machine's loopback listener on `port`. */
function isOwnAuthority(authority: string, port: number): boolean {
  const value = authority.toLowerCase();
  return LOOPBACK_HOST_NAMES.some(
    (name) => value === `${name}:${port}` || (port === HTTP_DEFAULT_PORT && value === name),
  );
}

/** The `detail` of the 421 answer to a request addressed elsewhere (names no part of the request). */
export function misdirectedDetail(port: number): string {
  return `this local server answers only requests addressed to 127.0.0.1, localhost or [::1] on port ${port}`;
}

/**
 * Whether a request was addressed to a loopback listener on `port`: exactly one `Host` header,
 * naming 127.0.0.1, localhost or [::1] with that port (the bare name only when the port is 80,
 * the one port clients leave out), and, for an absolute-form target (RFC 9112 §3.2.2: its authority
 * wins over `Host`), an `http:` URL with such an authority as well.
 *
 * Listening on 127.0.0.1 keeps other machines out, but not a web page in the developer's browser
 * whose name an attacker rebinds to 127.0.0.1 (DNS rebinding): its requests carry the attacker's
 * name in `Host`. Refusing every other `Host` (421) shuts that door; the local tools, curl and the
 * authorizer all call `http://127.0.0.1:<port>`.
 */
export function requestAddressedToLoopback(
  rawHeaders: readonly string[],
  target: string,
  port: number,
): boolean {
  const hosts = rawHeaderPairs(rawHeaders).filter(([name]) => name.toLowerCase() === 'host');
  const host = hosts.length === 1 ? hosts[0]?.[1] : undefined;
  if (host === undefined || !isOwnAuthority(host, port)) return false;
  if (target.startsWith('/') || target === '*') return true;
  if (!URL.canParse(target)) return false;
  const url = new URL(target);
  return (
    url.protocol === 'http:' && url.username === '' && url.password === '' && isOwnAuthority(url.host, port)
  );
}

/**
 * Listens on 127.0.0.1:`port` (0 picks a free port) and resolves to the bound port.
 * A taken port rejects with a {@link PortInUseError} naming the env var and flag that change it.
 */
export function listenOnLoopback(server: Server, port: number, who: ListenerIdentity): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new PortInUseError(who.service, port, who.envVar, who.flag, { cause: error }));
      } else {
        reject(error);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, LOOPBACK);
  });
}

/** Stops a server: refuses new connections, ends idle keep-alive ones, resolves when closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
    // Connections still busy get a short grace period, then are cut so shutdown never hangs.
    setTimeout(() => {
      server.closeAllConnections();
    }, 1000).unref();
  });
}
