import { stackFrames } from '../../../../lambdas/shared/logging/stack-frames';

function thrower(message: string): Error {
  return new TypeError(message);
}

describe('stackFrames', () => {
  it('keeps the frames and never the message', () => {
    const frames = stackFrames(thrower('Unexpected token in "eyJhbGciOi..."'));
    expect(frames?.[0]).toMatch(/^at thrower \(/);
    expect(frames?.join('\n')).not.toContain('eyJhbGciOi');
    expect(frames?.every((f) => f.startsWith('at '))).toBe(true);
  });

  it('skips every line of a multi-line message, even one that looks like a frame', () => {
    const frames = stackFrames(thrower('first line\n    at secret (token-part:1:1)\nthird'));
    expect(frames?.join('\n')).not.toContain('secret');
    expect(frames?.[0]).toMatch(/^at thrower \(/);
  });

  it('caps the frames and answers undefined for non-errors and frameless errors', () => {
    const deep = (n: number): Error => (n === 0 ? new Error('deep') : deep(n - 1));
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    try {
      expect(stackFrames(deep(30), 5)).toHaveLength(5);
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(stackFrames('a string')).toBeUndefined();
    Error.stackTraceLimit = 0;
    let frameless: Error;
    try {
      frameless = new Error('no frames');
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(stackFrames(frameless)).toBeUndefined();
  });
});
