import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambda } from '../../../../bench/bundle';
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

describe('deferred source maps in a bundle built like the stack builds it', () => {
  it('maps the frames of the bundle to the TypeScript sources, with original function names', () => {
    const { stdout } = runNode(
      `const before = Error.prepareStackTrace; const m = require(${JSON.stringify(bundle)}); process.stdout.write(String(Error.prepareStackTrace === before) + '\\n' + m.handler('stack'))`,
    );
    const [replaced, ...lines] = stdout.split('\n');
    expect(replaced).toBe('false');
    expect(lines[0]).toBe('TypeError: boom from failDeep');
    expect(parseFrame(lines[1])).toMatchObject({
      name: 'failDeep',
      file: FIXTURE,
      line: fixtureLine("throw new TypeError('boom"),
    });
    // The class name is minified (as with Node's own mapping); the method name is not.
    expect(parseFrame(lines[2])).toMatchObject({ file: FIXTURE, line: fixtureLine('return failDeep()') });
    expect(parseFrame(lines[2])?.name).toMatch(/\.run$/);
    expect(parseFrame(lines[3])).toMatchObject({
      name: 'Object.handler',
      file: FIXTURE,
      line: fixtureLine('new Worker().run()'),
    });
    // Frames outside the bundle print as V8 prints them.
    expect(lines.slice(4).join('\n')).toMatch(/^ {4}at .*node:internal/m);
    expect(stdout).not.toContain('index.js');
  });

  it('is what maps them: without the injected formatter the frames point into the minified bundle', () => {
    const { stdout } = runNode(
      `const m = require(${JSON.stringify(bundle)}); Error.prepareStackTrace = undefined; process.stdout.write(m.handler('stack'))`,
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
    const { stdout } = runNode(
      `process.stdout.write(require(${JSON.stringify(join(bare, 'index.js'))}).handler('stack'))`,
    );
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('TypeError: boom from failDeep');
    expect(parseFrame(lines[1])?.file).toBe(join(bare, 'index.js'));
  });

  it("leaves stacks to Node when NODE_OPTIONS has --enable-source-maps (and Node's mapping still works)", () => {
    const { stdout } = runNode(
      `const before = Error.prepareStackTrace; const m = require(${JSON.stringify(bundle)}); process.stdout.write(String(Error.prepareStackTrace === before) + '\\n' + m.handler('stack'))`,
      { NODE_OPTIONS: '--enable-source-maps' },
    );
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('true');
    expect(lines[2]).toContain(`${FIXTURE}:${fixtureLine("throw new TypeError('boom")}:`);
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
