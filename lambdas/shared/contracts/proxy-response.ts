/**
 * The `Content-Type` API Gateway (REST, Lambda proxy integration) gives a response whose Lambda set
 * none. The request guard sets it itself before signing, so that the signature covers the header
 * the client receives; the local gateway adds it like API Gateway does.
 */
export const DEFAULT_PROXY_CONTENT_TYPE = 'application/json';
