/**
 * How every Lambda of the edge is bundled (esbuild, locally, never Docker): one source for the stack
 * (`EdgeFunction`) and the benchmark (bench/bundle.ts), so the bench always measures the bundle the
 * stack deploys.
 */
export const LAMBDA_BUNDLING = {
  /** Minified output. */
  minify: true,
  /** External source maps (`--enable-source-maps` in the function's NODE_OPTIONS, see below). */
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
} as const;

/**
 * `NODE_OPTIONS` of every Lambda of the edge: stack traces point at the TypeScript sources. It costs
 * cold-start time (Node reads the source map at load), so the bench's cold starts run with it too.
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';
