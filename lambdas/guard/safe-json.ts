import { MalformedRequestError } from './errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Largest nesting depth of an accepted JSON body. */
export const MAX_JSON_DEPTH = 32;

function depthOf(value: unknown, depth: number): number {
  if (depth > MAX_JSON_DEPTH) return depth;
  if (value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const child of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, depthOf(child, depth + 1));
    if (max > MAX_JSON_DEPTH) return max;
  }
  return max;
}

/**
 * Parses a JSON text without ever creating `__proto__`, `constructor` or `prototype` members and
 * with a nesting limit. Throws {@link MalformedRequestError} (never echoing the input).
 */
export function parseJsonSafely(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError('forbidden key');
      return v;
    });
  } catch (cause) {
    const forbidden = cause instanceof SyntaxError && cause.message === 'forbidden key';
    throw new MalformedRequestError(
      forbidden ? 'The JSON body uses a forbidden member name.' : 'The request body is not valid JSON.',
      { cause, field: 'body' },
    );
  }
  if (depthOf(value, 0) > MAX_JSON_DEPTH) {
    throw new MalformedRequestError('The JSON body is nested too deeply.', { field: 'body' });
  }
  return value;
}
