import { Duration } from 'aws-cdk-lib';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { IDENTITY_HEADER } from './identity-validation';

/** Properties of {@link httpApiJwtAuthorizer}. */
export interface HttpApiJwtAuthorizerProps {
  /** The authorizer function (e.g. `JwtAuthorizer.handler`, or the `AuthorizerFunctionArn` output imported). */
  readonly handler: lambda.IFunction;
  /** Name of the authorizer in API Gateway. @default 'JwtAuthorizer' */
  readonly authorizerName?: string;
}

/**
 * The product's JWT authorizer on an HTTP API: a REQUEST Lambda authorizer, payload format 2.0,
 * simple responses (`{ isAuthorized, context }`), identity source the `Authorization` header.
 *
 * The result cache is off: a simple response is cached per identity source (the token) for every
 * route, but the decision is route-specific, so a cached "allow" for one route would be reused on
 * routes the token may not call. HTTP APIs have no WAF, no usage plans / API keys, no TOKEN identity
 * validation regex and no gateway responses; see docs/stack.md.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
export function httpApiJwtAuthorizer(id: string, props: HttpApiJwtAuthorizerProps): HttpLambdaAuthorizer {
  return new HttpLambdaAuthorizer(id, props.handler, {
    authorizerName: props.authorizerName ?? 'JwtAuthorizer',
    identitySource: [`$request.header.${IDENTITY_HEADER}`],
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    resultsCacheTtl: Duration.seconds(0),
  });
}
