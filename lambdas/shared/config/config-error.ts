import type { $ZodError } from 'zod/v4/core';

/** One problem found in a configuration document. */
export interface ConfigIssue {
  /** Where the problem is, e.g. `issuers[0].audience`. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * A configuration document failed validation. Raised at synth time by the CDK app and at cold
 * start by a Lambda; never caught and turned into a permissive default.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, each naming its field. */
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(
      `Invalid ${source}:\n` +
        issues.map((i) => `  - ${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('\n'),
      options,
    );
    this.issues = issues;
  }
}

/** Renders a zod issue path as `a.b[0].c`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Converts a zod error (classic or `zod/mini`) into a {@link ConfigError} naming each field. */
export function toConfigError(source: string, error: $ZodError): ConfigError {
  return new ConfigError(
    source,
    error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
    { cause: error },
  );
}

/**
 * Parses a JSON text into an unknown value, turning a syntax error into a {@link ConfigError}.
 * Rejects `__proto__` keys so a config can never pollute prototypes.
 */
export function parseJsonConfig(source: string, text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(source, [{ path: '', message: 'is missing or empty; provide the JSON document' }]);
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new SyntaxError(`forbidden key "${key}"`);
      }
      return value;
    });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : 'not JSON';
    throw new ConfigError(source, [{ path: '', message: `is not valid JSON (${detail})` }], { cause });
  }
}
