import crypto from 'node:crypto';

/**
 * Counts signature verifications done through node:crypto (`Verify#verify`, as aws-jwt-verify does
 * for RSA and ECDSA, and the one-shot `crypto.verify`) while `fn` runs. Used only in the checks
 * before the clock starts, to prove that the miss path really verifies a signature per decision and
 * the cache-hit path does not.
 */
export async function countVerifications(fn: () => Promise<void>): Promise<number> {
  let count = 0;
  const proto = crypto.Verify.prototype;
  const methodDescriptor = Object.getOwnPropertyDescriptor(proto, 'verify');
  const oneShotDescriptor = Object.getOwnPropertyDescriptor(crypto, 'verify');
  if (methodDescriptor === undefined || oneShotDescriptor === undefined) {
    throw new Error('node:crypto has no Verify#verify or verify to count');
  }
  const method = methodDescriptor.value as (this: crypto.Verify, ...args: unknown[]) => boolean;
  const oneShot = oneShotDescriptor.value as (...args: unknown[]) => boolean;
  Object.defineProperty(proto, 'verify', {
    ...methodDescriptor,
    value: function (this: crypto.Verify, ...args: unknown[]): boolean {
      count++;
      return method.apply(this, args);
    },
  });
  Object.defineProperty(crypto, 'verify', {
    ...oneShotDescriptor,
    value: (...args: unknown[]): boolean => {
      count++;
      return oneShot(...args);
    },
  });
  try {
    await fn();
  } finally {
    Object.defineProperty(proto, 'verify', methodDescriptor);
    Object.defineProperty(crypto, 'verify', oneShotDescriptor);
  }
  return count;
}
