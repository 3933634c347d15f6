/**
 * The access-log format of the edge, as plain data (no CDK import) so the local gateway writes
 * exactly the same JSON lines as API Gateway.
 *
 * Each entry maps a JSON key to the API Gateway `$context` variable that fills it. Every value is
 * written as a JSON string (API Gateway prints `-` for an empty variable, which would break an
 * unquoted number). Deliberately absent: request and response headers, `$context.identity.apiKey`
 * (the key value), `$context.identity.*` credentials, caller and user ARNs, and anything that could
 * carry a token.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  stage: '$context.stage',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  principalId: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  authorizerLatency: '$context.authorizer.latency',
  authorizerStatus: '$context.authorizer.status',
  authorizerIntegrationLatency: '$context.authorizer.integrationLatency',
  wafStatus: '$context.waf.status',
  wafLatency: '$context.waf.latency',
  apiKeyId: '$context.identity.apiKeyId',
  errorType: '$context.error.responseType',
} as const;

export type AccessLogField = keyof typeof ACCESS_LOG_FIELDS;

/** One access-log line as the local gateway writes it: every field a string (`-` when empty). */
export type AccessLogRecord = Record<AccessLogField, string>;

/** The `$context` variables an access-log format may use from `$context.identity`. */
export const ALLOWED_IDENTITY_VARIABLES = [
  '$context.identity.sourceIp',
  '$context.identity.apiKeyId',
] as const;

/** The format string given to API Gateway: one JSON object per line. */
export function accessLogFormatString(): string {
  const parts = Object.entries(ACCESS_LOG_FIELDS).map(([key, variable]) => `"${key}":"${variable}"`);
  return `{${parts.join(',')}}`;
}
