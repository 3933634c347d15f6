/**
 * Sends everything written to process.stdout to a sink that only counts it.
 *
 * Powertools Logger and Metrics build their JSON line (JSON.stringify included) and hand it to a
 * `Console` bound to process.stdout; replacing `process.stdout.write` keeps that whole serialization
 * cost in the measurement and only drops the final write(2) to a pipe — the part that, in Lambda,
 * the runtime's log shipping pays for. The bench's own output goes to stderr or IPC meanwhile.
 */
export interface StdoutSink {
  /** Lines (newline characters) written since the sink was installed or last reset. */
  lines(): number;
  /** Bytes written since the sink was installed or last reset. */
  bytes(): number;
  reset(): void;
  /** Puts the original `process.stdout.write` back. */
  restore(): void;
}

export function discardStdout(): StdoutSink {
  const original = process.stdout.write.bind(process.stdout);
  let lines = 0;
  let bytes = 0;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    bytes += Buffer.byteLength(text);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (callback !== undefined) queueMicrotask(callback);
    return true;
  };
  process.stdout.write = write;
  return {
    lines: () => lines,
    bytes: () => bytes,
    reset: () => {
      lines = 0;
      bytes = 0;
    },
    restore: () => {
      process.stdout.write = original;
    },
  };
}
