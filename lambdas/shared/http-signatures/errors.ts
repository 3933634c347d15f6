/**
 * Errors of the RFC 9421 / RFC 9530 toolkit. Callers branch on the class, never on message text.
 * Messages never contain header values, signatures or bodies.
 */
export abstract class HttpSignatureError extends Error {}

/** A `Signature-Input`, `Signature` or `Content-Digest` field is not a valid structured field or misses a member. */
export class SignatureSyntaxError extends HttpSignatureError {
  override readonly name = 'SignatureSyntaxError';
}

/** A covered component cannot be derived from the message (absent field, unsupported component or parameter). */
export class ComponentError extends HttpSignatureError {
  override readonly name = 'ComponentError';
}

/** A key cannot be used for signatures (wrong type, curve, private members in a public JWK). */
export class KeyError extends HttpSignatureError {
  override readonly name = 'KeyError';
}
