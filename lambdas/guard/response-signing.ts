import type { APIGatewayProxyResult } from 'aws-lambda';
import { component } from '../shared/http-signatures/components';
import { contentDigestHeader } from '../shared/http-signatures/content-digest';
import { headerMap, type HttpRequestParts } from '../shared/http-signatures/message';
import { createMessageSignature } from '../shared/http-signatures/message-signature';
import type { ResponseSigner } from './response-signer';
import type { VerifiedRequestSignature } from './signature-check';

/** Label of the guard's response signature in `Signature-Input` / `Signature`. */
export const RESPONSE_SIGNATURE_LABEL = 'guard';

const OWNED_HEADERS = new Set(['content-digest', 'signature', 'signature-input']);

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (OWNED_HEADERS.has(name.toLowerCase())) continue;
    Object.defineProperty(out, name, {
      value: String(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function stringMultiHeaders(
  headers: APIGatewayProxyResult['multiValueHeaders'],
): Record<string, string[]> | undefined {
  if (headers === undefined) return undefined;
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (OWNED_HEADERS.has(name.toLowerCase())) continue;
    Object.defineProperty(out, name, {
      value: values.map((v) => String(v)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Signs a backend response (RFC 9421 §2.4): a `Content-Digest` (sha-256) of the body is added, then
 * a signature labelled `guard` over `@status`, `content-digest`, `content-type` (when present),
 * `"@method";req` and `"signature";req;key="<request label>"`, which binds the response to the
 * exact request signature. A backend cannot set these headers itself: its values are dropped.
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
  const headers = stringHeaders(result.headers);
  const multiValueHeaders = stringMultiHeaders(result.multiValueHeaders);
  headers['Content-Digest'] = contentDigestHeader(body, ['sha-256']);
  const responseHeaders = headerMap(multiValueHeaders, headers);

  const components = [component('@status'), component('content-digest')];
  if (responseHeaders.has('content-type')) components.push(component('content-type'));
  components.push(
    component('@method', { req: true }),
    component('signature', { req: true, key: verified.label }),
  );

  const signature = await createMessageSignature({
    subject: { kind: 'response', response: { status: result.statusCode, headers: responseHeaders }, request },
    label: RESPONSE_SIGNATURE_LABEL,
    components,
    params: { created: nowSeconds, keyid: await signer.keyId(), alg: signer.algorithm },
    sign: (base) => signer.sign(base),
  });
  headers['Signature-Input'] = signature.signatureInput;
  headers.Signature = signature.signature;
  return {
    ...result,
    headers,
    ...(multiValueHeaders === undefined ? {} : { multiValueHeaders }),
  };
}
