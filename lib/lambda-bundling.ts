import * as path from 'node:path';

/**
 * Injected first into every Lambda bundle: stack traces mapped to the TypeScript sources on demand
 * (lambdas/shared/logging/deferred-source-maps.ts), instead of Node's `--enable-source-maps`, which
 * reads and parses the source map while loading the bundle, on every cold start.
 */
export const DEFERRED_SOURCE_MAPS_INJECT = path.join(
  __dirname,
  '..',
  'lambdas',
  'shared',
  'logging',
  'install-deferred-source-maps.ts',
);

/**
 * How every Lambda of the edge is bundled (esbuild, locally, never Docker): one source for the stack
 * (`EdgeFunction`) and the benchmark (bench/bundle.ts), so the bench always measures the bundle the
 * stack deploys.
 */
export const LAMBDA_BUNDLING = {
  /** Minified output. */
  minify: true,
  /**
   * An external source map (`index.js.map`), read only when an error's stack is first formatted
   * (see `DEFERRED_SOURCE_MAPS_INJECT`; the authorizer's 401/500 signals carry no frames, so they
   * never trigger it); no `--enable-source-maps` in NODE_OPTIONS.
   */
  sourceMap: true,
  /** Source maps without the sources' text. */
  sourcesContent: false,
  /** Function and class names survive minification (stack traces, `error.name`). */
  keepNames: true,
  /** The esbuild target; matches the function runtime (nodejs24.x). */
  target: 'node24',
  /** CommonJS output. */
  format: 'cjs',
  /** The AWS SDK v3 ships with the runtime. */
  externalModules: ['@aws-sdk/*'],
  /** Runs before any handler code in every bundle. */
  inject: [DEFERRED_SOURCE_MAPS_INJECT],
} as const;
