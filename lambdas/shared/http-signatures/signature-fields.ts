import {
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  type Dictionary,
  type Item,
  type Parameters,
} from 'structured-headers';
import { isInnerList, type ComponentIdentifier } from './components';
import { SignatureSyntaxError } from './errors';

/** The signature parameters of RFC 9421 §2.3 this toolkit reads. Others are kept (and signed) but ignored. */
export interface SignatureParams {
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly alg?: string;
  readonly keyid?: string;
  readonly tag?: string;
}

/** One member of `Signature-Input`. */
export interface SignatureInputEntry {
  readonly label: string;
  readonly components: readonly ComponentIdentifier[];
  readonly params: SignatureParams;
  /** The parameters exactly as parsed, in order, for `@signature-params`. */
  readonly rawParams: Parameters;
}

function parseDictionaryField(value: string, what: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch (cause) {
    throw new SignatureSyntaxError(`${what} is not a structured dictionary`, { cause });
  }
}

function integerParam(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new SignatureSyntaxError(`signature parameter ${name} must be a non-negative integer`);
  }
  return value;
}

function stringParam(name: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new SignatureSyntaxError(`signature parameter ${name} must be a string`);
  return value;
}

function readParams(raw: Parameters): SignatureParams {
  const value = (name: string): unknown => raw.get(name) as unknown;
  return {
    ...(raw.has('created') ? { created: integerParam('created', value('created')) } : {}),
    ...(raw.has('expires') ? { expires: integerParam('expires', value('expires')) } : {}),
    ...(raw.has('nonce') ? { nonce: stringParam('nonce', value('nonce')) } : {}),
    ...(raw.has('alg') ? { alg: stringParam('alg', value('alg')) } : {}),
    ...(raw.has('keyid') ? { keyid: stringParam('keyid', value('keyid')) } : {}),
    ...(raw.has('tag') ? { tag: stringParam('tag', value('tag')) } : {}),
  };
}

/**
 * Parses a `Signature-Input` field (RFC 9421 §4.1) into entries by label.
 * Throws {@link SignatureSyntaxError} on anything malformed.
 */
export function parseSignatureInput(value: string): Map<string, SignatureInputEntry> {
  const dictionary = parseDictionaryField(value, 'Signature-Input');
  const out = new Map<string, SignatureInputEntry>();
  for (const [label, member] of dictionary) {
    if (!isInnerList(member))
      throw new SignatureSyntaxError('a Signature-Input member must be an inner list');
    const [items, rawParams] = member;
    const seen = new Set<string>();
    const components = items.map(([name, params]: Item): ComponentIdentifier => {
      if (typeof name !== 'string') throw new SignatureSyntaxError('component identifiers must be strings');
      const identifier = serializeItem(name, params);
      if (seen.has(identifier)) throw new SignatureSyntaxError('a component is covered twice');
      seen.add(identifier);
      return { name, params };
    });
    out.set(label, { label, components, params: readParams(rawParams), rawParams });
  }
  return out;
}

/** Parses a `Signature` field (RFC 9421 §4.2) into signature bytes by label. */
export function parseSignatureField(value: string): Map<string, Buffer> {
  const dictionary = parseDictionaryField(value, 'Signature');
  const out = new Map<string, Buffer>();
  for (const [label, member] of dictionary) {
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer)) {
      throw new SignatureSyntaxError('a Signature member must be a byte sequence');
    }
    out.set(label, Buffer.from(member[0]));
  }
  return out;
}

/** Serializes the inner list of a signature (`("@method" ...);created=...`), the value of `@signature-params`. */
export function serializeSignatureParams(
  components: readonly ComponentIdentifier[],
  rawParams: Parameters,
): string {
  return serializeInnerList([components.map((c): Item => [c.name, c.params]), rawParams]);
}

/** Builds the ordered parameter map for signing: created, expires, nonce, keyid, alg, tag. */
export function signatureParamsMap(params: SignatureParams): Parameters {
  const out: Parameters = new Map();
  if (params.created !== undefined) out.set('created', params.created);
  if (params.expires !== undefined) out.set('expires', params.expires);
  if (params.nonce !== undefined) out.set('nonce', params.nonce);
  if (params.keyid !== undefined) out.set('keyid', params.keyid);
  if (params.alg !== undefined) out.set('alg', params.alg);
  if (params.tag !== undefined) out.set('tag', params.tag);
  return out;
}

/** `label=("@method" ...);created=...`: one member of a `Signature-Input` field. */
export function serializeSignatureInputMember(
  label: string,
  components: readonly ComponentIdentifier[],
  rawParams: Parameters,
): string {
  return serializeDictionary(
    new Map([[label, [components.map((c): Item => [c.name, c.params]), rawParams]]]),
  );
}

/** `label=:base64:`: one member of a `Signature` field. */
export function serializeSignatureMember(label: string, signature: Uint8Array): string {
  return serializeDictionary(new Map([[label, [signature, new Map()]]]));
}
