import type { APIGatewayProxyResult } from 'aws-lambda';
import { mergeProxyHeaderMaps, setOwn } from '../shared/backend-http/proxy-headers';
import { DEFAULT_PROXY_CONTENT_TYPE } from '../shared/contracts/proxy-response';
import { component } from '../shared/http-signatures/components';
import { contentDigestHeader } from '../shared/http-signatures/content-digest';
import { ComponentError } from '../shared/http-signatures/errors';
import { headerMap, type HttpRequestParts } from '../shared/http-signatures/message';
import { createMessageSignature } from '../shared/http-signatures/message-signature';
import { BackendFailureError } from './errors';
import type { ResponseSigner } from './response-signer';
import type { VerifiedRequestSignature } from './signature-check';

/** Label of the guard's response signature in `Signature-Input` / `Signature`. */
export const RESPONSE_SIGNATURE_LABEL = 'guard';

const OWNED_HEADERS = new Set(['content-digest', 'signature', 'signature-input']);

/** A backend's response headers after the merge: every name is in exactly one of the two maps. */
export interface MergedProxyHeaders {
  /** Names with one value that the backend set in `headers` only. */
  readonly headers: Record<string, string>;
  /** Names the backend set in `multiValueHeaders`, or with more than one value. */
  readonly multiValueHeaders: Record<string, string[]>;
}

/**
 * Merges a proxy result's `headers` and `multiValueHeaders` the way API Gateway does, with the rule
 * the local gateway uses too (`mergeProxyHeaderMaps`). The result holds each name once, so any
 * gateway merge of it is the identity and what the guard signs is what the client receives. The
 * guard-owned `Content-Digest`, `Signature` and `Signature-Input` a backend sets are dropped.
 */
export function mergeProxyHeaders(
  result: Pick<APIGatewayProxyResult, 'headers' | 'multiValueHeaders'>,
): MergedProxyHeaders {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const { name, values, multi } of mergeProxyHeaderMaps(result, OWNED_HEADERS)) {
    if (multi || values.length > 1) setOwn(multiValueHeaders, name, [...values]);
    else setOwn(headers, name, values[0] ?? '');
  }
  return { headers, multiValueHeaders };
}

/**
 * Signs a backend response (RFC 9421 §2.4): a `Content-Digest` (sha-256) of the body is added, then
 * a signature labelled `guard` over `@status`, `content-digest`, `content-type` (the backend's, or
 * API Gateway's default `application/json` when it set none, which the guard then sets itself),
 * `"@method";req` and `"signature";req;key="<request label>"`, which binds the response to the
 * exact request signature. A backend cannot set these headers itself: its values are dropped.
 *
 * The backend's two header maps are merged first ({@link mergeProxyHeaders}) and only the merged
 * maps are returned, so the signed `content-type` is exactly the one the client receives.
 * A covered backend header that cannot go into a signature base (a `Content-Type` with a value
 * outside visible ASCII, or a line break) is the backend's fault: BackendFailureError (502).
 */
export async function signProxyResponse(
  result: APIGatewayProxyResult,
  request: HttpRequestParts,
  verified: VerifiedRequestSignature,
  signer: ResponseSigner,
  nowSeconds: number,
): Promise<APIGatewayProxyResult> {
  const body =
    result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  const { headers, multiValueHeaders } = mergeProxyHeaders(result);
  // API Gateway would add its default Content-Type after the guard: set it here, inside the signature.
  const hasContentType = [...Object.keys(headers), ...Object.keys(multiValueHeaders)].some(
    (name) => name.toLowerCase() === 'content-type',
  );
  if (!hasContentType) headers['Content-Type'] = DEFAULT_PROXY_CONTENT_TYPE;
  headers['Content-Digest'] = contentDigestHeader(body, ['sha-256']);
  const responseHeaders = headerMap(multiValueHeaders, headers);

  const components = [component('@status'), component('content-digest')];
  if (responseHeaders.has('content-type')) components.push(component('content-type'));
  components.push(
    component('@method', { req: true }),
    component('signature', { req: true, key: verified.label }),
  );

  const keyid = await signer.keyId();
  let signature;
  try {
    signature = await createMessageSignature({
      subject: {
        kind: 'response',
        response: { status: result.statusCode, headers: responseHeaders },
        request,
      },
      label: RESPONSE_SIGNATURE_LABEL,
      components,
      params: { created: nowSeconds, keyid, alg: signer.algorithm },
      sign: (base) => signer.sign(base),
    });
  } catch (cause) {
    // Every component but the backend's content-type is the guard's own; the signer's errors pass.
    if (cause instanceof ComponentError)
      throw new BackendFailureError('backend response cannot be signed', { cause });
    throw cause;
  }
  headers['Signature-Input'] = signature.signatureInput;
  headers.Signature = signature.signature;
  const signed: APIGatewayProxyResult = { ...result, headers };
  delete signed.multiValueHeaders;
  if (Object.keys(multiValueHeaders).length > 0) signed.multiValueHeaders = multiValueHeaders;
  return signed;
}
