/**
 * How API Gateway combines a Lambda proxy result's `headers` and `multiValueHeaders`: one rule for
 * the request guard (which signs what the client will receive, lambdas/guard/response-signing.ts)
 * and the local gateway (which plays API Gateway, local/gateway/integration-response.ts).
 */

/**
 * Sets an own, enumerable property even when the key is `__proto__` or `constructor`: keys that come
 * from requests or backends (header names, query names, context keys) never reach a prototype.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One header name after the merge. */
export interface MergedProxyHeader {
  /** The name as first spelled (in `multiValueHeaders` if it is there). */
  readonly name: string;
  /** Its values in order, none repeated. */
  readonly values: readonly string[];
  /** Whether the backend set it in `multiValueHeaders`. */
  readonly multi: boolean;
}

type HeaderValue = string | number | boolean;

/**
 * Merges per name, case-insensitively: the `multiValueHeaders` values first, then the `headers` value
 * when it is not already there; a value is never repeated; the name keeps its first spelling.
 * Names in `dropped` (lower case) are left out. Returns the names in first-seen order.
 */
export function mergeProxyHeaderMaps(
  result: {
    readonly headers?: Readonly<Record<string, HeaderValue>> | null;
    readonly multiValueHeaders?: Readonly<Record<string, readonly HeaderValue[]>> | null;
  },
  dropped: ReadonlySet<string>,
): MergedProxyHeader[] {
  const merged = new Map<string, { name: string; values: string[]; multi: boolean }>();
  const add = (name: string, value: HeaderValue, multi: boolean): void => {
    const key = name.toLowerCase();
    if (dropped.has(key)) return;
    const entry = merged.get(key) ?? { name, values: [], multi };
    const text = String(value);
    if (!entry.values.includes(text)) entry.values.push(text);
    merged.set(key, entry);
  };
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    for (const value of values) add(name, value, true);
  for (const [name, value] of Object.entries(result.headers ?? {})) add(name, value, false);
  return [...merged.values()];
}
