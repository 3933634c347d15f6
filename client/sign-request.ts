import { randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import {
  algorithmForKey,
  signBase,
  type SignatureAlgorithm,
} from '../lambdas/shared/http-signatures/algorithms';
import { component, type ComponentIdentifier } from '../lambdas/shared/http-signatures/components';
import { contentDigestHeader, type DigestAlgorithm } from '../lambdas/shared/http-signatures/content-digest';
import { KeyError } from '../lambdas/shared/http-signatures/errors';
import { canonicalQuery, headerMap, requestPartsFromUrl } from '../lambdas/shared/http-signatures/message';
import { createMessageSignature } from '../lambdas/shared/http-signatures/message-signature';
import { loadPrivateKey } from './keys';

/** The key a client signs with: its id in the edge's client-key table and the private key. */
export interface ClientSigningKey {
  readonly keyId: string;
  /** A KeyObject, a private JWK or PKCS#8 PEM text (Ed25519 or P-256). */
  readonly privateKey: KeyObject | JsonWebKey | string;
}

export interface SignRequestOptions {
  readonly method: string;
  readonly url: string | URL;
  /** Request headers (e.g. `Authorization`, `Content-Type`). Covered when present: authorization, content-type. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly key: ClientSigningKey;
  /** @default 'sig1' */
  readonly label?: string;
  /** Epoch seconds. @default now */
  readonly created?: number;
  /** Epoch seconds; `null` sends no `expires`. @default created + 60 */
  readonly expires?: number | null;
  /** @default 144 random bits, base64url */
  readonly nonce?: string;
  /** Cover `@target-uri` (default) or `@authority` + `@path` + `@query`. */
  readonly coverage?: 'target-uri' | 'authority-path-query';
  /** @default ['sha-256'] */
  readonly digestAlgorithms?: readonly DigestAlgorithm[];
  /** Extra header fields to cover (lower case), e.g. `['x-request-id']`. */
  readonly extraComponents?: readonly string[];
}

/** A signed request, ready to send (keep it to verify the signed response). */
export interface SignedRequest {
  readonly method: string;
  /** The URL to send, with its query in the canonical form the guard rebuilds. */
  readonly url: string;
  /** Every header to send, including Content-Digest, Signature-Input and Signature. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  readonly label: string;
  readonly algorithm: SignatureAlgorithm;
}

/**
 * The URL with its query rewritten in the canonical form (see `canonicalQuery`): API Gateway hands
 * the guard decoded, grouped parameters, so only this form can be signed reproducibly.
 */
export function canonicalUrl(url: string | URL): URL {
  const parsed = new URL(url.toString());
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError('only http(s) URLs');
  parsed.hash = '';
  const query = canonicalQuery(parsed.searchParams.entries());
  parsed.search = query === '' ? '' : `?${query}`;
  return parsed;
}

/**
 * Signs a request per RFC 9421 the way the guard requires: `@method`, `@target-uri` (or `@authority`
 * `@path` `@query`), `authorization` and, with a body, `content-type` and `content-digest` (RFC 9530);
 * parameters `created`, `expires`, `nonce`, `keyid`, `alg`.
 */
export async function signRequest(options: SignRequestOptions): Promise<SignedRequest> {
  const privateKey = loadPrivateKey(options.key.privateKey);
  const algorithm = algorithmForKey(privateKey);
  if (algorithm === undefined) throw new KeyError('expected an Ed25519 or P-256 private key');
  const url = canonicalUrl(options.url);
  const method = options.method.toUpperCase();
  const label = options.label ?? 'sig1';
  const body =
    options.body === undefined
      ? undefined
      : Buffer.from(typeof options.body === 'string' ? options.body : options.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'signature' || lower === 'signature-input' || lower === 'content-digest') continue;
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  const names = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  const hasBody = body !== undefined && body.length > 0;
  if (hasBody) {
    if (!names.has('content-type')) headers['Content-Type'] = 'application/json';
    headers['Content-Digest'] = contentDigestHeader(body, options.digestAlgorithms ?? ['sha-256']);
  }
  const components: ComponentIdentifier[] = [component('@method')];
  if (options.coverage === 'authority-path-query') {
    components.push(component('@authority'), component('@path'), component('@query'));
  } else {
    components.push(component('@target-uri'));
  }
  if (names.has('authorization')) components.push(component('authorization'));
  if (hasBody) components.push(component('content-type'), component('content-digest'));
  for (const extra of options.extraComponents ?? []) components.push(component(extra.toLowerCase()));

  const created = options.created ?? Math.floor(Date.now() / 1000);
  const expires = options.expires === null ? undefined : (options.expires ?? created + 60);
  const nonce = options.nonce ?? randomBytes(18).toString('base64url');
  const request = requestPartsFromUrl(method, url, headerMap(headers));
  const signature = await createMessageSignature({
    subject: { kind: 'request', request },
    label,
    components,
    params: {
      created,
      ...(expires === undefined ? {} : { expires }),
      nonce,
      keyid: options.key.keyId,
      alg: algorithm,
    },
    sign: (base) => signBase(algorithm, privateKey, base.toString('utf8')),
  });
  headers['Signature-Input'] = signature.signatureInput;
  headers.Signature = signature.signature;
  return { method, url: url.toString(), headers, body: hasBody ? body : undefined, label, algorithm };
}
