import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders, requestOrigin, type BackendCors } from '../shared/backend-http/cors';
import { jsonResponse, problemResponse } from '../shared/backend-http/responses';
import { health } from './health';

/** The REST proxy handler of `GET /health`. */
export function createHealthHandler(deps: {
  readonly cors: BackendCors;
  readonly service: string;
  readonly startedAt: Date;
  readonly now: () => Date;
}): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return (event) => {
    const headers = corsHeaders(requestOrigin(event.headers), deps.cors);
    if (event.httpMethod !== 'GET' && event.httpMethod !== 'HEAD') {
      return Promise.resolve(
        problemResponse(
          { status: 405, title: 'Method Not Allowed', detail: 'Use GET.', code: 'method_not_allowed' },
          event.requestContext.requestId,
          { ...headers, Allow: 'GET, HEAD' },
        ),
      );
    }
    return Promise.resolve(jsonResponse(200, health(deps.service, deps.startedAt, deps.now()), headers));
  };
}
