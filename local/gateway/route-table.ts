/**
 * API Gateway REST resource matching: a tree of resources (`/orders`, `/orders/{id}`,
 * `/admin/{proxy+}`), each with methods. A literal segment beats `{param}`, which beats a greedy
 * `{proxy+}` (one or more segments); a method beats `ANY` on the same resource. Intermediate
 * resources exist without methods (as in API Gateway): calling one gives "Missing Authentication Token".
 */

/** One method of the API, as the stack declares it. */
export interface ApiMethod<T> {
  /** `GET`, `POST`, …, or `ANY`. */
  readonly httpMethod: string;
  /** Resource path template, e.g. `/orders/{id}`. */
  readonly resourcePath: string;
  /** What to run for it (route data owned by the caller). */
  readonly target: T;
}

interface ResourceNode<T> {
  readonly path: string;
  readonly literals: Map<string, ResourceNode<T>>;
  param?: { readonly name: string; readonly node: ResourceNode<T> };
  greedy?: { readonly name: string; readonly node: ResourceNode<T> };
  readonly methods: Map<string, ApiMethod<T>>;
}

/** A compiled set of resources and methods. */
export interface RouteTable<T> {
  readonly root: ResourceNode<T>;
}

/** The outcome of matching a request path and method. */
export type RouteLookup<T> =
  | {
      readonly kind: 'method';
      readonly method: ApiMethod<T>;
      readonly resourcePath: string;
      /** Decoded path parameters, or null when the resource has none (as in the proxy event). */
      readonly pathParameters: Readonly<Record<string, string>> | null;
    }
  /** The resource exists but has no such method (and no ANY). */
  | { readonly kind: 'no-method'; readonly resourcePath: string }
  /** No resource matches the path. */
  | { readonly kind: 'no-resource' }
  /** The path is not a valid URL path (bad percent-encoding). */
  | { readonly kind: 'bad-path' };

function newNode<T>(path: string): ResourceNode<T> {
  return { path, literals: new Map(), methods: new Map() };
}

function childPath(parent: string, segment: string): string {
  return parent === '/' ? `/${segment}` : `${parent}/${segment}`;
}

/** Splits a template or request path into segments; `/` has none. */
export function pathSegments(path: string): string[] {
  if (path === '/' || path === '') return [];
  return path.replace(/^\//, '').split('/');
}

/** Builds the resource tree. Throws on two methods for the same resource and verb. */
export function compileRoutes<T>(methods: readonly ApiMethod<T>[]): RouteTable<T> {
  const root = newNode<T>('/');
  for (const method of methods) {
    let node = root;
    for (const segment of pathSegments(method.resourcePath)) {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (greedy?.[1] !== undefined) {
        node.greedy ??= { name: greedy[1], node: newNode(childPath(node.path, segment)) };
        node = node.greedy.node;
      } else if (param?.[1] !== undefined) {
        if (node.param !== undefined && node.param.name !== param[1]) {
          throw new Error(
            `resource ${node.path} has two path parameters: {${node.param.name}} and {${param[1]}}`,
          );
        }
        node.param ??= { name: param[1], node: newNode(childPath(node.path, segment)) };
        node = node.param.node;
      } else {
        let next = node.literals.get(segment);
        if (next === undefined) {
          next = newNode(childPath(node.path, segment));
          node.literals.set(segment, next);
        }
        node = next;
      }
    }
    const verb = method.httpMethod.toUpperCase();
    if (node.methods.has(verb)) throw new Error(`duplicate method ${verb} ${method.resourcePath}`);
    node.methods.set(verb, method);
  }
  return { root };
}

interface Found<T> {
  readonly node: ResourceNode<T>;
  readonly params: Record<string, string>;
}

function find<T>(
  node: ResourceNode<T>,
  segments: readonly string[],
  index: number,
  params: Record<string, string>,
): Found<T> | undefined {
  if (index === segments.length) return { node, params };
  const segment = segments.at(index) ?? '';
  const literal = segment === '' ? undefined : node.literals.get(segment);
  if (literal !== undefined) {
    const found = find(literal, segments, index + 1, params);
    if (found !== undefined) return found;
  }
  if (node.param !== undefined && segment !== '') {
    const found = find(node.param.node, segments, index + 1, { ...params, [node.param.name]: segment });
    if (found !== undefined) return found;
  }
  if (node.greedy !== undefined) {
    const rest = segments.slice(index).join('/');
    if (rest !== '') return { node: node.greedy.node, params: { ...params, [node.greedy.name]: rest } };
  }
  return undefined;
}

/**
 * Finds the resource and method for a request. `path` is the raw request path (no query), as
 * sent; one trailing slash is ignored. Path parameters are percent-decoded.
 */
export function matchRoute<T>(table: RouteTable<T>, httpMethod: string, path: string): RouteLookup<T> {
  let decoded: string[];
  try {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    decoded = pathSegments(trimmed).map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'bad-path' };
  }
  const found = find(table.root, decoded, 0, {});
  if (found === undefined) return { kind: 'no-resource' };
  const verb = httpMethod.toUpperCase();
  const method = found.node.methods.get(verb) ?? found.node.methods.get('ANY');
  if (method === undefined) return { kind: 'no-method', resourcePath: found.node.path };
  const names = Object.keys(found.params);
  return {
    kind: 'method',
    method,
    resourcePath: found.node.path,
    pathParameters: names.length === 0 ? null : found.params,
  };
}

/** Methods declared on a resource (for a CORS preflight's Allow-Methods, say). */
export function methodsOf<T>(table: RouteTable<T>, resourcePath: string): string[] {
  let node: ResourceNode<T> | undefined = table.root;
  for (const segment of pathSegments(resourcePath)) {
    if (node === undefined) return [];
    if (/^\{[A-Za-z0-9_]+\+\}$/.test(segment)) node = node.greedy?.node;
    else if (/^\{[A-Za-z0-9_]+\}$/.test(segment)) node = node.param?.node;
    else node = node.literals.get(segment);
  }
  return node === undefined ? [] : [...node.methods.keys()];
}
