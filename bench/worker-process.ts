import { fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs a bench module in a fresh Node process (under tsx) and returns the one message it sends back
 * over IPC. Each worker gets its own JIT state and its own environment (e.g. logging switched off),
 * and its stdout is discarded: only stderr (progress, errors) reaches the terminal.
 */
export function runWorker<T>(
  modulePath: string,
  input: unknown,
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 150_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(modulePath, [], {
      // `--import tsx` resolves from the working directory: the repository root.
      cwd: join(__dirname, '..'),
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env, BENCH_WORKER_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    const timer = setTimeout(() => {
      result = { ok: false, error: `timed out after ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message: { ok: true; value: T } | { ok: false; error: string }) => {
      result = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (result?.ok === true) resolve(result.value);
      else reject(new Error(`worker ${modulePath} failed (exit ${code}): ${result?.error ?? 'no result'}`));
    });
  });
}

/** The worker side: reads its input, runs `work`, sends the result (or the error) and exits. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- I names the worker's input type for callers
export function serveWorker<I, T>(work: (input: I) => Promise<T>): void {
  const raw = process.env.BENCH_WORKER_INPUT;
  const send = (message: unknown): Promise<void> =>
    new Promise((resolve) => {
      if (process.send === undefined) throw new Error('bench workers must be started with runWorker()');
      process.send(message, () => {
        resolve();
      });
    });
  void (async () => {
    try {
      if (raw === undefined) throw new Error('BENCH_WORKER_INPUT is not set');
      const value = await work(JSON.parse(raw) as I);
      await send({ ok: true, value });
      process.exit(0);
    } catch (error) {
      await send({
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exit(1);
    }
  })();
}
