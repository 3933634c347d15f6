import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag (AwsSolutions) finding the edge acknowledges, with the reason, in one place so the
 * docs and reviews see them all. Each is applied to the narrowest construct it concerns.
 */
export const NAG_ACKNOWLEDGEMENTS = {
  publicMethodAuthorization: {
    id: 'AwsSolutions-APIG4',
    reason:
      'This method is public by design: CORS preflight (OPTIONS), or a route marked "public": true in auth.routes. ' +
      'The synth guard of the JwtAuthorizer fails the build for any other method without authorization.',
  },
  publicMethodCognito: {
    id: 'AwsSolutions-COG4',
    reason:
      'Public method (CORS preflight or a route marked public in auth.routes): no authorizer at all, by design.',
  },
  lambdaJwtAuthorizer: {
    id: 'AwsSolutions-COG4',
    reason:
      'Authorization is done by the product JWT Lambda authorizer (RFC 8725 checks, multi-issuer, RBAC), ' +
      'not a Cognito user pool authorizer; any OIDC issuer, Cognito included, is supported through it.',
  },
  xrayWildcard: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level ' +
      'permissions, so the CDK grants them on "*".',
  },
  bodyValidationInGuard: {
    id: 'AwsSolutions-APIG2',
    reason:
      'API Gateway validates request parameters on every method (request validator); request bodies are validated ' +
      'by the request guard Lambda with per-route zod schemas (unknown fields rejected, size and content-type ' +
      'limits), which JSON-schema models cannot express as strictly. A body validator without models would check nothing.',
  },
  apiGatewayCloudWatchRole: {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-level logging role uses the AWS managed policy AWS documents for it; it is needed " +
      'for execution and access logs and can be switched off with api.logging.manageAccountCloudWatchRole.',
  },
} as const satisfies Record<string, { id: string; reason: string }>;

/** One acknowledgement: the finding id and why it is acceptable. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges findings on a construct (and its children), each with its recorded reason. */
export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  for (const { id, reason } of acks) Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges a finding whose id is only known at synth (e.g. an IAM5 finding naming a resource). */
export function acknowledgeWithReason(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
