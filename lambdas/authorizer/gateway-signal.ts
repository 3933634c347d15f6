/**
 * The error a REST authorizer throws to give API Gateway its answer: `Unauthorized` becomes a 401,
 * any other message a 500. It is a signal, not a fault, so it is built without stack frames: the
 * Lambda runtime formats the stack of every error a handler throws, and a refused request should
 * cost no stack capture and no source-map lookup (the first formatted stack of an environment loads
 * and decodes the bundle's source map, 20–30 ms; see lambdas/shared/logging/deferred-source-maps.ts).
 * Its `stack` is just `Error: <message>`.
 */
export function gatewaySignal(message: string): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Error(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
