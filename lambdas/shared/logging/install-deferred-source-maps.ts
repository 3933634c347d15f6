import { installDeferredSourceMaps } from './deferred-source-maps';

/**
 * Injected at the top of every Lambda bundle of the edge (esbuild `inject`, lib/lambda-bundling.ts),
 * so it runs before any handler code. In the CommonJS bundle `__filename` is the bundle itself
 * (`/var/task/index.js`), whose source map `index.js.map` ships next to it. (An ES module bundle has
 * no `__filename`: LAMBDA_BUNDLING's format is CommonJS, and this file would need `import.meta` there.)
 */
installDeferredSourceMaps(__filename);
