import type { MiddlewareObj } from '../shared/middy';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { INTERNAL_ERROR, problemResponse } from '../shared/backend-http/responses';
import { DependencyUnavailableError, GuardError, SignatureRejectedError } from './errors';
import type { GuardLogger } from './guard-logger';

/** Ids the guard may log with an outcome: never a token, signature or body. */
export interface GuardLogContext {
  requestId?: string;
  route?: string;
  method?: string;
  resource?: string;
  sub?: string;
  clientId?: string;
  keyId?: string;
  /** The backend's status code, once the backend has answered (it may have acted on the request). */
  backendStatus?: number;
}

/**
 * The guard's one error-mapping middleware: a GuardError becomes its problem+json response (RFC 9457,
 * client-safe text and the reason code only; a 401 adds the signing challenge, Accept-Signature and
 * Want-Content-Digest); anything else becomes a generic 500.
 * The reason code (and its log-only detail) goes to the log with the request's ids.
 */
export function errorMapper(
  logger: GuardLogger,
  contextFor: (event: APIGatewayProxyEvent) => GuardLogContext | undefined,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    name: 'guard-error-mapper',
    onError: (request) => {
      const error = request.error;
      const context = contextFor(request.event) ?? {};
      const requestId = context.requestId ?? '';
      if (error instanceof GuardError) {
        const attributes: Record<string, unknown> = {
          ...context,
          reason: error.reason,
          status: error.status,
        };
        if (error instanceof SignatureRejectedError && error.logDetail !== undefined)
          attributes.detail = error.logDetail;
        if (error instanceof DependencyUnavailableError) attributes.dependency = error.dependency;
        if (error.field !== undefined) attributes.field = error.field;
        if (error.status >= 500) logger.error('guard rejected request', attributes);
        else logger.warn('guard rejected request', attributes);
        const headers = error instanceof SignatureRejectedError ? error.challenge : {};
        request.response = problemResponse(error.toProblem(), requestId, headers);
        return;
      }
      logger.error('guard failed', {
        ...context,
        reason: 'internal_error',
        errorName: error instanceof Error ? error.name : typeof error,
      });
      request.response = problemResponse(INTERNAL_ERROR, requestId);
    },
  };
}
