/** Own-property assignment safe for request-supplied keys (shared with the Lambdas). */
export { setOwn } from '../lambdas/shared/backend-http/proxy-headers';

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
