import {
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  type BareItem,
  type InnerList,
  type Item,
  type Parameters,
} from 'structured-headers';
import { ComponentError } from './errors';
import { targetUri, type HttpRequestParts, type SignatureSubject } from './message';

/** A covered component: a name (`@method`, `content-digest`) and its parameters (`req`, `key`, `sf`, `bs`). */
export interface ComponentIdentifier {
  readonly name: string;
  readonly params: Parameters;
}

/** Component parameters this implementation understands (RFC 9421 §2.1, §2.2.8, §2.4). */
export const SUPPORTED_COMPONENT_PARAMS = ['req', 'key', 'sf', 'bs', 'name'] as const;

/** Derived components of a request (RFC 9421 §2.2). `@query-param` is not supported. */
const REQUEST_DERIVED = new Set([
  '@method',
  '@target-uri',
  '@authority',
  '@scheme',
  '@request-target',
  '@path',
  '@query',
]);

/** Fields known to be structured dictionaries (for `;sf` and `;key`). */
const DICTIONARY_FIELDS = new Set([
  'signature',
  'signature-input',
  'content-digest',
  'repr-digest',
  'want-content-digest',
]);

/** A component identifier without parameters. */
export function component(name: string, params?: Record<string, BareItem>): ComponentIdentifier {
  return { name, params: new Map(Object.entries(params ?? {})) };
}

/** The identifier as it appears in a signature base line and in `Signature-Input`: `"@method";req`. */
export function serializeComponentIdentifier(id: ComponentIdentifier): string {
  return serializeItem(id.name, id.params);
}

/** True when the identifier has no parameters and the given name. */
export function isPlainComponent(id: ComponentIdentifier, name: string): boolean {
  return id.name === name && id.params.size === 0;
}

/** Tells an inner list (`[Item[], Parameters]`) from an item (`[BareItem, Parameters]`). */
export function isInnerList(member: Item | InnerList): member is InnerList {
  return Array.isArray(member[0]);
}

/** A parameter value as `unknown` (BareItem mentions DOM types this project does not load). */
function param(params: Parameters, name: string): unknown {
  return params.get(name) as unknown;
}

function flag(params: Parameters, name: string): boolean {
  const value = param(params, name);
  if (value === undefined) return false;
  if (value !== true) throw new ComponentError(`component parameter ${name} must be a boolean true flag`);
  return true;
}

function deriveRequestComponent(name: string, request: HttpRequestParts): string {
  switch (name) {
    case '@method':
      return request.method;
    case '@target-uri':
      return targetUri(request);
    case '@authority':
      return request.authority;
    case '@scheme':
      return request.scheme;
    case '@request-target':
      return `${request.path}${request.query === '' ? '' : `?${request.query}`}`;
    case '@path':
      return request.path === '' ? '/' : request.path;
    case '@query':
      return `?${request.query}`;
    default:
      throw new ComponentError('unsupported derived component');
  }
}

function fieldValue(name: string, params: Parameters, values: readonly string[] | undefined): string {
  if (values === undefined || values.length === 0) throw new ComponentError('covered field is absent');
  const trimmed = values.map((v) => v.trim());
  const bs = flag(params, 'bs');
  const sf = flag(params, 'sf');
  const key = param(params, 'key');
  if (bs && (sf || key !== undefined)) throw new ComponentError('bs cannot be combined with sf or key');
  if (bs) return trimmed.map((v) => `:${Buffer.from(v, 'utf8').toString('base64')}:`).join(', ');
  const combined = trimmed.join(', ');
  if (key !== undefined || sf) {
    if (!DICTIONARY_FIELDS.has(name))
      throw new ComponentError('sf/key on a field of unknown structured type');
    let dictionary;
    try {
      dictionary = parseDictionary(combined);
    } catch (cause) {
      throw new ComponentError('covered structured field does not parse', { cause });
    }
    if (key === undefined) return serializeDictionary(dictionary);
    if (typeof key !== 'string') throw new ComponentError('component parameter key must be a string');
    const member = dictionary.get(key);
    if (member === undefined) throw new ComponentError('dictionary member named by key is absent');
    return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
  }
  if (!/^[\t\x20-\x7e]*$/.test(combined))
    throw new ComponentError('field value outside visible ASCII needs bs');
  return combined;
}

/**
 * The value of one covered component for a signature base (RFC 9421 §2.1, §2.2, §2.4).
 * Throws {@link ComponentError} when the component cannot be derived.
 */
export function deriveComponentValue(id: ComponentIdentifier, subject: SignatureSubject): string {
  for (const param of id.params.keys()) {
    if (!(SUPPORTED_COMPONENT_PARAMS as readonly string[]).includes(param)) {
      throw new ComponentError('unsupported component parameter');
    }
  }
  if (id.name !== id.name.toLowerCase() || id.name === '')
    throw new ComponentError('component names are lower case');
  const fromRequest = flag(id.params, 'req');
  if (fromRequest && subject.kind !== 'response')
    throw new ComponentError('req is only valid in a response signature');
  if (id.params.has('name')) throw new ComponentError('@query-param is not supported');

  if (id.name.startsWith('@')) {
    if (id.name === '@signature-params') throw new ComponentError('@signature-params cannot be covered');
    if (id.name === '@status') {
      if (subject.kind !== 'response' || fromRequest)
        throw new ComponentError('@status exists only in responses');
      return String(subject.response.status);
    }
    if (!REQUEST_DERIVED.has(id.name)) throw new ComponentError('unsupported derived component');
    if (subject.kind === 'request') return deriveRequestComponent(id.name, subject.request);
    if (!fromRequest || subject.request === undefined) {
      throw new ComponentError('request components in a response need req and the request');
    }
    return deriveRequestComponent(id.name, subject.request);
  }
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(id.name)) throw new ComponentError('invalid field name');
  let headers;
  if (subject.kind === 'request') headers = subject.request.headers;
  else if (fromRequest) {
    if (subject.request === undefined) throw new ComponentError('req component without the request');
    headers = subject.request.headers;
  } else headers = subject.response.headers;
  return fieldValue(id.name, id.params, headers.get(id.name));
}
