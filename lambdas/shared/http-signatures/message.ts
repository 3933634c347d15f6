/**
 * The parts of an HTTP message that RFC 9421 derives components from, independent of any transport
 * (API Gateway proxy event, fetch Request, node:http).
 */

/** Field name (lower case) → field line values, in order. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export interface HttpRequestParts {
  /** Request method as sent, e.g. `POST`. */
  readonly method: string;
  /** `https` or `http`, lower case. */
  readonly scheme: string;
  /** Host and optional port, lower case, default port omitted. */
  readonly authority: string;
  /** Absolute path as sent, `/` when empty. */
  readonly path: string;
  /** Query without the leading `?`; empty string when the request has no query. */
  readonly query: string;
  readonly headers: HeaderMap;
}

export interface HttpResponseParts {
  readonly status: number;
  readonly headers: HeaderMap;
}

/** What a signature is computed over: a request, or a response (with its request for `;req` components). */
export type SignatureSubject =
  | { readonly kind: 'request'; readonly request: HttpRequestParts }
  | { readonly kind: 'response'; readonly response: HttpResponseParts; readonly request?: HttpRequestParts };

/**
 * Builds a {@link HeaderMap} from a record of header values (any case). Values of names that differ
 * only in case are kept in record order.
 */
export function headerMap(
  ...records: (Readonly<Record<string, string | readonly string[] | undefined>> | null | undefined)[]
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const record of records) {
    if (record === null || record === undefined) continue;
    for (const [name, value] of Object.entries(record)) {
      // Untrusted events may carry null or non-string values: they are ignored, never coerced.
      const values: readonly unknown[] = Array.isArray(value) ? value : [value];
      const strings = values.filter((v): v is string => typeof v === 'string');
      if (strings.length === 0) continue;
      const key = name.toLowerCase();
      out.set(key, [...(out.get(key) ?? []), ...strings]);
    }
  }
  return out;
}

/** Absolute target URI of a request: `scheme://authority/path?query`. */
export function targetUri(request: HttpRequestParts): string {
  return `${request.scheme}://${request.authority}${request.path}${request.query === '' ? '' : `?${request.query}`}`;
}

/**
 * The canonical query string both the client library and the guard use. API Gateway hands the guard
 * decoded query parameters grouped by name (`multiValueQueryStringParameters`), not the raw query,
 * so the signed query must be reproducible from that: names in order of first appearance, each
 * name's values in order, every name and value percent-encoded with `encodeURIComponent`.
 */
export function canonicalQuery(pairs: Iterable<readonly [string, string]>): string {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = grouped.get(name) ?? [];
    values.push(value);
    grouped.set(name, values);
  }
  const parts: string[] = [];
  for (const [name, values] of grouped) {
    for (const value of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

/** Splits a URL into request parts (no headers yet). The query is left exactly as in the URL. */
export function requestPartsFromUrl(method: string, url: URL, headers: HeaderMap): HttpRequestParts {
  return {
    method,
    scheme: url.protocol.replace(/:$/, '').toLowerCase(),
    authority: url.host.toLowerCase(),
    path: url.pathname === '' ? '/' : url.pathname,
    query: url.search.replace(/^\?/, ''),
    headers,
  };
}
