/**
 * Revocation in the JwtAuthorizer construct: the BatchGetItem grant and the table env only when
 * `authConfig.revocation` is set, the worst-case delay output, and the synth-time delay limit.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { AuthorizerConfig } from '../../lambdas/shared/config/authorizer-config';
import { InvalidPropertyError } from '../../lib/errors';
import { JwtAuthorizer, type JwtAuthorizerProps } from '../../lib/jwt-authorizer';
import { AttachAuthorizerStack } from '../../lib/attach-authorizer-stack';
import { exampleConfig, synthEdgeStack } from './edge-config-fixture';
import { dynamoActions } from '../support/iam-template';

const integration = new apigateway.MockIntegration();

function authWith(
  revocation: Record<string, unknown> | undefined,
  resultCacheTtlSeconds = 300,
): AuthorizerConfig {
  return exampleConfig((raw) => {
    raw.auth.resultCacheTtlSeconds = resultCacheTtlSeconds;
    if (revocation === undefined) delete raw.auth.revocation;
    else raw.auth.revocation = revocation;
  }).auth;
}

function build(authConfig: AuthorizerConfig, props: Partial<JwtAuthorizerProps> = {}, withTable = true) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new apigateway.RestApi(stack, 'Api');
  const table = new dynamodb.Table(stack, 'Revocations', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const auth = new JwtAuthorizer(stack, 'Authorizer', {
    restApi: api,
    authConfig,
    ...(withTable ? { revocationTable: table } : {}),
    ...props,
  });
  api.root.addMethod('GET', integration, auth.methodOptions());
  return { stack, auth, template: Template.fromStack(stack) };
}

describe('revocation on', () => {
  const { auth, template } = build(authWith({ cacheStalenessSeconds: 10, maxRevocationDelaySeconds: 320 }));

  it('grants the function dynamodb:BatchGetItem on the revocation table, nothing more', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:BatchGetItem',
            Effect: 'Allow',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Revocations'), 'Arn'] }]),
          }),
        ]),
      },
    });
    expect(dynamoActions(template)).toEqual(['dynamodb:BatchGetItem']);
  });

  it('passes the table name as REVOCATION_TABLE_NAME', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REVOCATION_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Revocations') },
        }),
      },
    });
  });

  it('shows the worst-case revocation delay (result cache TTL + staleness) as a stack output', () => {
    expect(auth.revocationDelaySeconds).toBe(310);
    const outputs = Object.entries(template.findOutputs('*')).filter(([id]) =>
      id.includes('RevocationMaxDelaySeconds'),
    );
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.[1]).toMatchObject({ Value: '310' });
  });
});

describe('revocation off', () => {
  it('no grant, no table env, no delay output (even when a table is given)', () => {
    const { auth, template } = build(authWith(undefined));
    expect(dynamoActions(template)).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REVOCATION_TABLE_NAME: Match.absent() }) },
    });
    expect(Object.keys(template.findOutputs('*')).filter((id) => id.includes('Revocation'))).toEqual([]);
    expect(auth.revocationDelaySeconds).toBeUndefined();
  });
});

describe('synth-time validation', () => {
  const handlerStack = () => {
    const stack = new Stack(new App(), 'Stack');
    const handler = lambda.Function.fromFunctionArn(
      stack,
      'Fn',
      'arn:aws:lambda:eu-west-1:123456789012:function:existing-authorizer',
    );
    return { stack, api: new apigateway.RestApi(stack, 'Api'), handler };
  };

  it('error flow: a worst-case delay above maxRevocationDelaySeconds fails synth naming the properties, limit and path', () => {
    const { stack, api, handler } = handlerStack();
    const config = authWith({ cacheStalenessSeconds: 30, maxRevocationDelaySeconds: 320 });
    let caught: unknown;
    try {
      new JwtAuthorizer(stack, 'Authorizer', { restApi: api, authConfig: config, handler });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPropertyError);
    expect((caught as InvalidPropertyError).property).toBe('authConfig.revocation.maxRevocationDelaySeconds');
    expect((caught as Error).message).toMatch(
      /^Stack\/Authorizer: authConfig\.revocation\.maxRevocationDelaySeconds is 320 s, but .*resultsCacheTtl \(300 s\) \+ authConfig\.revocation\.cacheStalenessSeconds \(30 s\) = 330 s/,
    );
  });

  it('error flow: an explicit resultsCacheTtl counts too', () => {
    const { stack, api, handler } = handlerStack();
    const config = authWith({ cacheStalenessSeconds: 10, maxRevocationDelaySeconds: 60 }, 0);
    expect(
      () =>
        new JwtAuthorizer(stack, 'Authorizer', {
          restApi: api,
          authConfig: config,
          handler,
          resultsCacheTtl: Duration.seconds(120),
        }),
    ).toThrow(/resultsCacheTtl \(120 s\)/);
  });

  it('happy flow: a delay at the limit is accepted', () => {
    const { stack, api, handler } = handlerStack();
    const config = authWith({ cacheStalenessSeconds: 20, maxRevocationDelaySeconds: 320 });
    expect(
      new JwtAuthorizer(stack, 'Authorizer', { restApi: api, authConfig: config, handler })
        .revocationDelaySeconds,
    ).toBe(320);
  });

  it('error flow: revocation on, a new function and no table (neither prop nor tableName) fails synth', () => {
    expect(() => build(authWith({ cacheStalenessSeconds: 10 }), {}, false)).toThrow(
      /^Stack\/Authorizer: revocationTable is required when authConfig\.revocation is set/,
    );
  });

  it('happy flow: authConfig.revocation.tableName without a table prop grants on that table by name', () => {
    const { template } = build(
      authWith({ cacheStalenessSeconds: 10, tableName: 'my-revocations' }),
      {},
      false,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REVOCATION_TABLE_NAME: 'my-revocations' }) },
    });
    expect(dynamoActions(template)).toEqual(['dynamodb:BatchGetItem']);
    expect(JSON.stringify(template.toJSON())).toContain(':table/my-revocations');
  });

  it('a named table wins over the table prop: the grant and the env name the table the Lambda reads', () => {
    const { template } = build(authWith({ cacheStalenessSeconds: 10, tableName: 'my-revocations' }), {
      authConfig: {
        ...authWith({ cacheStalenessSeconds: 10, tableName: 'my-revocations' }),
        clients: {
          tableName: 'my-revocations',
          cacheStalenessSeconds: 60,
          unknownClients: 'deny',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REVOCATION_TABLE_NAME: 'my-revocations' }) },
    });
    const json = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(json).toContain(':table/my-revocations');
    // The construct's own table (the prop) is granted nothing: the Lambda never reads it.
    expect(json).not.toMatch(/Revocations[0-9A-F]{8}/);
    expect(dynamoActions(template).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
  });
});

describe('stacks', () => {
  it('EdgeStack: the example config (revocation on) wires the edge revocation table into the authorizer', () => {
    const { template } = synthEdgeStack(exampleConfig());
    const tables = template.findResources('AWS::DynamoDB::Table');
    const revocationTable = Object.keys(tables).find((id) => id.includes('Revocations'));
    expect(revocationTable).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REVOCATION_TABLE_NAME: { Ref: revocationTable } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:BatchGetItem',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [revocationTable, 'Arn'] }]),
          }),
        ]),
      },
    });
  });

  it('attach-only stack: revocation on without tableName → the stack creates the revocation table and grants on it', () => {
    const stack = new AttachAuthorizerStack(new App(), 'Attach', {
      config: exampleConfig(),
      restApiId: 'a1b2c3d4e5',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(dynamoActions(template)).toEqual(['dynamodb:BatchGetItem']);
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['RevocationTableName', expect.stringContaining('RevocationMaxDelaySeconds')]),
    );
  });
});
