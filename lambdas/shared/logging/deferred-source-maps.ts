import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';

/**
 * Stack traces that point at the TypeScript sources, without paying for it at cold start.
 *
 * Node's `--enable-source-maps` reads and parses a bundle's source map while it loads the bundle:
 * on every cold start, whether or not an error ever needs a stack (about 8 ms of the authorizer's
 * cold start on the bench machine, a fifth of it; 4–6 ms on Node 24). This formatter does the same job
 * on demand: V8 calls `Error.prepareStackTrace` the first time an error's `stack` is read, and only
 * then is the map of the bundle read and decoded (once; kept for the life of the execution
 * environment; 20–30 ms for the authorizer's map on the bench machine, which Node's own mapping also
 * pays on the first stack). The stacks it prints are the ones `--enable-source-maps` prints
 * (tested line by line against it).
 *
 * Only frames in one generated file (the bundle) are mapped; frames elsewhere (Node internals, the
 * Lambda runtime, the external AWS SDK) print as V8 prints them. If the map cannot be read or does
 * not cover a frame, that frame prints unmapped; formatting never throws.
 */

/** One V8 call site (the part of `NodeJS.CallSite` the formatter reads). */
export type CallSite = Pick<
  NodeJS.CallSite,
  | 'getFileName'
  | 'getLineNumber'
  | 'getColumnNumber'
  | 'getEnclosingLineNumber'
  | 'getEnclosingColumnNumber'
  | 'getFunctionName'
  | 'getTypeName'
  | 'isAsync'
  | 'isConstructor'
> & {
  /** V8's own text of the frame, as an unmapped stack shows it. */
  toString(): string;
};

export interface StackFormatterOptions {
  /** The generated file whose frames are mapped (the bundle, e.g. `/var/task/index.js`). */
  readonly generatedFile: string;
  /**
   * Loads the source map of `generatedFile`; called at most once, on the first frame to map.
   * Returns undefined (or throws) when there is none: frames then print unmapped.
   * @default reads `${generatedFile}.map`
   */
  readonly loadSourceMap?: () => SourceMap | undefined;
  /**
   * The formatter this one replaces (Node's own `Error.prepareStackTrace`), asked for the first line
   * only: Node's line keeps the `[ERR_…]` code of Node's errors (`RangeError [ERR_OUT_OF_RANGE]: …`).
   * @default `Error.prototype.toString` (`Name: message`)
   */
  readonly previous?: StackFormatter;
}

/** `Error.prepareStackTrace`'s shape. */
export type StackFormatter = (error: Error, callSites: readonly CallSite[]) => string;

/** Reads `<file>.map` next to a generated file. */
export function readSiblingSourceMap(generatedFile: string): SourceMap {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bundle's own map, next to it
  const payload = JSON.parse(readFileSync(`${generatedFile}.map`, 'utf8')) as ConstructorParameters<
    typeof SourceMap
  >[0];
  return new SourceMap(payload);
}

/**
 * Builds an `Error.prepareStackTrace` that prints V8's format (`Name: message` then one
 * `    at …` line per frame), with frames of `generatedFile` mapped to their original sources.
 */
export function createStackFormatter(options: StackFormatterOptions): StackFormatter {
  const load = options.loadSourceMap ?? (() => readSiblingSourceMap(options.generatedFile));
  let sourceMap: SourceMap | null | undefined;
  const map = (): SourceMap | null => {
    if (sourceMap === undefined) {
      try {
        sourceMap = load() ?? null;
      } catch {
        sourceMap = null;
      }
    }
    return sourceMap;
  };
  return (error, callSites) => {
    let out = header(error, options.previous);
    for (const [i, site] of callSites.entries()) {
      let frame: string | undefined;
      try {
        if (site.getFileName() === options.generatedFile) {
          const sm = map();
          if (sm !== null) frame = mappedFrame(sm, site, callSites[i + 1]);
        }
        frame ??= site.toString();
      } catch {
        frame = '<frame not formattable>';
      }
      out += `\n    at ${frame}`;
    }
    return out;
  };
}

/** The first line, as Node prints it (`Name [CODE]: message`), else `Error.prototype.toString`'s. */
function header(error: Error, previous: StackFormatter | undefined): string {
  try {
    if (previous !== undefined) return previous(error, []);
  } catch {
    // fall through to the plain form
  }
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return 'Error';
  }
}

/**
 * A frame of the generated file in original-source terms, printed as Node's `--enable-source-maps`
 * prints it (source path resolved against the bundle's directory), or undefined if the map has no
 * entry for it.
 */
function mappedFrame(sm: SourceMap, site: CallSite, caller: CallSite | undefined): string | undefined {
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (line === null || column === null) return undefined;
  // Where the mapping segment starts (findEntry), as Node prints it; not findOrigin's estimate.
  const entry = sm.findEntry(line - 1, column - 1);
  if (!('originalSource' in entry)) return undefined;
  const source = resolve(dirname(site.getFileName() ?? ''), entry.originalSource);
  const location = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const typeName = site.getTypeName();
  const functionName = originalFunctionName(sm, site, caller) ?? site.getFunctionName();
  const name = `${typeName !== null && typeName !== 'global' ? `${typeName}.` : ''}${
    functionName === null || functionName === '' ? '<anonymous>' : functionName
  }`;
  const prefix = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
  return `${prefix}${name} (${location})`;
}

/**
 * The original name of the function a frame is in: the name the map records at the start of the
 * enclosing function, else at the call into it from the caller's frame in the same file (how Node's
 * `--enable-source-maps` names frames).
 */
function originalFunctionName(
  sm: SourceMap,
  site: CallSite,
  caller: CallSite | undefined,
): string | undefined {
  const enclosingLine = site.getEnclosingLineNumber();
  const enclosingColumn = site.getEnclosingColumnNumber();
  if (enclosingLine !== null && enclosingColumn !== null) {
    const entry = sm.findEntry(enclosingLine - 1, enclosingColumn - 1);
    if ('name' in entry && typeof entry.name === 'string' && entry.name !== '') return entry.name;
  }
  if (caller === undefined || caller.getFileName() !== site.getFileName()) return undefined;
  const callerLine = caller.getLineNumber();
  const callerColumn = caller.getColumnNumber();
  if (callerLine === null || callerColumn === null) return undefined;
  const entry = sm.findEntry(callerLine - 1, callerColumn - 1);
  return 'name' in entry && typeof entry.name === 'string' && entry.name !== '' ? entry.name : undefined;
}

/**
 * Installs the formatter as `Error.prepareStackTrace` for `generatedFile`, unless Node maps stacks
 * itself (`--enable-source-maps`), which then wins. Returns whether it installed.
 */
export function installDeferredSourceMaps(generatedFile: string): boolean {
  if (process.sourceMapsEnabled) return false;
  // Node (20+) defines its own formatter here; keep it for the first line of each stack.
  const previous = Reflect.get(Error, 'prepareStackTrace') as StackFormatter | undefined;
  Error.prepareStackTrace = createStackFormatter({
    generatedFile,
    ...(typeof previous === 'function' ? { previous } : {}),
  }) as NonNullable<typeof Error.prepareStackTrace>;
  return true;
}
