import type { z } from 'zod';
import type { GuardRoute } from '../shared/config/guard-config';
import type { HeaderMap } from '../shared/http-signatures/message';
import {
  MalformedRequestError,
  PayloadTooLargeError,
  SchemaViolationError,
  UnsupportedMediaTypeError,
} from './errors';
import { REQUEST_SCHEMAS, type RequestSchema } from './request-schemas';
import { parseJsonSafely } from './safe-json';

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/**
 * Cheap checks before anything else: body size (413) and, when there is a body, a Content-Type on
 * the route's allowlist (415). Returns the media type of the body (undefined without a body).
 */
export function checkBodyEnvelope(route: GuardRoute, headers: HeaderMap, body: Buffer): string | undefined {
  if (body.length > route.maxBodyBytes) throw new PayloadTooLargeError('body too large');
  if (body.length === 0) return undefined;
  const contentType = headers.get('content-type');
  if (contentType?.length !== 1 || contentType[0] === undefined) {
    throw new UnsupportedMediaTypeError('missing or repeated content-type');
  }
  const mediaType = mediaTypeOf(contentType[0]);
  if (!route.contentTypes.includes(mediaType)) throw new UnsupportedMediaTypeError('media type not allowed');
  return mediaType;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/** `body.items[2].sku`; segments that are not plain names are shown as `?` (never echo input). */
function fieldPath(part: string, path: readonly PropertyKey[]): string {
  let out = part;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && SAFE_SEGMENT.test(segment)) out += `.${segment}`;
    else out += '.?';
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be of type ${issue.expected}`;
    case 'unrecognized_keys':
      return 'is not an allowed field';
    case 'too_small':
      return `is too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `is too big (maximum ${String(issue.maximum)})`;
    case 'invalid_format':
    case 'invalid_value':
      return 'has a value that is not allowed';
    default:
      return 'is invalid';
  }
}

function check(schema: z.ZodType | undefined, part: string, value: unknown, empty: boolean): void {
  if (schema === undefined) {
    if (!empty) throw new SchemaViolationError(part, 'is not accepted by this route');
    return;
  }
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new SchemaViolationError(part, 'is invalid');
  const path =
    issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined
      ? [...issue.path, issue.keys[0]]
      : issue.path;
  throw new SchemaViolationError(fieldPath(part, path), describeIssue(issue), { cause: result.error });
}

export interface RequestParts {
  readonly pathParameters: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQuery: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly headers: HeaderMap;
  readonly body: Buffer;
  readonly mediaType: string | undefined;
}

function singleValued(multi: RequestParts['multiValueQuery']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(multi ?? {})) {
    if (values === undefined) continue;
    if (values.length !== 1 || values[0] === undefined) {
      throw new MalformedRequestError('A query parameter is repeated.', {
        field: fieldPath('query', [name]),
      });
    }
    Object.defineProperty(out, name, {
      value: values[0],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function definedEntries(record: Readonly<Record<string, string | undefined>> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record ?? {})) {
    if (value !== undefined) {
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/**
 * Validates path parameters, query, headers and body against the named schema (400 / 422).
 * With `schemaName` null the body must still be well-formed JSON when it claims to be JSON.
 */
export function validateRequest(schemaName: GuardRoute['validation'], parts: RequestParts): void {
  const query = singleValued(parts.multiValueQuery);
  let body: unknown = undefined;
  if (parts.body.length > 0) {
    if (parts.mediaType !== undefined && isJsonMediaType(parts.mediaType)) {
      body = parseJsonSafely(parts.body.toString('utf8'));
      // eslint-disable-next-line security/detect-object-injection -- schemaName is a validated enum member
    } else if (schemaName !== null && REQUEST_SCHEMAS[schemaName].body !== undefined) {
      throw new UnsupportedMediaTypeError('schema-checked bodies must be JSON');
    }
  }
  if (schemaName === null) return;
  // eslint-disable-next-line security/detect-object-injection -- schemaName is a validated enum member
  const schema: RequestSchema = REQUEST_SCHEMAS[schemaName];
  const pathParameters = definedEntries(parts.pathParameters);
  check(schema.pathParameters, 'path', pathParameters, Object.keys(pathParameters).length === 0);
  check(schema.query, 'query', query, Object.keys(query).length === 0);
  if (schema.headers !== undefined) {
    const headers: Record<string, string> = {};
    for (const [name, values] of parts.headers) {
      Object.defineProperty(headers, name, { value: values.join(', '), enumerable: true });
    }
    check(schema.headers, 'header', headers, true);
  }
  check(schema.body, 'body', body, parts.body.length === 0);
}
