import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambda } from '../../../../bench/bundle';
import type { Mode } from '../../../support/throwing-lambda';
import {
  createStackFormatter,
  installDeferredSourceMaps,
  type CallSite,
} from '../../../../lambdas/shared/logging/deferred-source-maps';

/**
 * Stack traces of a bundle built exactly as the stack builds every Lambda (bench/bundle.ts, from
 * lib/lambda-bundling.ts, with the injected formatter), run in fresh Node processes with the
 * Lambda's NODE_OPTIONS (none).
 */

const FIXTURE = join(__dirname, '..', '..', '..', 'support', 'throwing-lambda.ts');

/** 1-based line of the first line of the fixture containing `text`. */
function fixtureLine(text: string): number {
  const index = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`fixture has no line with ${text}`);
  return index + 1;
}

/** One `    at name (file:line:column)` line, taken apart; undefined if it has another shape. */
function parseFrame(
  line: string | undefined,
): { name: string; file: string; line: number; column: number } | undefined {
  const match = /^ {4}at (\S+) \((.+):(\d+):(\d+)\)$/.exec(line ?? '');
  if (match === null) return undefined;
  return { name: match[1]!, file: match[2]!, line: Number(match[3]), column: Number(match[4]) };
}

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deferred-source-maps-'));
  bundle = (await bundleLambda(FIXTURE, join(dir, 'task'))).file;
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `script` in a fresh `node` with only PATH (and `extraEnv`) set; returns stdout and stderr. */
function runNode(script: string, extraEnv: Record<string, string> = {}): { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', ...extraEnv },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (result.status !== 0) throw new Error(`node exited with ${String(result.status)}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/**
 * A script that loads `file`, runs `handler(mode)` and prints whether loading replaced
 * `Error.prepareStackTrace`, then the handler's result.
 */
function handlerScript(file: string, mode: Mode): string {
  return [
    'const before = Error.prepareStackTrace;',
    `const m = require(${JSON.stringify(file)});`,
    'const replaced = Error.prepareStackTrace !== before;',
    `m.handler(${JSON.stringify(mode)}).then((s) => process.stdout.write(String(replaced) + '\\n' + s));`,
  ].join(' ');
}

/** The handler's result for `mode`, run as a Lambda runs (no NODE_OPTIONS), and whether it installed. */
function runHandler(
  file: string,
  mode: Mode,
  extraEnv: Record<string, string> = {},
): { replaced: boolean; lines: string[] } {
  const [replaced, ...lines] = runNode(handlerScript(file, mode), extraEnv).stdout.split('\n');
  return { replaced: replaced === 'true', lines };
}

describe('deferred source maps in a bundle built like the stack builds it', () => {
  it('maps the frames of the bundle to the TypeScript sources, with original function names', () => {
    const { replaced, lines } = runHandler(bundle, 'stack');
    expect(replaced).toBe(true);
    expect(lines[0]).toBe('TypeError: boom from failDeep');
    expect(parseFrame(lines[1])).toMatchObject({
      name: 'failDeep',
      file: FIXTURE,
      line: fixtureLine("throw new TypeError('boom"),
    });
    // The class name is minified (as with Node's own mapping); the method name is not.
    expect(parseFrame(lines[2])).toMatchObject({ file: FIXTURE, line: fixtureLine('return failDeep()') });
    expect(parseFrame(lines[2])?.name).toMatch(/\.run$/);
    expect(lines.map(parseFrame)).toContainEqual(
      expect.objectContaining({ name: 'stackOf', file: FIXTURE, line: fixtureLine('    run();') }),
    );
    expect(lines.join('\n')).not.toContain('index.js');
  });

  // Node's own `--enable-source-maps` output is the oracle: same header (with Node's [ERR_*] code),
  // same names (<anonymous>, async, new), same positions, same frames outside the bundle.
  it.each<Mode>(['stack', 'anonymous', 'constructor', 'async', 'at-load', 'node-error'])(
    'prints the stack Node prints with --enable-source-maps: %s',
    (mode) => {
      const ours = runHandler(bundle, mode);
      const node = runHandler(bundle, mode, { NODE_OPTIONS: '--enable-source-maps' });
      expect(ours.replaced).toBe(true);
      expect(node.replaced).toBe(false);
      expect(ours.lines.join('\n')).toContain(FIXTURE);
      expect(ours.lines).toEqual(node.lines);
    },
  );

  it('keeps the [ERR_*] code of Node errors in the first line', () => {
    expect(runHandler(bundle, 'node-error').lines[0]).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: /);
  });

  it('is what maps them: without the injected formatter the frames point into the minified bundle', () => {
    const { stdout } = runNode(
      `const m = require(${JSON.stringify(bundle)}); Error.prepareStackTrace = undefined; m.handler('stack').then((s) => process.stdout.write(s))`,
    );
    expect(parseFrame(stdout.split('\n')[1])?.file).toBe(bundle);
    expect(stdout).not.toContain('throwing-lambda.ts');
  });

  it("maps the stack the edge's logger writes for a logged error", () => {
    const { stderr } = runNode(`require(${JSON.stringify(bundle)}).handler('log')`);
    const line = JSON.parse(stderr.trim()) as { level: string; error: { stack: string } };
    expect(line.level).toBe('ERROR');
    expect(line.error.stack).toContain(
      `at failDeep (${FIXTURE}:${fixtureLine("throw new TypeError('boom")}:`,
    );
  });

  it('prints the frames unmapped, and does not fail, when the bundle has no source map next to it', () => {
    const bare = join(dir, 'bare');
    mkdirSync(bare, { recursive: true });
    copyFileSync(bundle, join(bare, 'index.js'));
    const { replaced, lines } = runHandler(join(bare, 'index.js'), 'stack');
    expect(replaced).toBe(true);
    expect(lines[0]).toBe('TypeError: boom from failDeep');
    expect(parseFrame(lines[1])?.file).toBe(join(bare, 'index.js'));
  });
});

/** A call site in some file, whose methods answer from `fields`. */
function fakeSite(fields: Partial<Record<keyof CallSite, () => unknown>>): CallSite {
  const answer = (name: keyof CallSite, fallback: unknown) => (): never =>
    (Object.hasOwn(fields, name) ? fields[name]!() : fallback) as never;
  return {
    getFileName: answer('getFileName', '/elsewhere/lib.js'),
    getLineNumber: answer('getLineNumber', 1),
    getColumnNumber: answer('getColumnNumber', 1),
    getEnclosingLineNumber: answer('getEnclosingLineNumber', null),
    getEnclosingColumnNumber: answer('getEnclosingColumnNumber', null),
    getFunctionName: answer('getFunctionName', 'f'),
    getTypeName: answer('getTypeName', null),
    isAsync: answer('isAsync', false),
    isConstructor: answer('isConstructor', false),
    toString: answer('toString', 'f (/elsewhere/lib.js:1:1)'),
  };
}

describe('createStackFormatter', () => {
  it('prints V8 frames of other files as V8 does and never loads the map for them', () => {
    const loadSourceMap = jest.fn(() => undefined);
    const format = createStackFormatter({ generatedFile: '/var/task/index.js', loadSourceMap });
    expect(format(new RangeError('out'), [fakeSite({})])).toBe(
      'RangeError: out\n    at f (/elsewhere/lib.js:1:1)',
    );
    expect(loadSourceMap).not.toHaveBeenCalled();
  });

  it('loads the map at most once, and prints frames unmapped when loading it throws', () => {
    const loadSourceMap = jest.fn(() => {
      throw new Error('ENOENT');
    });
    const format = createStackFormatter({ generatedFile: '/var/task/index.js', loadSourceMap });
    const site = fakeSite({
      getFileName: () => '/var/task/index.js',
      toString: () => 'qt (/var/task/index.js:1:200)',
    });
    expect(format(new Error('a'), [site, site])).toBe(
      'Error: a\n    at qt (/var/task/index.js:1:200)\n    at qt (/var/task/index.js:1:200)',
    );
    format(new Error('b'), [site]);
    expect(loadSourceMap).toHaveBeenCalledTimes(1);
  });

  it('never throws: a call site that throws prints as a placeholder, an error whose name throws as "Error"', () => {
    const format = createStackFormatter({ generatedFile: '/var/task/index.js' });
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'name', {
      get() {
        throw new Error('getter');
      },
    });
    const broken = fakeSite({
      getFileName: () => {
        throw new Error('broken call site');
      },
    });
    expect(format(hostile, [broken])).toBe('Error\n    at <frame not formattable>');
  });
});

describe('installDeferredSourceMaps', () => {
  const original = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  afterEach(() => {
    if (original === undefined) Reflect.deleteProperty(Error, 'prepareStackTrace');
    else Object.defineProperty(Error, 'prepareStackTrace', original);
  });

  it('installs the formatter as Error.prepareStackTrace when Node does not map stacks itself', () => {
    expect(process.sourceMapsEnabled).toBe(false);
    expect(installDeferredSourceMaps('/var/task/index.js')).toBe(true);
    const installed = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace')?.value as unknown;
    expect(typeof installed).toBe('function');
    expect(installed).not.toBe(original?.value);
  });
});
