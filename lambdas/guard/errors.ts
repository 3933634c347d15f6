import type { Problem } from '../shared/backend-http/responses';

/**
 * Why a request signature was rejected: sent as the `code` of the 401 problem document (listed in
 * docs/guard.md) and logged; only the finer `logDetail` stays in the log.
 */
export const SIGNATURE_REASONS = [
  'sig_missing',
  'sig_invalid',
  'digest_mismatch',
  'stale',
  'replay',
  'unknown_key',
  'key_revoked',
  'key_not_owned',
] as const;
export type SignatureReason = (typeof SIGNATURE_REASONS)[number];

export type GuardReason =
  | SignatureReason
  | 'malformed_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'schema_violation'
  | 'route_not_found'
  | 'dependency_unavailable'
  | 'backend_failure';

/**
 * Base of every error the guard raises on purpose. Carries the HTTP status, a reason code and
 * client-safe text only; never a token, signature, body or raw input.
 */
export abstract class GuardError extends Error {
  abstract readonly reason: GuardReason;
  abstract readonly status: number;
  abstract readonly title: string;
  /** Client-safe explanation. */
  abstract readonly detail: string;
  /** Offending field (`body.quantity`, `query.limit`, `header content-type`) for 400/413/415/422. */
  readonly field?: string;

  constructor(message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options);
    if (options?.field !== undefined) this.field = options.field;
  }

  toProblem(): Problem {
    return {
      status: this.status,
      title: this.title,
      detail: this.detail,
      code: this.reason,
      ...(this.field === undefined ? {} : { field: this.field }),
    };
  }
}

/** 400: not well-formed (JSON syntax, forbidden key, repeated query parameter). */
export class MalformedRequestError extends GuardError {
  override readonly name = 'MalformedRequestError';
  readonly reason = 'malformed_request';
  readonly status = 400;
  readonly title = 'Bad Request';
  readonly detail: string;
  constructor(detail: string, options?: { cause?: unknown; field?: string }) {
    super('malformed request', options);
    this.detail = detail;
  }
}

/** 413: the body is larger than the route allows. */
export class PayloadTooLargeError extends GuardError {
  override readonly name = 'PayloadTooLargeError';
  readonly reason = 'payload_too_large';
  readonly status = 413;
  readonly title = 'Content Too Large';
  readonly detail = 'The request body is larger than this route accepts.';
  override readonly field = 'body';
}

/** 415: the body's media type is not on the route's allowlist. */
export class UnsupportedMediaTypeError extends GuardError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly reason = 'unsupported_media_type';
  readonly status = 415;
  readonly title = 'Unsupported Media Type';
  readonly detail = 'The request body media type is not accepted by this route.';
  override readonly field = 'header content-type';
}

/** 422: well-formed but not valid for the route's schema. */
export class SchemaViolationError extends GuardError {
  override readonly name = 'SchemaViolationError';
  readonly reason = 'schema_violation';
  readonly status = 422;
  readonly title = 'Unprocessable Content';
  readonly detail: string;
  override readonly field: string;
  constructor(field: string, detail: string, options?: { cause?: unknown }) {
    super('schema violation', { ...options, field });
    this.field = field;
    this.detail = detail;
  }
}

/** 401: the request signature was missing or rejected; `reason` says why (sent as `code`, and logged). */
export class SignatureRejectedError extends GuardError {
  override readonly name = 'SignatureRejectedError';
  readonly status = 401;
  readonly title = 'Unauthorized';
  readonly detail = 'The request signature is missing or was rejected.';
  readonly reason: SignatureReason;
  /** Log-only refinement (`created_in_future`, `coverage`, `expired`), never sent to the client. */
  readonly logDetail: string | undefined;
  /**
   * Response headers telling the client how to sign (`Accept-Signature`, `Want-Content-Digest`);
   * set by the guard, which knows the request, before the error reaches the error mapper.
   */
  challenge: Readonly<Record<string, string>> = {};
  constructor(reason: SignatureReason, logDetail?: string, options?: { cause?: unknown }) {
    super(`signature rejected: ${reason}`, options);
    this.reason = reason;
    this.logDetail = logDetail;
  }
}

/** 404: the guard has no configuration for this route; nothing is forwarded. */
export class RouteNotGuardedError extends GuardError {
  override readonly name = 'RouteNotGuardedError';
  readonly reason = 'route_not_found';
  readonly status = 404;
  readonly title = 'Not Found';
  readonly detail = 'No such resource or method.';
}

/**
 * 503: a dependency (DynamoDB, KMS) failed; the guard fails closed. A DynamoDB failure comes before
 * the backend is called; a KMS failure while signing the response comes after it (no unsigned
 * response is sent on a signed route).
 */
export class DependencyUnavailableError extends GuardError {
  override readonly name = 'DependencyUnavailableError';
  readonly reason = 'dependency_unavailable';
  readonly status = 503;
  readonly title = 'Service Unavailable';
  readonly detail = 'The request could not be checked right now; try again later.';
  /** Which dependency failed (logged). */
  readonly dependency: 'client_keys' | 'nonces' | 'response_signer';
  constructor(dependency: DependencyUnavailableError['dependency'], options?: { cause?: unknown }) {
    super(`dependency unavailable: ${dependency}`, options);
    this.dependency = dependency;
  }
}

/**
 * 502: the backend failed, returned something that is not a proxy result, or returned a response
 * the guard cannot sign (a covered header such as `Content-Type` outside visible ASCII).
 */
export class BackendFailureError extends GuardError {
  override readonly name = 'BackendFailureError';
  readonly reason = 'backend_failure';
  readonly status = 502;
  readonly title = 'Bad Gateway';
  readonly detail = 'The request could not be completed.';
}
