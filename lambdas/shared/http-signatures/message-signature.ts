import type { KeyObject } from 'node:crypto';
import { verifyBase, type SignatureAlgorithm } from './algorithms';
import type { ComponentIdentifier } from './components';
import type { HeaderMap, SignatureSubject } from './message';
import { createSignatureBase } from './signature-base';
import {
  serializeSignatureInputMember,
  serializeSignatureMember,
  signatureParamsMap,
  type SignatureInputEntry,
  type SignatureParams,
} from './signature-fields';

export interface CreateSignatureOptions {
  readonly subject: SignatureSubject;
  /** Dictionary key of the signature, e.g. `sig1`. */
  readonly label: string;
  readonly components: readonly ComponentIdentifier[];
  readonly params: SignatureParams;
  /** Produces the signature bytes over the UTF-8 signature base (local key, KMS, …). */
  readonly sign: (base: Buffer) => Promise<Uint8Array> | Uint8Array;
}

export interface CreatedSignature {
  readonly label: string;
  /** Value for the `Signature-Input` field. */
  readonly signatureInput: string;
  /** Value for the `Signature` field. */
  readonly signature: string;
  /** The signature base that was signed (for debugging; contains covered header values). */
  readonly base: string;
}

/** Creates an RFC 9421 signature over a request or response. */
export async function createMessageSignature(options: CreateSignatureOptions): Promise<CreatedSignature> {
  const rawParams = signatureParamsMap(options.params);
  const base = createSignatureBase(options.subject, options.components, rawParams);
  const signature = await options.sign(Buffer.from(base, 'utf8'));
  return {
    label: options.label,
    signatureInput: serializeSignatureInputMember(options.label, options.components, rawParams),
    signature: serializeSignatureMember(options.label, signature),
    base,
  };
}

/**
 * Verifies one parsed signature entry with a public key. Returns false on a bad signature; throws
 * ComponentError when a covered component cannot be derived from the message.
 */
export function verifyMessageSignature(
  subject: SignatureSubject,
  entry: SignatureInputEntry,
  signature: Uint8Array,
  algorithm: SignatureAlgorithm,
  publicKey: KeyObject,
): boolean {
  const base = createSignatureBase(subject, entry.components, entry.rawParams);
  return verifyBase(algorithm, publicKey, base, signature);
}

/** A field's combined value (`, ` between field lines), or undefined when absent. */
export function combinedField(headers: HeaderMap, name: string): string | undefined {
  const values = headers.get(name);
  return values === undefined || values.length === 0 ? undefined : values.join(', ');
}
