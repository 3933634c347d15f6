/**
 * Sends everything written to process.stdout to a sink that drops it.
 *
 * Powertools Logger and Metrics (and our JSON logger) build their JSON line (JSON.stringify included)
 * and write it to process.stdout; replacing `process.stdout.write` keeps that whole serialization
 * cost in the measurement and only drops the final write(2) to a pipe — the part that, in Lambda,
 * the runtime's log shipping pays for. The bench's own output goes to stderr or IPC meanwhile.
 *
 * Lines and bytes are counted only inside {@link StdoutSink.count}, for the checks before timing:
 * while throughput is measured the sink does nothing at all, so its bookkeeping is not charged to
 * the handler under test.
 */
export interface StdoutSink {
  /** Runs `fn` and returns what it wrote to stdout (newline characters and bytes). */
  count(fn: () => Promise<void>): Promise<{ readonly lines: number; readonly bytes: number }>;
  /** Puts the original `process.stdout.write` back. */
  restore(): void;
}

export function discardStdout(): StdoutSink {
  const original = process.stdout.write.bind(process.stdout);
  const callbackOf = (rest: unknown[]): (() => void) | undefined =>
    rest.find((r): r is () => void => typeof r === 'function');
  const discard = (_chunk: unknown, ...rest: unknown[]): boolean => {
    const callback = callbackOf(rest);
    if (callback !== undefined) queueMicrotask(callback);
    return true;
  };
  process.stdout.write = discard;
  return {
    count: async (fn) => {
      let lines = 0;
      let bytes = 0;
      process.stdout.write = (chunk: unknown, ...rest: unknown[]): boolean => {
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
        bytes += Buffer.byteLength(text);
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
        return discard(chunk, ...rest);
      };
      try {
        await fn();
      } finally {
        process.stdout.write = discard;
      }
      return { lines, bytes };
    },
    restore: () => {
      process.stdout.write = original;
    },
  };
}
