import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigError } from '../../lambdas/shared/config/config-error';
import { AttachAuthorizerStack } from '../../lib/attach-authorizer-stack';
import type { EdgeConfig, EdgeConfigInput } from '../../lib/config/edge-config';
import { deploymentAuthIssues, isLoopbackUrl } from '../../lib/config/deployment-checks';
import { EdgeStack } from '../../lib/edge-stack';
import { JwtAuthorizer } from '../../lib/jwt-authorizer';
import { exampleConfig } from './edge-config-fixture';

/**
 * The authorizer's schema accepts plain http on loopback so that the local identity provider works
 * (`npm start` builds that config in memory and never synthesizes). A deployed authorizer cannot
 * reach a loopback issuer or JWKS and would deny every request: synth refuses such a config,
 * naming the field.
 */

type IssuerInput = EdgeConfigInput['auth']['issuers'][number];

/** The example config with its issuers replaced (the local IdP's shape: discovery on). */
function configWithIssuers(issuers: Partial<IssuerInput>[]): EdgeConfig {
  return exampleConfig((raw) => {
    const model = raw.auth.issuers[0]!;
    raw.auth.issuers = issuers.map((change) => {
      const issuer = { ...model, ...change };
      if (change.jwksUri !== undefined) delete issuer.discovery;
      return issuer;
    });
  });
}

/** Runs `build` and returns the ConfigError it throws (fails the test when it throws none). */
function configErrorOf(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Existing backend functions in a stack of their own, so an EdgeStack bundles only its own Lambdas. */
function externalBackends(app: App): Record<string, lambda.IFunction> {
  const stack = new Stack(app, 'Backends');
  new CfnWaitConditionHandle(stack, 'Placeholder');
  return Object.fromEntries(
    ['orders', 'profile', 'health'].map((name) => [
      name,
      lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`),
    ]),
  );
}

const LOOPBACK_URLS = [
  'http://127.0.0.1:9400',
  'http://localhost:9400',
  'http://[::1]:9400',
  'https://127.0.0.1/realms/x',
  'https://localhost',
  'https://LOCALHOST./x',
  'https://idp.localhost',
  'https://127.1.2.3',
  'https://2130706433/', // 127.0.0.1 spelled as one number
  'https://[0:0:0:0:0:0:0:1]/jwks',
  'https://[::ffff:127.0.0.1]/jwks',
  'https://0.0.0.0',
  'https://[::]',
];

const DEPLOYABLE_URLS = [
  'https://idp.example.com',
  'https://127.example.com',
  'https://localhost.example.com',
  'https://mylocalhost',
  'https://128.0.0.1',
  'https://[2001:db8::1]',
];

describe('isLoopbackUrl', () => {
  it.each(LOOPBACK_URLS)('loopback: %s', (url) => {
    expect(isLoopbackUrl(url)).toBe(true);
  });
  it.each(DEPLOYABLE_URLS)('not loopback: %s', (url) => {
    expect(isLoopbackUrl(url)).toBe(false);
  });
});

describe('deploymentAuthIssues: names each loopback issuer and JWKS URL', () => {
  it.each([
    [[{ issuer: 'http://127.0.0.1:9400' }], ['auth.issuers[0].issuer']],
    [
      [{ issuer: 'https://idp.example.com', jwksUri: 'http://localhost:9400/jwks' }],
      ['auth.issuers[0].jwksUri'],
    ],
    [
      [{ issuer: 'http://[::1]:9400', jwksUri: 'http://[::1]:9400/.well-known/jwks.json' }],
      ['auth.issuers[0].issuer', 'auth.issuers[0].jwksUri'],
    ],
    [
      [{ issuer: 'https://idp.example.com' }, { issuer: 'http://localhost:9400' }],
      ['auth.issuers[1].issuer'],
    ],
    [[{ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' }], []],
  ])('issuers %j → %j', (issuers, paths) => {
    expect(deploymentAuthIssues({ issuers }).map((i) => i.path)).toEqual(paths);
  });

  it('uses the prefix it is given (a construct names its own prop)', () => {
    const issues = deploymentAuthIssues({ issuers: [{ issuer: 'http://127.0.0.1:9400' }] }, 'authConfig');
    expect(issues.map((i) => i.path)).toEqual(['authConfig.issuers[0].issuer']);
  });

  it('the schema alone accepts the local config (why this check exists)', () => {
    expect(() => configWithIssuers([{ issuer: 'http://127.0.0.1:9400' }])).not.toThrow();
  });
});

describe('EdgeStack refuses a loopback issuer or JWKS URL at synth', () => {
  it.each([
    [[{ issuer: 'http://127.0.0.1:9400' }], ['auth.issuers[0].issuer']],
    [[{ jwksUri: 'http://localhost:9400/.well-known/jwks.json' }], ['auth.issuers[0].jwksUri']],
    [[{}, { issuer: 'http://[::1]:9400' }], ['auth.issuers[1].issuer']],
  ])('error flow: issuers %j → ConfigError naming %j', (issuers, paths) => {
    const config = configWithIssuers(issuers);
    const app = new App();
    const error = configErrorOf(
      () => new EdgeStack(app, 'Edge', { config, backends: externalBackends(app) }),
    );
    expect(error.issues.map((i) => i.path)).toEqual(paths);
  });

  it('happy flow: https issuer and JWKS URL → synthesizes; the authorizer gets them', () => {
    const config = configWithIssuers([{ jwksUri: 'https://idp.example.com/.well-known/jwks.json' }]);
    const app = new App();
    const stack = new EdgeStack(app, 'Edge', { config, backends: externalBackends(app) });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          AUTH_CONFIG: Match.stringLikeRegexp('https://idp\\.example\\.com/\\.well-known/jwks\\.json'),
        },
      },
    });
  });
});

describe('JwtAuthorizer refuses a loopback issuer or JWKS URL at synth', () => {
  const FN_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:existing-authorizer';
  const make = (config: EdgeConfig): Stack => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new apigateway.RestApi(stack, 'Api');
    const authorizer = new JwtAuthorizer(stack, 'Authorizer', {
      restApi: api,
      authConfig: { ...config.auth, revocation: undefined, clients: undefined },
      handler: lambda.Function.fromFunctionArn(stack, 'Fn', FN_ARN),
    });
    api.root
      .addResource('orders')
      .addMethod('GET', new apigateway.MockIntegration(), authorizer.methodOptions());
    return stack;
  };

  it.each([
    [[{ issuer: 'http://127.0.0.1:9400' }], ['authConfig.issuers[0].issuer']],
    [[{ jwksUri: 'http://127.0.0.1:9400/.well-known/jwks.json' }], ['authConfig.issuers[0].jwksUri']],
  ])('error flow: issuers %j → ConfigError naming %j', (issuers, paths) => {
    const config = configWithIssuers(issuers);
    const error = configErrorOf(() => make(config));
    expect(error.issues.map((i) => i.path)).toEqual(paths);
  });

  it('happy flow: https issuer → the authorizer is registered', () => {
    const stack = make(configWithIssuers([{}]));
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN' });
  });
});

describe('AttachAuthorizerStack (attach-only mode) refuses a loopback issuer at synth', () => {
  it('error flow: loopback issuer → ConfigError naming auth.issuers[0].issuer', () => {
    const config = configWithIssuers([{ issuer: 'http://localhost:9400' }]);
    const error = configErrorOf(
      () => new AttachAuthorizerStack(new App(), 'Attach', { config, restApiId: 'a1b2c3d4e5' }),
    );
    expect(error.issues.map((i) => i.path)).toEqual(['auth.issuers[0].issuer']);
  });
});
