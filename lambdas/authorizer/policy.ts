import { HTTP_METHODS } from '../shared/config/authorizer-config';
import type { CompiledRoute } from './route-matcher';

/** One statement of the IAM policy an API Gateway authorizer returns. */
export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: readonly string[];
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/**
 * Whether two IAM resource patterns made of literals and `*` (any run of characters, `/` included)
 * can match a common string. Dynamic programming over suffixes: O(|a|·|b|), no backtracking.
 */
export function iamPatternsIntersect(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  // Rows are built from j = m down to 0 and stored reversed: rev.at(m - j) is the cell for j.
  let next: boolean[] = []; // row i + 1
  for (let i = n; i >= 0; i--) {
    const row: boolean[] = [];
    for (let j = m; j >= 0; j--) {
      const ca = i < n ? a.charAt(i) : undefined;
      const cb = j < m ? b.charAt(j) : undefined;
      const down = next.at(m - j) ?? false; // (i + 1, j)
      const diagonal = next.at(m - j - 1) ?? false; // (i + 1, j + 1)
      const right = row.at(-1) ?? false; // (i, j + 1)
      let value: boolean;
      if (ca === undefined && cb === undefined) value = true;
      else if (ca === '*') value = down || (cb !== undefined && right);
      else if (cb === '*') value = right || (ca !== undefined && down);
      else value = ca !== undefined && ca === cb && j < m && diagonal;
      row.push(value);
    }
    next = row;
  }
  return next.at(m) ?? false;
}

const CONCRETE_METHODS = HTTP_METHODS.filter((m) => m !== 'ANY');

/** Stage-independent pattern: every stage (`*`), then the route's method and path. */
const stageless = (arnPattern: string): string => `*/${arnPattern}`;

/**
 * A pattern and, when its path ends in a literal segment, the same pattern with one trailing slash:
 * API Gateway routes `/orders/export/` to the `/orders/export` resource, and the method ARN may
 * carry the slash, which the bare pattern would not match (while a sibling `/orders/{id}` Allow,
 * `…/GET/orders/*`, would). A pattern ending in `*` or `/` already covers it.
 */
export function withTrailingSlash(pattern: string): string[] {
  return pattern.endsWith('*') || pattern.endsWith('/') ? [pattern] : [pattern, `${pattern}/`];
}

/**
 * Builds the IAM policies the authorizer returns. API Gateway caches a policy per token and
 * re-evaluates it against every later method ARN, so a policy lists every route the principal may
 * call, stage-independent (`arn:…:{apiId}/*\/{METHOD}/{path}`), never only the current request.
 *
 * IAM's `*` also matches `/`, so an Allow for `/orders/{id}` (`…/GET/orders/*`) also matches
 * `/orders/1/secret`. Whenever the pattern of a route the principal may **not** call can match a
 * request an Allow matches, the policy gets an explicit Deny for it (Deny wins in IAM). A denied
 * `ANY` route is denied per method, leaving out methods that have their own rule on the same path.
 *
 * Every pattern whose path ends in a literal segment comes with its trailing-slash twin (see
 * `withTrailingSlash`), Allow and Deny alike, so `/orders/export/` is decided like `/orders/export`.
 *
 * Known fail-closed corner: a Deny pattern can cover a more specific route the principal may call
 * (e.g. `ANY /admin/{proxy+}` denied and `GET /admin/status` allowed → the Deny `…/GET/admin/*`
 * also covers `/admin/status`); those requests get 403. The policy never allows a request the rule
 * engine denies.
 *
 * Policies are cached per (API ARN prefix, allowed-route set): principals with the same
 * entitlements share one object, which callers must not mutate.
 */
export class PolicyBuilder {
  private readonly allowPatterns: readonly (readonly string[])[];
  private readonly denyPatterns: readonly (readonly string[])[];
  private readonly overlapMemo = new Map<string, boolean>();
  /**
   * API ARN prefix → allowed-routes key → policy. Two levels rather than one concatenated key: both
   * strings arrive as the same instances again and again (from the target resolver and the decision
   * cache), so a lookup hashes and builds nothing.
   */
  private readonly cache = new Map<string, Map<string, PolicyDocument>>();
  private cachedPolicies = 0;

  constructor(
    routes: readonly CompiledRoute[],
    private readonly maxCachedPolicies = 256,
  ) {
    this.allowPatterns = routes.map((r) => withTrailingSlash(stageless(r.arnPattern)));
    this.denyPatterns = routes.map((route) => {
      if (route.method !== 'ANY') return withTrailingSlash(stageless(route.arnPattern));
      const ownMethods = new Set(
        routes.filter((r) => r.template === route.template && r.method !== 'ANY').map((r) => r.method),
      );
      const path = route.arnPattern.slice(route.arnPattern.indexOf('/'));
      return CONCRETE_METHODS.filter((m) => !ownMethods.has(m)).flatMap((m) =>
        withTrailingSlash(stageless(`${m}${path}`)),
      );
    });
  }

  /**
   * The policy for a principal allowed the routes flagged in `allowed` (route index order).
   * @param arnPrefix `arn:{partition}:execute-api:{region}:{account}:{apiId}/` of the incoming method ARN
   * @param allowedKey a stable key of `allowed` (see `allowedRoutesKey`), for the cache
   */
  build(arnPrefix: string, allowed: readonly boolean[], allowedKey: string): PolicyDocument {
    let byAllowed = this.cache.get(arnPrefix);
    const cached = byAllowed?.get(allowedKey);
    if (cached !== undefined) return cached;
    const policy = this.compute(arnPrefix, allowed);
    // Bounded: when full, start over (the policies are cheap to compute again, and rarely this many).
    if (this.cachedPolicies >= this.maxCachedPolicies) {
      this.cache.clear();
      this.cachedPolicies = 0;
      byAllowed = undefined;
    }
    if (byAllowed === undefined) {
      byAllowed = new Map();
      this.cache.set(arnPrefix, byAllowed);
    }
    byAllowed.set(allowedKey, policy);
    this.cachedPolicies++;
    return policy;
  }

  private compute(arnPrefix: string, allowed: readonly boolean[]): PolicyDocument {
    const allowPatterns = new Set<string>();
    this.allowPatterns.forEach((patterns, i) => {
      if (allowed.at(i) === true) for (const pattern of patterns) allowPatterns.add(pattern);
    });
    if (allowPatterns.size === 0) {
      return {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${arnPrefix}*`] }],
      };
    }
    const denyPatterns = new Set<string>();
    this.denyPatterns.forEach((patterns, i) => {
      if (allowed.at(i) === true) return;
      for (const pattern of patterns) {
        if (denyPatterns.has(pattern)) continue;
        for (const allow of allowPatterns) {
          if (this.overlaps(pattern, allow)) {
            denyPatterns.add(pattern);
            break;
          }
        }
      }
    });
    const statements: PolicyStatement[] = [
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: [...allowPatterns].map((p) => arnPrefix + p),
      },
    ];
    if (denyPatterns.size > 0) {
      statements.push({
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        Resource: [...denyPatterns].map((p) => arnPrefix + p),
      });
    }
    return { Version: '2012-10-17', Statement: statements };
  }

  private overlaps(a: string, b: string): boolean {
    const key = `${a}\n${b}`;
    let value = this.overlapMemo.get(key);
    if (value === undefined) {
      value = iamPatternsIntersect(a, b);
      this.overlapMemo.set(key, value);
    }
    return value;
  }
}
