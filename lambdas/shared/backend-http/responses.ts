import type { APIGatewayProxyResult } from 'aws-lambda';

/** Media type of error bodies (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

/** Headers on every backend response. */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** A JSON success response. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A problem document (RFC 9457). Only client-safe text goes in; never an error object. */
export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** Machine-readable reason code, e.g. `order_not_found`. */
  readonly code: string;
  /** Offending field, for validation errors. */
  readonly field?: string;
}

/** An `application/problem+json` response. */
export function problemResponse(
  problem: Problem,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  const body = {
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    ...(problem.field === undefined ? {} : { field: problem.field }),
    requestId,
  };
  return {
    statusCode: problem.status,
    headers: { ...BASE_HEADERS, ...headers, 'Content-Type': PROBLEM_JSON },
    body: JSON.stringify(body),
  };
}

/** The generic 500 body: nothing about the failure leaves the function. */
export const INTERNAL_ERROR: Problem = {
  status: 500,
  title: 'Internal Server Error',
  detail: 'The request could not be completed.',
  code: 'internal_error',
};
