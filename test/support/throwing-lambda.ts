import { createLogger } from '../../lambdas/shared/logging/powertools';

/**
 * A tiny Lambda for the deferred-source-map tests (test/lambdas/shared/logging/): bundled like the
 * stack bundles every function, it throws in several shapes of frame and returns the error's
 * `stack`, or logs the error through the edge's logger (ERROR lines go to stderr).
 */
export function failDeep(): never {
  throw new TypeError('boom from failDeep');
}

export class Worker {
  run(): never {
    return failDeep();
  }
}

function stackOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).stack ?? '';
  }
  return '';
}

async function asyncFail(): Promise<never> {
  await Promise.resolve();
  return failDeep();
}

/** A stack taken while the module loads (as a ConfigError at cold start would be). */
const atLoad = stackOf(() => failDeep());

/** The frame shapes the tests compare with Node's own `--enable-source-maps` output. */
export type Mode = 'stack' | 'log' | 'anonymous' | 'constructor' | 'async' | 'at-load' | 'node-error';

export async function handler(mode: Mode): Promise<string> {
  switch (mode) {
    case 'log':
      try {
        new Worker().run();
      } catch (error) {
        createLogger({ serviceName: 'throwing-lambda' }).error('unexpected', { error });
      }
      return '';
    case 'anonymous':
      return stackOf(() => [1].map(() => failDeep()));
    case 'constructor':
      return stackOf(
        () =>
          // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a constructor frame is the point
          new (class {
            constructor() {
              failDeep();
            }
          })(),
      );
    case 'async':
      return asyncFail().catch((error: unknown) => (error as Error).stack ?? '');
    case 'at-load':
      return atLoad;
    case 'node-error':
      return stackOf(() => Buffer.alloc(-1));
    default:
      return stackOf(() => new Worker().run());
  }
}
