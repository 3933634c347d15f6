import { App, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { httpApiJwtAuthorizer } from '../../lib/http-api-jwt-authorizer';

describe('HTTP API authorizer', () => {
  it('happy flow: a REQUEST authorizer, payload 2.0, simple responses, Authorization header, no cache', () => {
    const stack = new Stack(new App(), 'Http', { env: { account: '123456789012', region: 'eu-west-1' } });
    const handler = lambda.Function.fromFunctionArn(
      stack,
      'Fn',
      'arn:aws:lambda:eu-west-1:123456789012:function:authz',
    );
    const api = new apigwv2.HttpApi(stack, 'Api');
    api.addRoutes({
      path: '/orders',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpUrlIntegration('Backend', 'https://backend.example.com/orders'),
      authorizer: httpApiJwtAuthorizer('Jwt', { handler }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'CUSTOM' });
  });
});
