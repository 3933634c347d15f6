import {
  publicKeyFromJwk,
  verifyBase,
  type SignatureAlgorithm,
} from '../lambdas/shared/http-signatures/algorithms';
import { isPlainComponent, serializeComponentIdentifier } from '../lambdas/shared/http-signatures/components';
import { checkContentDigest } from '../lambdas/shared/http-signatures/content-digest';
import { HttpSignatureError } from '../lambdas/shared/http-signatures/errors';
import { signatureAlgorithmForJwk } from '../lambdas/shared/http-signatures/jwk';
import { headerMap, requestPartsFromUrl, type HeaderMap } from '../lambdas/shared/http-signatures/message';
import { combinedField } from '../lambdas/shared/http-signatures/message-signature';
import { createSignatureBase } from '../lambdas/shared/http-signatures/signature-base';
import { parseSignatureField, parseSignatureInput } from '../lambdas/shared/http-signatures/signature-fields';
import { ResponseVerificationError } from './errors';
import type { SignedRequest } from './sign-request';

/** The guard's response-signing keys as published at its JWKS route. */
export interface ResponseJwks {
  readonly keys: readonly {
    readonly kid?: unknown;
    readonly crv?: unknown;
    readonly [member: string]: unknown;
  }[];
}

export interface ReceivedResponse {
  readonly status: number;
  /** Response headers: a fetch `Headers`, or a record (any case). */
  readonly headers: Headers | Readonly<Record<string, string | readonly string[]>>;
  readonly body: string | Uint8Array;
}

export interface VerifyResponseOptions {
  readonly response: ReceivedResponse;
  /** The signed request this response answers (as returned by signRequest). */
  readonly request: SignedRequest;
  readonly jwks: ResponseJwks;
  /** Epoch seconds. @default now */
  readonly now?: number;
  /** Largest accepted age of the response signature. @default 300 */
  readonly maxAgeSeconds?: number;
  /** @default 'guard' */
  readonly label?: string;
}

function toHeaderMap(headers: ReceivedResponse['headers']): HeaderMap {
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    const record: Record<string, string> = {};
    (headers as Headers).forEach((value, name) => {
      Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
    });
    return headerMap(record);
  }
  return headerMap(headers as Readonly<Record<string, string | readonly string[]>>);
}

/**
 * Verifies the guard's RFC 9421 response signature: it must cover `@status`, `content-digest`,
 * `content-type` (when the response has one) and this request's signature (`"signature";req;key=…`);
 * the Content-Digest must match the body; `created` must be recent; the key must be in the JWKS.
 * Returns the key id; throws {@link ResponseVerificationError}.
 */
export function verifyResponse(options: VerifyResponseOptions): { keyId: string } {
  const label = options.label ?? 'guard';
  const headers = toHeaderMap(options.response.headers);
  const inputField = combinedField(headers, 'signature-input');
  const signatureField = combinedField(headers, 'signature');
  if (inputField === undefined || signatureField === undefined)
    throw new ResponseVerificationError('sig_missing');
  let entry;
  let signature;
  try {
    entry = parseSignatureInput(inputField).get(label);
    signature = parseSignatureField(signatureField).get(label);
  } catch (cause) {
    throw new ResponseVerificationError('sig_invalid', { cause });
  }
  if (entry === undefined || signature === undefined) throw new ResponseVerificationError('sig_missing');

  const covers = (name: string): boolean => entry.components.some((c) => isPlainComponent(c, name));
  const coversRequestSignature = entry.components.some(
    (c) =>
      serializeComponentIdentifier(c) ===
      serializeComponentIdentifier({
        name: 'signature',
        params: new Map<string, string | boolean>([
          ['req', true],
          ['key', options.request.label],
        ]),
      }),
  );
  if (!covers('@status') || !covers('content-digest') || !coversRequestSignature) {
    throw new ResponseVerificationError('coverage');
  }
  if (headers.has('content-type') && !covers('content-type')) throw new ResponseVerificationError('coverage');

  const now = options.now ?? Math.floor(Date.now() / 1000);
  const created = entry.params.created;
  if (created === undefined || created > now + 60 || created < now - (options.maxAgeSeconds ?? 300)) {
    throw new ResponseVerificationError('stale');
  }

  const jwk = options.jwks.keys.find((k) => k.kid === entry.params.keyid);
  if (jwk === undefined || entry.params.keyid === undefined)
    throw new ResponseVerificationError('unknown_key');
  const algorithm: SignatureAlgorithm | undefined = signatureAlgorithmForJwk(jwk);
  if (algorithm === undefined) throw new ResponseVerificationError('unknown_key');
  if (entry.params.alg !== undefined && entry.params.alg !== algorithm)
    throw new ResponseVerificationError('sig_invalid');

  const body =
    typeof options.response.body === 'string' ? Buffer.from(options.response.body) : options.response.body;
  const digest = combinedField(headers, 'content-digest');
  if (digest === undefined) throw new ResponseVerificationError('digest_mismatch');
  try {
    if (checkContentDigest(digest, body, ['sha-256', 'sha-512']) !== 'match') {
      throw new ResponseVerificationError('digest_mismatch');
    }
  } catch (cause) {
    if (cause instanceof ResponseVerificationError) throw cause;
    throw new ResponseVerificationError('digest_mismatch', { cause });
  }

  const request = requestPartsFromUrl(
    options.request.method,
    new URL(options.request.url),
    headerMap(options.request.headers),
  );
  let valid: boolean;
  try {
    const publicKey = publicKeyFromJwk(jwk as Parameters<typeof publicKeyFromJwk>[0]);
    const base = createSignatureBase(
      { kind: 'response', response: { status: options.response.status, headers }, request },
      entry.components,
      entry.rawParams,
    );
    valid = verifyBase(algorithm, publicKey, base, signature);
  } catch (cause) {
    if (cause instanceof HttpSignatureError) throw new ResponseVerificationError('sig_invalid', { cause });
    throw cause;
  }
  if (!valid) throw new ResponseVerificationError('sig_invalid');
  return { keyId: entry.params.keyid };
}
