import { gatewaySignal } from '../../../lambdas/authorizer/gateway-signal';

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
