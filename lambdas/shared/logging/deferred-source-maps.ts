import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';

/**
 * Stack traces that point at the TypeScript sources, without paying for it at cold start.
 *
 * Node's `--enable-source-maps` reads and parses a bundle's source map while it loads the bundle:
 * on every cold start, whether or not an error ever needs a stack (about 8 ms for the authorizer's
 * 118 KB bundle on the bench machine, a fifth of its cold start). This formatter does the same job
 * on demand: V8 calls `Error.prepareStackTrace` the first time an error's `stack` is read, and only
 * then is the map of the bundle read (once; kept for the life of the execution environment).
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
    let out = header(error);
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

/** V8's first line: `Name: message`, `Name` or `message` (Error.prototype.toString). */
function header(error: Error): string {
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
  const origin = sm.findOrigin(line, column);
  if (!('fileName' in origin)) return undefined;
  const source = resolve(dirname(site.getFileName() ?? ''), origin.fileName);
  const location = `${source}:${origin.lineNumber}:${origin.columnNumber}`;
  const typeName = site.getTypeName();
  const functionName = originalFunctionName(sm, site, caller) ?? site.getFunctionName();
  const name =
    functionName === null || functionName === ''
      ? undefined
      : `${typeName !== null && typeName !== 'global' ? `${typeName}.` : ''}${functionName}`;
  const prefix = `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}`;
  return name === undefined ? `${prefix}${location}` : `${prefix}${name} (${location})`;
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
  Error.prepareStackTrace = createStackFormatter({ generatedFile }) as NonNullable<
    typeof Error.prepareStackTrace
  >;
  return true;
}
