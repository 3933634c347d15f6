import { gatewaySignal } from '../../../lambdas/authorizer/gateway-signal';
import { MalformedTokenError } from '../../../lambdas/authorizer/errors';

describe('gatewaySignal', () => {
  it('is an Error with the exact message and no stack frames', () => {
    const signal = gatewaySignal('Unauthorized');
    expect(signal).toBeInstanceOf(Error);
    expect(signal.message).toBe('Unauthorized');
    expect(signal.stack).toBe('Error: Unauthorized');
  });

  it("restores the process's stack trace limit, so other errors keep their frames", () => {
    const limit = Error.stackTraceLimit;
    gatewaySignal('Unauthorized');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('fault').stack?.split('\n').length).toBeGreaterThan(1);
  });
});

describe('authorizer errors', () => {
  it('are decisions, not faults: no stack frames, the cause kept, the stack trace limit restored', () => {
    const limit = Error.stackTraceLimit;
    const cause = new SyntaxError('library detail');
    const error = new MalformedTokenError('malformed', 'the token does not decompose into a JWS', { cause });
    expect(error.stack).toBe('MalformedTokenError: the token does not decompose into a JWS');
    expect(error.cause).toBe(cause);
    expect(error.reason).toBe('malformed');
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
