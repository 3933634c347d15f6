import type { GuardConfig, GuardRoute } from '../shared/config/guard-config';

export interface ResolvedRoute {
  /** The config key that matched: `"POST /orders"` or `"ANY /admin/{proxy+}"`. */
  readonly key: string;
  readonly route: GuardRoute;
}

/**
 * The guard route for a request, by API Gateway's resource template (`event.resource`) and method;
 * an exact method entry wins over `ANY`. Undefined when the guard has no entry (never forwarded).
 */
export function resolveRoute(
  config: GuardConfig,
  method: string,
  resource: string,
): ResolvedRoute | undefined {
  for (const key of [`${method} ${resource}`, `ANY ${resource}`]) {
    if (Object.hasOwn(config.routes, key)) {
      // eslint-disable-next-line security/detect-object-injection -- guarded by Object.hasOwn on a validated config
      const route = config.routes[key];
      if (route !== undefined) return { key, route };
    }
  }
  return undefined;
}
