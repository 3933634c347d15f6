import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders, requestOrigin, type BackendCors } from '../shared/backend-http/cors';
import { jsonResponse, problemResponse } from '../shared/backend-http/responses';
import { readCaller } from '../shared/contracts/authorizer-context';
import { buildProfile } from './profile';

/** The REST proxy handler of `GET /profile`. */
export function createProfileHandler(deps: {
  readonly cors: BackendCors;
}): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return (event) => {
    const headers = corsHeaders(requestOrigin(event.headers), deps.cors);
    const requestId = event.requestContext.requestId;
    if (event.httpMethod !== 'GET' || event.resource !== '/profile') {
      return Promise.resolve(
        problemResponse(
          {
            status: 404,
            title: 'Not Found',
            detail: 'No such resource or method.',
            code: 'unsupported_route',
          },
          requestId,
          headers,
        ),
      );
    }
    const caller = readCaller(event.requestContext.authorizer);
    if (caller === undefined) {
      return Promise.resolve(
        problemResponse(
          {
            status: 401,
            title: 'Unauthorized',
            detail: 'The request carries no verified caller.',
            code: 'no_caller',
          },
          requestId,
          headers,
        ),
      );
    }
    return Promise.resolve(jsonResponse(200, buildProfile(caller), headers));
  };
}
