/**
 * Sets an own, enumerable property even when the key is `__proto__` or `constructor`: keys that
 * come from requests (header names, query names, authorizer context keys) can never reach or
 * replace a prototype.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Node's `rawHeaders` (`[name, value, name, value, …]`) as pairs. */
export function rawHeaderPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  let name: string | undefined;
  for (const item of rawHeaders) {
    if (name === undefined) name = item;
    else {
      pairs.push([name, item]);
      name = undefined;
    }
  }
  return pairs;
}
