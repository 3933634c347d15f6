import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from './errors';

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
