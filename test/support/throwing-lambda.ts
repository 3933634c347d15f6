import { createLogger } from '../../lambdas/shared/logging/powertools';

/**
 * A tiny Lambda for the deferred-source-map tests (test/lambdas/shared/logging/): bundled like the
 * stack bundles every function, it throws from a named function two calls deep and either returns
 * the error's `stack` or logs the error through the edge's logger (ERROR lines go to stderr).
 */
export function failDeep(): never {
  throw new TypeError('boom from failDeep');
}

export class Worker {
  run(): never {
    return failDeep();
  }
}

export function handler(mode: 'stack' | 'log'): string {
  try {
    new Worker().run();
  } catch (error) {
    if (mode === 'log') {
      createLogger({ serviceName: 'throwing-lambda' }).error('unexpected', { error });
      return '';
    }
    return (error as Error).stack ?? '';
  }
  return '';
}
