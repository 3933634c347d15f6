/**
 * The local edge's error taxonomy. Start-up code branches on these classes (never on message text)
 * to print a clear message and exit; the gateway maps its own outcomes to gateway responses.
 */
export abstract class LocalEdgeError extends Error {
  /** Stable reason code, e.g. `port_in_use`. */
  abstract readonly code: string;
}

/** A port the local edge wants to listen on is taken by another process. */
export class PortInUseError extends LocalEdgeError {
  override readonly name = 'PortInUseError';
  readonly code = 'port_in_use';
  constructor(
    /** Which part wanted the port, e.g. `gateway`. */
    readonly service: string,
    readonly port: number,
    /** Environment variable that changes the port, e.g. `EDGE_PORT`. */
    readonly envVar: string,
    /** Command-line flag that changes the port, e.g. `--port`. */
    readonly flag: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The ${service} cannot listen on 127.0.0.1:${port}: the port is already in use. ` +
        `Stop the other process or choose another port with ${envVar}=<port> or ${flag} <port> (0 picks a free one).`,
      options,
    );
  }
}

/** A command-line flag or environment variable has a value the local edge cannot use. */
export class LocalUsageError extends LocalEdgeError {
  override readonly name = 'LocalUsageError';
  readonly code = 'bad_usage';
}

/** Local signing keys under `.local/` are unusable (unreadable, corrupt or too widely readable). */
export class LocalKeyError extends LocalEdgeError {
  override readonly name = 'LocalKeyError';
  readonly code = 'bad_local_key';
}

/** A token request to the local identity provider is invalid. */
export class TokenRequestError extends LocalEdgeError {
  override readonly name = 'TokenRequestError';
  readonly code = 'bad_token_request';
  constructor(
    message: string,
    /** Field-level problems, each naming the field. */
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
