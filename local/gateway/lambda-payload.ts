/**
 * What crosses the Lambda service between a caller (API Gateway, the guard) and a function is JSON
 * text, both ways. The runtime serializes a handler's result with `JSON.stringify` (`undefined`
 * becomes `null`), so members that are `undefined`, functions or symbols disappear, `toJSON`
 * applies (a `Date` becomes a string), and caller and handler never share an object. A result the
 * runtime cannot serialize (a BigInt, a cycle) is a function error.
 */

/** A value that `JSON.stringify` rejects (a BigInt, a cycle): the Lambda fails. */
export class UnserializablePayloadError extends Error {
  override readonly name = 'UnserializablePayloadError';
}

/** `JSON.stringify` as the runtime calls it; undefined for a bare function or symbol (typed honestly). */
function serialize(value: unknown): string | undefined {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch (cause) {
    throw new UnserializablePayloadError('the value cannot be serialized to JSON', { cause });
  }
}

/**
 * The value as the other side of a Lambda invocation sees it: a fresh JSON document.
 * @throws UnserializablePayloadError when the value cannot be serialized
 */
export function lambdaPayload(value: unknown): unknown {
  // A bare function or symbol serializes to nothing: the other side receives null.
  return JSON.parse(serialize(value) ?? 'null') as unknown;
}

/**
 * Invokes an in-process handler the way Lambda does: the handler gets a JSON copy of the event,
 * the caller a JSON copy of the result. A handler that throws rejects as it did; a result that
 * cannot be serialized rejects with {@link UnserializablePayloadError}.
 */
export async function invokeAsLambda<E>(handler: (event: E) => Promise<unknown>, event: E): Promise<unknown> {
  return lambdaPayload(await handler(lambdaPayload(event) as E));
}
