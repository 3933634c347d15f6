import type { Caller } from '../shared/contracts/authorizer-context';
import type { GuardSignatureSettings } from '../shared/config/guard-config';
import { keyIdSchema } from '../shared/http-signatures/client-key-record';
import { isPlainComponent } from '../shared/http-signatures/components';
import { checkContentDigest } from '../shared/http-signatures/content-digest';
import { HttpSignatureError } from '../shared/http-signatures/errors';
import type { HttpRequestParts } from '../shared/http-signatures/message';
import { combinedField, verifyMessageSignature } from '../shared/http-signatures/message-signature';
import {
  parseSignatureField,
  parseSignatureInput,
  type SignatureInputEntry,
} from '../shared/http-signatures/signature-fields';
import { SignatureRejectedError } from './errors';
import type { ClientKeyLookup } from './key-store';
import type { NonceStore } from './nonce-store';

/** A request signature the guard accepted. */
export interface VerifiedRequestSignature {
  readonly label: string;
  readonly keyId: string;
  readonly entry: SignatureInputEntry;
  /** The signature bytes (needed to cover `"signature";req` in the response signature). */
  readonly signature: Buffer;
}

export interface SignatureCheckInput {
  readonly request: HttpRequestParts;
  readonly body: Buffer;
  readonly caller: Caller | undefined;
  readonly settings: GuardSignatureSettings;
  readonly nowSeconds: number;
  readonly keys: ClientKeyLookup;
  readonly nonces: NonceStore;
  /** Told the `keyid` once it is well-formed, so rejections can be logged with it. */
  readonly onKeyId?: (keyId: string) => void;
}

const MAX_NONCE_LENGTH = 256;

/**
 * Why the covered components do not meet the policy, or undefined when they do: `@method`;
 * `@target-uri` or `@authority` + `@path` + `@query`; `content-digest` and `content-type` with a
 * body; `authorization` when the request carries one. Components must be plain (no parameters).
 */
export function coverageProblem(
  entry: SignatureInputEntry,
  request: HttpRequestParts,
  hasBody: boolean,
): string | undefined {
  const covers = (name: string): boolean => entry.components.some((c) => isPlainComponent(c, name));
  if (!covers('@method')) return '@method';
  if (!covers('@target-uri') && !(covers('@authority') && covers('@path') && covers('@query'))) {
    return '@target-uri';
  }
  if (hasBody && !covers('content-digest')) return 'content-digest';
  if (hasBody && !covers('content-type')) return 'content-type';
  if (request.headers.has('authorization') && !covers('authorization')) return 'authorization';
  return undefined;
}

function pickSignature(
  request: HttpRequestParts,
  maxBytes: number,
): { entry: SignatureInputEntry; signature: Buffer } {
  const inputField = combinedField(request.headers, 'signature-input');
  const signatureField = combinedField(request.headers, 'signature');
  if (inputField === undefined || signatureField === undefined)
    throw new SignatureRejectedError('sig_missing');
  if (Buffer.byteLength(inputField) > maxBytes || Buffer.byteLength(signatureField) > maxBytes) {
    throw new SignatureRejectedError('sig_invalid', 'header_too_large');
  }
  let entries;
  let signatures;
  try {
    entries = parseSignatureInput(inputField);
    signatures = parseSignatureField(signatureField);
  } catch (cause) {
    throw new SignatureRejectedError('sig_invalid', 'syntax', { cause });
  }
  for (const entry of entries.values()) {
    const signature = signatures.get(entry.label);
    if (signature !== undefined) return { entry, signature };
  }
  throw new SignatureRejectedError('sig_invalid', 'no_matching_label');
}

/**
 * Verifies the RFC 9421 signature of a request. Order: parse → parameters → coverage → time →
 * key (status, owner, algorithm) → Content-Digest → signature → nonce (only a verified request
 * can consume a nonce). Throws SignatureRejectedError (401) or DependencyUnavailableError (503).
 */
export async function checkRequestSignature(input: SignatureCheckInput): Promise<VerifiedRequestSignature> {
  const { request, body, settings, nowSeconds } = input;
  const { entry, signature } = pickSignature(request, settings.maxSignatureHeaderBytes);
  const { keyid, created, expires, nonce, alg } = entry.params;

  if (keyid === undefined || !keyIdSchema.safeParse(keyid).success) {
    throw new SignatureRejectedError('sig_invalid', 'keyid');
  }
  input.onKeyId?.(keyid);
  if (created === undefined) throw new SignatureRejectedError('sig_invalid', 'created_missing');
  if (nonce === undefined || nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
    throw new SignatureRejectedError('sig_invalid', 'nonce');
  }
  const missing = coverageProblem(entry, request, body.length > 0);
  if (missing !== undefined) throw new SignatureRejectedError('sig_invalid', `coverage:${missing}`);

  if (created > nowSeconds + settings.futureSkewSeconds)
    throw new SignatureRejectedError('stale', 'created_in_future');
  if (created < nowSeconds - settings.windowSeconds)
    throw new SignatureRejectedError('stale', 'created_too_old');
  if (expires !== undefined) {
    if (expires < created) throw new SignatureRejectedError('sig_invalid', 'expires_before_created');
    if (expires <= nowSeconds) throw new SignatureRejectedError('stale', 'expired');
  }

  const key = await input.keys.find(keyid);
  if (key === undefined) throw new SignatureRejectedError('unknown_key');
  if (key.record.status !== 'active') throw new SignatureRejectedError('key_revoked');
  const caller = input.caller;
  if (caller === undefined) throw new SignatureRejectedError('key_not_owned', 'no_caller');
  if (key.record.ownerClientId !== caller.clientId && key.record.ownerClientId !== caller.sub) {
    throw new SignatureRejectedError('key_not_owned');
  }
  const algorithm = key.record.algorithm;
  if (!settings.algorithms.includes(algorithm))
    throw new SignatureRejectedError('sig_invalid', 'algorithm_not_allowed');
  if (alg !== undefined && alg !== algorithm) throw new SignatureRejectedError('sig_invalid', 'alg_mismatch');

  const digestField = combinedField(request.headers, 'content-digest');
  if (body.length > 0 && digestField === undefined)
    throw new SignatureRejectedError('digest_mismatch', 'missing');
  if (digestField !== undefined) {
    let outcome;
    try {
      outcome = checkContentDigest(digestField, body, settings.digestAlgorithms);
    } catch (cause) {
      throw new SignatureRejectedError('digest_mismatch', 'syntax', { cause });
    }
    if (outcome !== 'match') throw new SignatureRejectedError('digest_mismatch', outcome);
  }

  let valid: boolean;
  try {
    valid = verifyMessageSignature({ kind: 'request', request }, entry, signature, algorithm, key.publicKey);
  } catch (cause) {
    if (cause instanceof HttpSignatureError)
      throw new SignatureRejectedError('sig_invalid', 'component', { cause });
    throw cause;
  }
  if (!valid) throw new SignatureRejectedError('sig_invalid', 'bad_signature');

  const fresh = await input.nonces.claim(keyid, nonce, created + settings.windowSeconds);
  if (!fresh) throw new SignatureRejectedError('replay');
  return { label: entry.label, keyId: keyid, entry, signature };
}
