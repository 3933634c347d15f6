import { parseArgs } from 'node:util';

/** Where an operator CLI reads its environment and writes its output; injectable for tests. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** A usage or input problem: printed without a stack, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The process's own console and environment, for a CLI run from the command line. */
export const processIo: CliIo = {
  out: (line) => {
    console.log(line);
  },
  err: (line) => {
    console.error(line);
  },
  env: process.env,
  now: Date.now,
};

/** The options of an operator CLI, as `node:util` `parseArgs` takes them. */
export type CliOptions = Record<string, { readonly type: 'string' | 'boolean' }>;

/**
 * `parseArgs` (strict) with the CLIs' one way of refusing bad arguments: the error code and the usage
 * text on stderr, never the offending argument itself (it could be a pasted token or key).
 * @returns the parsed values, or undefined after printing the usage (exit code 2)
 */
export function parseCliArgs<const O extends CliOptions>(
  args: readonly string[],
  options: O,
  io: CliIo,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true }>>['values'] | undefined {
  try {
    return parseArgs({ args: [...args], options, strict: true }).values;
  } catch (cause) {
    io.err(
      cause instanceof Error && 'code' in cause ? `bad arguments (${String(cause.code)})` : 'bad arguments',
    );
    io.err(usage);
    return undefined;
  }
}
