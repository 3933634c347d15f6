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
