/**
 * The client registry in the stack: the GetItem grant and the table env only when `authConfig.clients`
 * is set, the worst-case change delay output, the usage plan id outputs the CLI needs, and the
 * cross-section checks between `auth.clients` and `api.apiKeys` / `api.usagePlans`.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { AuthorizerConfig } from '../../lambdas/shared/config/authorizer-config';
import { ConfigError } from '../../lambdas/shared/config/config-error';
import { AttachAuthorizerStack } from '../../lib/attach-authorizer-stack';
import type { EdgeConfigInput } from '../../lib/config/edge-config';
import { EdgeStack, usagePlanOutputKeys } from '../../lib/edge-stack';
import { InvalidPropertyError } from '../../lib/errors';
import { JwtAuthorizer, type JwtAuthorizerProps } from '../../lib/jwt-authorizer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../bin/build-app';
import { apiOf, exampleConfig, exampleConfigRaw } from './edge-config-fixture';
import { dynamoActions, policyStatements } from '../support/iam-template';

const integration = new apigateway.MockIntegration();

function authWith(
  change: { clients?: Record<string, unknown>; revocation?: Record<string, unknown> | null },
  resultCacheTtlSeconds = 300,
): AuthorizerConfig {
  return exampleConfig((raw) => {
    raw.auth.resultCacheTtlSeconds = resultCacheTtlSeconds;
    if (change.clients !== undefined) raw.auth.clients = change.clients;
    if (change.revocation === null) delete raw.auth.revocation;
    else if (change.revocation !== undefined) raw.auth.revocation = change.revocation;
    // The registry needs API keys taken from the authorizer (cross-section check).
    apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
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

describe('client registry on (revocation off)', () => {
  const { auth, template } = build(authWith({ clients: { cacheStalenessSeconds: 45 }, revocation: null }));

  it('grants the function dynamodb:GetItem on the revocation table, nothing more', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:GetItem',
            Effect: 'Allow',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Revocations'), 'Arn'] }]),
          }),
        ]),
      },
    });
    expect(dynamoActions(template)).toEqual(['dynamodb:GetItem']);
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

  it('shows the worst-case change delay (result cache TTL + staleness) as a stack output', () => {
    expect(auth.clientRegistryDelaySeconds).toBe(345);
    const outputs = Object.entries(template.findOutputs('*')).filter(([id]) =>
      id.includes('ClientRegistryMaxDelaySeconds'),
    );
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.[1]).toMatchObject({ Value: '345' });
  });
});

describe('client registry and revocation both on', () => {
  it('one table, two least-privilege grants: BatchGetItem (revocation) and GetItem (registry)', () => {
    const { template } = build(authWith({ clients: {}, revocation: { cacheStalenessSeconds: 10 } }));
    expect(dynamoActions(template)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
  });

  it('a registry in its own named table: GetItem on that table, REVOCATION_TABLE_NAME stays the revocation table', () => {
    const { template } = build(
      authWith({ clients: { tableName: 'client-registry' }, revocation: { cacheStalenessSeconds: 10 } }),
    );
    const getItem = policyStatements(template).find((s) => s.Action === 'dynamodb:GetItem');
    expect(JSON.stringify(getItem?.Resource)).toContain(':table/client-registry');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REVOCATION_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Revocations') },
        }),
      },
    });
  });
});

describe('client registry off', () => {
  it('no GetItem grant, no delay output', () => {
    const { auth, template } = build(
      exampleConfig((raw) => {
        delete raw.auth.revocation;
      }).auth,
    );
    expect(dynamoActions(template)).toEqual([]);
    expect(auth.clientRegistryDelaySeconds).toBeUndefined();
    expect(Object.keys(template.findOutputs('*')).filter((id) => id.includes('ClientRegistry'))).toEqual([]);
  });
});

describe('synth-time validation', () => {
  it('error flow: clients on, a new function and no table (neither prop nor tableName) fails synth naming the property', () => {
    let caught: unknown;
    try {
      build(authWith({ clients: {}, revocation: null }), {}, false);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPropertyError);
    expect((caught as InvalidPropertyError).property).toBe('revocationTable');
    expect((caught as Error).message).toMatch(
      /^Stack\/Authorizer: revocationTable is required when authConfig\.clients is set/,
    );
  });

  it('happy flow: an existing function needs no table (and gets no grant)', () => {
    const stack = new Stack(new App(), 'Stack');
    const handler = lambda.Function.fromFunctionArn(
      stack,
      'Fn',
      'arn:aws:lambda:eu-west-1:123456789012:function:x',
    );
    const auth = new JwtAuthorizer(stack, 'Authorizer', {
      restApi: new apigateway.RestApi(stack, 'Api'),
      authConfig: authWith({ clients: {}, revocation: null }),
      handler,
    });
    expect(auth.clientRegistryDelaySeconds).toBe(360);
  });
});

describe('EdgeStack with the client registry', () => {
  const config = exampleConfig((raw) => {
    raw.auth.clients = {};
    apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
  });
  const stack = new EdgeStack(new App(), 'TestEdge', { config });
  const template = Template.fromStack(stack);

  it('grants GetItem on the edge revocation table and outputs the delay', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    const revocationTable = Object.keys(tables).find((id) => id.includes('Revocations'));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:GetItem',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [revocationTable, 'Arn'] }]),
          }),
        ]),
      },
    });
    expect(
      Object.keys(template.findOutputs('*')).some((id) => id.includes('ClientRegistryMaxDelaySeconds')),
    ).toBe(true);
  });

  it('outputs each tier’s usage plan id, and all of them in the form the CLI takes', () => {
    const plans = template.findResources('AWS::ApiGateway::UsagePlan');
    const planId = (tier: string): string | undefined =>
      Object.entries(plans).find(([, r]) =>
        JSON.stringify((r as { Properties: { UsagePlanName: unknown } }).Properties.UsagePlanName).includes(
          `-${tier}`,
        ),
      )?.[0];
    template.hasOutput('UsagePlanIdfree', {
      Value: { Ref: planId('free') },
      Description: 'Usage plan id of tier "free"',
    });
    template.hasOutput('UsagePlanIdstandard', { Value: { Ref: planId('standard') } });
    const all = JSON.stringify(template.findOutputs('UsagePlanIds'));
    expect(all).toContain('free=');
    expect(all).toContain(planId('standard'));
  });

  it('no warning when API keys are required', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('auth.clients'));
  });

  it('warns (synth still succeeds) when API keys are not required: nothing is metered per tier', () => {
    const notRequired = new EdgeStack(new App(), 'TestEdge', {
      config: exampleConfig((raw) => {
        raw.auth.clients = {};
        apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: false };
      }),
    });
    Annotations.fromStack(notRequired).hasWarning(
      '*',
      Match.stringLikeRegexp('api\\.apiKeys\\.required is false'),
    );
  });

  it('usage plan output keys stay unique when tier names differ only in - and _', () => {
    expect([...usagePlanOutputKeys(['free-tier', 'free_tier', 'gold']).values()]).toEqual([
      'UsagePlanIdfreetier0',
      'UsagePlanIdfreetier1',
      'UsagePlanIdgold',
    ]);
  });

  it('attach-only stack: clients on without tableName → the stack creates the table and grants GetItem on it', () => {
    const attach = new AttachAuthorizerStack(new App(), 'Attach', {
      config: exampleConfig((raw) => {
        delete raw.auth.revocation;
        raw.auth.clients = {};
        apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
      }),
      restApiId: 'a1b2c3d4e5',
    });
    const attachTemplate = Template.fromStack(attach);
    attachTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(dynamoActions(attachTemplate)).toEqual(['dynamodb:GetItem']);
  });
});

describe('cdk-nag', () => {
  it.each([['stack'], ['attach']])(
    'happy flow: the %s app with the client registry on synthesizes with no unacknowledged AwsSolutions finding',
    (mode) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'edge-clients-'));
      try {
        const raw = exampleConfigRaw();
        raw.auth.clients = { unknownClients: 'default-tier' };
        apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
        const file = path.join(dir, 'edge.config.json');
        writeFileSync(file, JSON.stringify(raw));
        const app = new App({ outdir: path.join(dir, 'out') });
        buildApp(app, { configPath: file, mode, restApiId: 'a1b2c3d4e5' });
        expect(() => app.synth()).not.toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('cross-section checks (auth.clients vs api)', () => {
  const issuesOf = (change: (raw: EdgeConfigInput) => void): string[] => {
    try {
      exampleConfig(change);
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map((i) => i.path);
      throw error;
    }
    return [];
  };

  it.each<[string, (raw: EdgeConfigInput) => void, string[]]>([
    [
      'clients with apiKeys.source HEADER → names api.apiKeys.source',
      (raw) => {
        raw.auth.clients = {};
        apiOf(raw).apiKeys = { source: 'HEADER', required: true };
      },
      ['api.apiKeys.source'],
    ],
    [
      'clients without usage plans → names api.usagePlans',
      (raw) => {
        raw.auth.clients = {};
        apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: false };
        apiOf(raw).usagePlans = [];
      },
      ['api.usagePlans'],
    ],
    [
      'AUTHORIZER keys required without clients → names auth.clients',
      (raw) => {
        apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
      },
      ['auth.clients'],
    ],
    [
      'compliant: clients with AUTHORIZER keys required',
      (raw) => {
        raw.auth.clients = {};
        apiOf(raw).apiKeys = { source: 'AUTHORIZER', required: true };
      },
      [],
    ],
    [
      'compliant: no api section (attach-only) → no cross-section check',
      (raw) => {
        raw.auth.clients = {};
        delete raw.api;
        delete raw.guard;
      },
      [],
    ],
  ])('%s', (_, change, expected) => {
    expect(issuesOf(change)).toEqual(expected);
  });
});
