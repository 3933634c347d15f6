/**
 * @middy/core 6 is published as an ES module only (its `require` condition points at ESM), while
 * this project compiles to CommonJS. Node ≥20.19 loads it with require(esm); esbuild bundles it;
 * jest compiles it (see jest.config.js). This file is the one place that bridges the two module
 * systems, with the package's own types.
 */
import type middyDefault from '@middy/core' with { 'resolution-mode': 'import' };
export type { MiddlewareObj } from '@middy/core' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded = require('@middy/core') as { default: typeof middyDefault };

export const middy: typeof middyDefault = loaded.default;
