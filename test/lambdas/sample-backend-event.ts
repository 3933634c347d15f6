import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A REST proxy event (payload v1) as API Gateway sends it to a backend, for the sample backend tests. */
export function proxyEvent(options: {
  method: string;
  resource: string;
  path?: string;
  pathParameters?: Record<string, string>;
  authorizer?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    resource: options.resource,
    path: options.path ?? options.resource,
    httpMethod: options.method,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      requestId: 'req-test',
      stage: 'prod',
      resourcePath: options.resource,
      httpMethod: options.method,
      apiId: 'a1b2c3d4e5',
      authorizer: options.authorizer === null ? undefined : options.authorizer,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** An authorizer context as a backend receives it (every value a string). */
export function authorizerContext(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    principalId: 'alice',
    sub: 'alice',
    iss: 'https://idp.example.com',
    roles: 'orders:read',
    scopes: '',
    clientId: 'web',
    jti: 'jti-1',
    tenant: '',
    exp: '1900000000',
    ...overrides,
  };
}
