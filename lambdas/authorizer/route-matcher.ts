import type { HttpMethod, RouteRule } from '../shared/config/authorizer-config';

/** One segment of a path template. */
export type TemplateSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** A route rule with its template split once, at cold start. */
export interface CompiledRoute {
  /** Position of the rule in the configuration (stable id, used for policy caching). */
  readonly index: number;
  readonly rule: RouteRule;
  readonly method: HttpMethod;
  readonly template: string;
  readonly segments: readonly TemplateSegment[];
  /**
   * The method + path part of the IAM resource pattern that covers every request this route
   * can receive: `GET/orders/*` for `GET /orders/{id}`, `*\/admin/*` for `ANY /admin/{proxy+}`.
   */
  readonly arnPattern: string;
}

const PARAM = /^\{([A-Za-z0-9_]+)(\+?)\}$/;

/** Splits an API Gateway path template (`/orders/{id}`, `/admin/{proxy+}`, `/`) into segments. */
export function parsePathTemplate(template: string): TemplateSegment[] {
  if (template === '/') return [];
  return template
    .slice(1)
    .split('/')
    .map((segment): TemplateSegment => {
      const param = PARAM.exec(segment);
      if (param === null) return { kind: 'literal', value: segment };
      const name = param[1] ?? '';
      return param[2] === '+' ? { kind: 'greedy', name } : { kind: 'param', name };
    });
}

/**
 * The IAM resource pattern (method + path, without the `arn:…:{apiId}/{stage}/` prefix) for a
 * method and template: each `{param}` and `{proxy+}` becomes `*`, `ANY` becomes `*`.
 * `*` in IAM also matches `/`, so the pattern over-approximates the template; see `policy.ts`.
 */
export function routeArnPattern(method: HttpMethod, segments: readonly TemplateSegment[]): string {
  const path = segments.map((s) => (s.kind === 'literal' ? s.value : '*')).join('/');
  return `${method === 'ANY' ? '*' : method}/${path}`;
}

/** Compiles the configured route rules once. */
export function compileRoutes(rules: readonly RouteRule[]): CompiledRoute[] {
  return rules.map((rule, index) => {
    const segments = parsePathTemplate(rule.path);
    return {
      index,
      rule,
      method: rule.method,
      template: rule.path,
      segments,
      arnPattern: routeArnPattern(rule.method, segments),
    };
  });
}

/** The path without one trailing slash (`/orders/` → `/orders`); `/` and `…//` stay as they are. */
export function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') && !path.endsWith('//') ? path.slice(0, -1) : path;
}

/** Splits a concrete request path (`/orders/42`) into segments; `/` has none. */
export function splitRequestPath(path: string): string[] {
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  return trimmed === '' ? [] : trimmed.split('/');
}

/**
 * Whether a template matches concrete path segments, the way API Gateway does: a literal matches
 * itself, `{param}` one non-empty segment, `{proxy+}` (last) one or more segments.
 */
export function templateMatches(template: readonly TemplateSegment[], path: readonly string[]): boolean {
  for (const [i, segment] of template.entries()) {
    if (segment.kind === 'greedy') {
      return path.length > i && path.slice(i).every((s) => s !== '');
    }
    const actual = path.at(i);
    if (actual === undefined) return false;
    if (segment.kind === 'literal' ? actual !== segment.value : actual === '') return false;
  }
  return path.length === template.length;
}

const SEGMENT_RANK = { literal: 3, param: 2, greedy: 1 } as const;

/**
 * Orders two matching routes by specificity, as API Gateway selects a resource: segment by segment
 * a literal beats `{param}`, which beats `{proxy+}`; a longer template beats a greedy prefix; for the
 * same template a concrete method beats `ANY`. Negative when `a` is more specific.
 */
export function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const sa = a.segments.at(i);
    const sb = b.segments.at(i);
    if (sa === undefined || sb === undefined) return sa === undefined ? 1 : -1;
    const diff = SEGMENT_RANK[sb.kind] - SEGMENT_RANK[sa.kind];
    if (diff !== 0) return diff;
  }
  if (a.method === b.method) return 0;
  if (a.method === 'ANY') return 1;
  if (b.method === 'ANY') return -1;
  return 0;
}

/**
 * Finds the route rule API Gateway would select for a concrete method and path, or `undefined`
 * when none matches (deny by default). One trailing slash is ignored: API Gateway routes `/x/` to
 * the `/x` resource (the policy covers both spellings, see `withTrailingSlash` in policy.ts).
 */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): CompiledRoute | undefined {
  const segments = splitRequestPath(withoutTrailingSlash(path));
  let best: CompiledRoute | undefined;
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    if (!templateMatches(route.segments, segments)) continue;
    if (best === undefined || compareSpecificity(route, best) < 0) best = route;
  }
  return best;
}

/**
 * Finds the rule for an HTTP API route key (`GET /orders/{id}`, `ANY /admin/{proxy+}`) and the
 * request's actual method: same template, the method's own rule before an `ANY` rule.
 */
export function matchRouteKey(
  routes: readonly CompiledRoute[],
  routeKeyTemplate: string,
  method: string,
): CompiledRoute | undefined {
  let fallback: CompiledRoute | undefined;
  for (const route of routes) {
    if (route.template !== routeKeyTemplate) continue;
    if (route.method === method) return route;
    if (route.method === 'ANY') fallback = route;
  }
  return fallback;
}
