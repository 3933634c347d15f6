import type { Problem } from '../shared/backend-http/responses';

/** Reason codes of the orders service. */
export type OrdersReason =
  | 'no_caller'
  | 'insufficient_role'
  | 'order_not_found'
  | 'invalid_body'
  | 'malformed_body'
  | 'unsupported_route';

/** Base of every error the orders service raises on purpose. */
export abstract class OrdersError extends Error {
  abstract readonly reason: OrdersReason;
  abstract readonly status: number;
  /** Client-safe explanation. */
  abstract readonly detail: string;
  /** Offending field of a validation error. */
  readonly field?: string;

  /** The problem document this error maps to at the edge. */
  toProblem(): Problem {
    return {
      status: this.status,
      title: this.title(),
      detail: this.detail,
      code: this.reason,
      ...(this.field === undefined ? {} : { field: this.field }),
    };
  }

  private title(): string {
    switch (this.status) {
      case 400:
        return 'Bad Request';
      case 401:
        return 'Unauthorized';
      case 403:
        return 'Forbidden';
      case 404:
        return 'Not Found';
      default:
        return 'Unprocessable Content';
    }
  }
}

/** The request carries no authorizer context: the route was deployed without the authorizer. */
export class MissingCallerError extends OrdersError {
  override readonly name = 'MissingCallerError';
  readonly reason = 'no_caller';
  readonly status = 401;
  readonly detail = 'The request carries no verified caller.';
}

/** The caller lacks the role or scope the operation needs (defence in depth behind the authorizer). */
export class InsufficientRoleError extends OrdersError {
  override readonly name = 'InsufficientRoleError';
  readonly reason = 'insufficient_role';
  readonly status = 403;
  readonly detail = 'The caller may not perform this operation.';
}

/** No order with this id is visible to the caller (foreign orders look the same: no existence leak). */
export class OrderNotFoundError extends OrdersError {
  override readonly name = 'OrderNotFoundError';
  readonly reason = 'order_not_found';
  readonly status = 404;
  readonly detail = 'No such order.';
}

/** The request body is not a valid order. */
export class InvalidOrderError extends OrdersError {
  override readonly name = 'InvalidOrderError';
  readonly reason = 'invalid_body';
  readonly status = 422;
  readonly detail = 'The request body is not a valid order.';
  override readonly field: string;

  constructor(field: string, options?: { cause?: unknown }) {
    super('invalid order', options);
    this.field = field;
  }
}

/** The function was invoked for a method or resource it does not serve. */
export class UnsupportedRouteError extends OrdersError {
  override readonly name = 'UnsupportedRouteError';
  readonly reason = 'unsupported_route';
  readonly status = 404;
  readonly detail = 'No such resource or method.';
}

/** The request body is not JSON (or tries to set `__proto__`). */
export class MalformedBodyError extends OrdersError {
  override readonly name = 'MalformedBodyError';
  readonly reason = 'malformed_body';
  readonly status = 400;
  readonly detail = 'The request body must be a JSON object.';
}
