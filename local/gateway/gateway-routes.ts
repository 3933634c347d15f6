import type { EdgeConfig } from '../../lib/config/edge-config';
import { isPublicMethod } from '../../lib/config/api-config';
import type { RouteTarget } from './gateway';
import type { ApiMethod } from './route-table';

/** Integration name of the request guard. */
export const GUARD_INTEGRATION = 'guard';

/** Integration name of a backend Lambda (`backend:orders`). */
export function backendIntegration(name: string): string {
  return `backend:${name}`;
}

/** The guard's route key for a method: `"POST /orders"`. */
export function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}

/**
 * The methods of the emulated REST API, from the same sections the stack reads: `api.routes`
 * (method, template, backend), `auth.routes` (public or not), `api.apiKeys.required`, and the
 * `guard` section (routes it fronts, and its public JWKS route).
 */
export function buildGatewayRoutes(config: EdgeConfig): ApiMethod<RouteTarget>[] {
  const apiSection = config.api;
  if (apiSection === undefined)
    throw new Error('the configuration has no "api" section: the local gateway needs api.routes');
  const guarded = new Set(Object.keys(config.guard?.routes ?? {}));
  const methods: ApiMethod<RouteTarget>[] = apiSection.routes.map((route) => {
    const isPublic = isPublicMethod(config.auth.routes, route.method, route.path);
    const key = routeKey(route.method, route.path);
    return {
      httpMethod: route.method,
      resourcePath: route.path,
      target: {
        authorized: !isPublic,
        apiKeyRequired: apiSection.apiKeys.required && !isPublic,
        integration: guarded.has(key) ? GUARD_INTEGRATION : backendIntegration(route.backend),
      },
    };
  });
  if (config.guard !== undefined) {
    methods.push({
      httpMethod: 'GET',
      resourcePath: config.guard.jwksPath,
      target: {
        // The stack requires a public auth rule for it; if there is none, it is protected like any route.
        authorized: !isPublicMethod(config.auth.routes, 'GET', config.guard.jwksPath),
        apiKeyRequired: false,
        integration: GUARD_INTEGRATION,
      },
    });
  }
  return methods;
}
