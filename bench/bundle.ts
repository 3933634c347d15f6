import { build, type BuildOptions } from 'esbuild';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_BUNDLING } from '../lib/lambda-bundling';

/**
 * Bundles a Lambda entry the way the stack does (lib/edge-function.ts, `EdgeFunction` bundling), from
 * the same settings (lib/lambda-bundling.ts): esbuild, minified, CommonJS, target node24,
 * `keepNames`, linked source map without sources content (read on demand by the injected stack
 * formatter), AWS SDK v3 external.
 */
export const STACK_BUNDLING: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  format: LAMBDA_BUNDLING.format,
  target: LAMBDA_BUNDLING.target,
  minify: LAMBDA_BUNDLING.minify,
  keepNames: LAMBDA_BUNDLING.keepNames,
  // `sourceMap: true` in the stack is esbuild's `--sourcemap`: a linked `.map` file.
  sourcemap: 'linked',
  sourcesContent: LAMBDA_BUNDLING.sourcesContent,
  external: [...LAMBDA_BUNDLING.externalModules],
  inject: [...LAMBDA_BUNDLING.inject],
};

export interface BundleResult {
  /** Absolute path of the bundled `index.js`. */
  readonly file: string;
  /** Size of the minified JavaScript in bytes (source map not counted). */
  readonly bytes: number;
  /** Bytes in the output per npm package (`(project)` for our own code), largest first. */
  readonly byPackage: readonly { readonly name: string; readonly bytes: number }[];
}

/** `node_modules/@scope/pkg/…` → `@scope/pkg`, `node_modules/pkg/…` → `pkg`, else `(project)`. */
export function packageOf(inputPath: string): string {
  const parts = inputPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return '(project)';
  const first = parts[at + 1]!;
  return first.startsWith('@') && at + 2 < parts.length ? `${first}/${parts[at + 2]!}` : first;
}

export async function bundleLambda(entry: string, outDir: string): Promise<BundleResult> {
  const file = join(outDir, 'index.js');
  const { metafile } = await build({
    ...STACK_BUNDLING,
    entryPoints: [entry],
    outfile: file,
    logLevel: 'error',
    metafile: true,
  });
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  const byPackage = [...totals.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return { file, bytes: statSync(file).size, byPackage };
}
