/** Thrown when a request body is not safe JSON. Callers map it to their own error taxonomy. */
export class UnsafeJsonError extends Error {
  override readonly name = 'UnsafeJsonError';
}

/**
 * Parses a proxy-event body as JSON, rejecting `__proto__`, `constructor` and `prototype` keys so a
 * body can never pollute prototypes. Base64 bodies are decoded first.
 */
export function parseJsonBody(body: string | null, isBase64Encoded: boolean): unknown {
  if (body === null || body === '') throw new UnsafeJsonError('empty body');
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new UnsafeJsonError(`forbidden key ${key}`);
      }
      return value;
    });
  } catch (cause) {
    if (cause instanceof UnsafeJsonError) throw cause;
    throw new UnsafeJsonError('not JSON', { cause });
  }
}
