import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { InvalidPropertyError } from '../../lib/errors';
import { JwtAuthorizer, type JwtAuthorizerProps } from '../../lib/jwt-authorizer';
import { exampleConfig } from './edge-config-fixture';

// Revocation (and its table) is covered in jwt-authorizer-revocation.test.ts.
const authConfig = exampleConfig((raw) => {
  delete raw.auth.revocation;
}).auth;
const FN_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:existing-authorizer';
const integration = new apigateway.MockIntegration();

/** A stack with an existing authorizer function (no bundling needed for these tests). */
function factory(id = 'Stack', app = new App()) {
  const stack = new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
  const handler = lambda.Function.fromFunctionArn(stack, 'ExistingFn', FN_ARN);
  const make = (restApi: apigateway.IRestApi, props: Partial<JwtAuthorizerProps> = {}) =>
    new JwtAuthorizer(stack, 'Authorizer', { restApi, authConfig, handler, ...props });
  return { app, stack, handler, make };
}

describe('attach to a RestApi in the same stack', () => {
  it('happy flow: registers a TOKEN authorizer and methods use it', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    const auth = make(api);
    api.root.addResource('orders').addMethod('GET', integration, auth.methodOptions());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      RestApiId: { Ref: Match.stringLikeRegexp('^Api') },
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`${FN_ARN}/invocations$`)])],
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^Authorizer') },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: FN_ARN,
      Principal: 'apigateway.amazonaws.com',
    });
  });
});

describe('attach to a RestApi from another stack', () => {
  it('happy flow: the authorizer stack imports the API id; its methods live on an imported view of the API', () => {
    const app = new App();
    const apiStack = new Stack(app, 'ApiStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new apigateway.RestApi(apiStack, 'Api', { deploy: false });
    api.root.addMethod('GET', integration, { authorizationType: apigateway.AuthorizationType.IAM });
    const { stack, make } = factory('AuthStack', app);
    const imported = apigateway.RestApi.fromRestApiAttributes(stack, 'Imported', {
      restApiId: api.restApiId,
      rootResourceId: api.restApiRootResourceId,
    });
    const auth = make(imported);
    imported.root.addResource('orders').addMethod('GET', integration, auth.methodOptions());
    new apigateway.Deployment(stack, 'Deployment', { api: imported });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      RestApiId: { 'Fn::ImportValue': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^Authorizer') },
      RestApiId: { 'Fn::ImportValue': Match.anyValue() },
    });
  });

  it('happy flow: given the RestApi object of the other stack directly, the id is imported', () => {
    const app = new App();
    const apiStack = new Stack(app, 'ApiStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new apigateway.RestApi(apiStack, 'Api', { deploy: false });
    api.root.addMethod('GET', integration, { authorizationType: apigateway.AuthorizationType.IAM });
    const { stack, make } = factory('AuthStack', app);
    make(api);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      RestApiId: { 'Fn::ImportValue': Match.stringLikeRegexp('ApiStack') },
    });
  });
});

describe('attach to a RestApi imported with fromRestApiAttributes', () => {
  it('happy flow: no "Authorizer must be attached to a RestApi" error, even with no method using it', () => {
    const { stack, make } = factory();
    const imported = apigateway.RestApi.fromRestApiAttributes(stack, 'Imported', {
      restApiId: 'a1b2c3d4e5',
      rootResourceId: 'r00tr00t00',
    });
    make(imported);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      RestApiId: 'a1b2c3d4e5',
    });
  });

  it('happy flow: methods added to the imported API use it', () => {
    const { stack, make } = factory();
    const imported = apigateway.RestApi.fromRestApiAttributes(stack, 'Imported', {
      restApiId: 'a1b2c3d4e5',
      rootResourceId: 'r00tr00t00',
    });
    const auth = make(imported);
    imported.root.addResource('profile').addMethod('GET', integration, auth.methodOptions());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      RestApiId: 'a1b2c3d4e5',
      AuthorizationType: 'CUSTOM',
    });
  });
});

describe('synth-time validation', () => {
  it.each([3601, 7200, 1.5])(
    'error flow: resultsCacheTtl %d s is rejected naming the property and the path',
    (ttl) => {
      const { stack, make } = factory();
      const api = new apigateway.RestApi(stack, 'Api');
      let error: unknown;
      try {
        make(api, { resultsCacheTtl: Duration.millis(ttl * 1000) });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidPropertyError);
      expect(error).toMatchObject({ property: 'resultsCacheTtl', constructPath: 'Stack/Authorizer' });
      expect((error as Error).message).toMatch(
        /Stack\/Authorizer: resultsCacheTtl must be a whole number of seconds between 0 and 3600/,
      );
    },
  );

  it.each([0, 1, 3600])('happy flow: resultsCacheTtl %d s is accepted', (ttl) => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod(
      'GET',
      integration,
      make(api, { resultsCacheTtl: Duration.seconds(ttl) }).methodOptions(),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      AuthorizerResultTtlInSeconds: ttl,
    });
  });

  it('error flow: caching on with a route-specific policy fails synth', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    expect(() => make(api, { policyScope: 'current-route', resultsCacheTtl: Duration.seconds(60) })).toThrow(
      /resultsCacheTtl must be 0 when policyScope is 'current-route'/,
    );
  });

  it('happy flow: a route-specific policy with the cache off is accepted', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod(
      'GET',
      integration,
      make(api, { policyScope: 'current-route', resultsCacheTtl: Duration.seconds(0) }).methodOptions(),
    );
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  it('error flow: handler and functionProps together are rejected', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    expect(() => make(api, { functionProps: { memorySize: 256 } })).toThrow(
      /handler and functionProps are exclusive/,
    );
  });

  it('error flow: a protected API with a method that has no authorizer and is not public fails synth', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    const auth = make(api);
    const orders = api.root.addResource('orders');
    orders.addMethod('GET', integration, auth.methodOptions());
    orders.addMethod('DELETE', integration); // forgotten authorizer
    expect(() => Template.fromStack(stack)).toThrow(
      /DELETE \/orders .* has no authorizer and is not listed public/,
    );
  });

  it('error flow: an unauthorized method added to an imported API is caught too', () => {
    const { stack, make } = factory();
    const imported = apigateway.RestApi.fromRestApiAttributes(stack, 'Imported', {
      restApiId: 'a1b2c3d4e5',
      rootResourceId: 'r00tr00t00',
    });
    make(imported);
    imported.root.addResource('profile').addMethod('GET', integration);
    new apigateway.Deployment(stack, 'Deployment', { api: imported });
    expect(() => Template.fromStack(stack)).toThrow(/GET \/profile .* has no authorizer/);
  });

  it('happy flow: public routes and CORS preflight may go without an authorizer', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api', {
      defaultCorsPreflightOptions: { allowOrigins: ['https://app.example.com'] },
    });
    const auth = make(api);
    api.root.addResource('health').addMethod('GET', integration);
    api.root.addResource('orders').addMethod('GET', integration, auth.methodOptions());
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  it('error flow: POST to a path that is public only for GET is not public', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    make(api);
    api.root.addResource('health').addMethod('POST', integration);
    expect(() => Template.fromStack(stack)).toThrow(/POST \/health/);
  });

  it('error flow: protect() extends the guard to another scope', () => {
    const { stack, make } = factory();
    const api = new apigateway.RestApi(stack, 'Api');
    const other = new apigateway.RestApi(stack, 'Other');
    const auth = make(api);
    api.root.addMethod('GET', integration, auth.methodOptions());
    other.root.addResource('orders').addMethod('GET', integration);
    expect(() => Template.fromStack(stack)).not.toThrow();
    const second = factory();
    const api2 = new apigateway.RestApi(second.stack, 'Api');
    const other2 = new apigateway.RestApi(second.stack, 'Other');
    const auth2 = second.make(api2);
    api2.root.addMethod('GET', integration, auth2.methodOptions());
    other2.root.addResource('orders').addMethod('GET', integration);
    auth2.protect(other2);
    expect(() => Template.fromStack(second.stack)).toThrow(/GET \/orders/);
  });
});

describe('a new authorizer function', () => {
  it('happy flow: bundles lambdas/authorizer/handler.ts with AUTH_CONFIG and the edge defaults', () => {
    const stack = new Stack(new App(), 'Stack');
    const api = new apigateway.RestApi(stack, 'Api');
    const auth = new JwtAuthorizer(stack, 'Authorizer', {
      restApi: api,
      authConfig,
      functionProps: { memorySize: 1024 },
    });
    api.root.addMethod('GET', integration, auth.methodOptions());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 5,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ AUTH_CONFIG: JSON.stringify(authConfig) }) },
    });
    expect(auth.function).toBeDefined();
  });

  it('error flow: an auth section too large for the Lambda environment fails synth naming authConfig', () => {
    const stack = new Stack(new App(), 'Stack');
    const api = new apigateway.RestApi(stack, 'Api');
    const big = exampleConfig((raw) => {
      delete raw.auth.revocation;
      raw.auth.routes = Array.from({ length: 120 }, (_, i) => ({
        method: 'GET',
        path: `/very/long/path/segment/number/${i}/{id}`,
        anyRoles: ['some-long-role-name-for-testing'],
      }));
      raw.api = {
        routes: [{ method: 'GET', path: '/very/long/path/segment/number/0/{id}', backend: 'orders' }],
      };
      delete raw.guard;
    }).auth;
    expect(() => new JwtAuthorizer(stack, 'Authorizer', { restApi: api, authConfig: big })).toThrow(
      /Stack\/Authorizer: authConfig is too large for the Lambda environment/,
    );
  });
});
