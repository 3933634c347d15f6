/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
 * CloudFormation template JSON is untyped by nature; these infrastructure tests read it as such. */
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EdgeStack } from '../../lib/edge-stack';
import { WAF_RULE_NAMES } from '../../lib/edge-waf';
import type { EdgeConfigInput } from '../../lib/config/edge-config';
import { apiOf, exampleConfig, findResources } from './edge-config-fixture';

/**
 * Existing backend functions in a stack of their own, so a variant bundles only the authorizer.
 * (A stack needs one resource; the wait-condition handle is an inert placeholder.)
 */
function externalBackends(app: App, names: readonly string[]): Record<string, lambda.IFunction> {
  const stack = new Stack(app, 'Backends');
  new CfnWaitConditionHandle(stack, 'Placeholder');
  return Object.fromEntries(
    names.map((name) => [
      name,
      lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`),
    ]),
  );
}

// Variants of the example config; the guard section is dropped where it is not under test.
function synth(change: (raw: EdgeConfigInput, api: NonNullable<EdgeConfigInput['api']>) => void): Template {
  const config = exampleConfig((raw) => {
    delete raw.guard;
    raw.auth.routes = raw.auth.routes.filter((r) => r.path !== '/.well-known/guard-jwks.json');
    change(raw, apiOf(raw));
  });
  const app = new App();
  const stack = new EdgeStack(app, 'Variant', {
    config,
    backends: externalBackends(app, ['orders', 'profile', 'health']),
  });
  return Template.fromStack(stack);
}

describe('custom domain', () => {
  let template: Template;
  beforeAll(() => {
    template = synth((_raw, api) => {
      api.customDomain = {
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
        basePath: 'v1',
      };
    });
  });

  it('uses a regional domain with TLS 1.2 and maps the stage under the base path', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1' });
  });

  it('disables the default execute-api endpoint', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  it('outputs the custom domain URL', () => {
    template.hasOutput('ApiUrl', { Value: 'https://api.example.com/v1' });
  });

  it('has no guard, so no signing key and no guard function', () => {
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1); // the authorizer; backends are external here
  });
});

describe('a multi-level base path and a throttle on the root route', () => {
  let template: Template;
  beforeAll(() => {
    template = synth((raw, api) => {
      api.customDomain = {
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
        basePath: 'orders/v1',
      };
      raw.auth.routes.push({ method: 'GET', path: '/', authenticatedOnly: true });
      api.routes.push({ method: 'GET', path: '/', backend: 'profile' });
      api.methodThrottles = [{ method: 'GET', path: '/', rateLimit: 5, burstLimit: 10 }];
    });
  });

  it('maps the stage under orders/v1 with an API mapping (a base path mapping cannot have two levels)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiMappingKey: 'orders/v1' });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
    template.hasOutput('ApiUrl', { Value: 'https://api.example.com/orders/v1' });
  });

  it('throttles GET on the root resource', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ResourcePath: '/',
          HttpMethod: 'GET',
          ThrottlingRateLimit: 5,
          ThrottlingBurstLimit: 10,
        }),
      ]),
    });
  });
});

describe('enhanced TLS policy', () => {
  it('sets the endpoint access mode STRICT with a TLS 1.3 policy', () => {
    const template = synth((_raw, api) => {
      api.customDomain = {
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
        securityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
        keepExecuteApiEndpoint: true,
      };
    });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
  });
});

describe('API keys chosen by the authorizer, WAF lists, geo and large bodies', () => {
  let template: Template;
  beforeAll(() => {
    template = synth((raw, api) => {
      api.apiKeys = { source: 'AUTHORIZER', required: true };
      raw.auth.clients = {}; // only the client registry gives the authorizer a key to return
      api.waf = {
        anonymousIpList: true,
        ipAllowList: ['198.51.100.0/24'],
        ipDenyList: [],
        geo: { allowCountries: ['DE', 'AT'] },
        maxBodyBytes: 40_000,
        maxAuthorizationHeaderBytes: 4096,
        rateLimitPerIp: { limit: 300, windowSeconds: 60 },
      };
      api.cors = { allowOrigins: ['https://a.example.com', 'https://b.example.com'] };
    });
  });

  it('takes usage-plan keys from the authorizer and requires them on protected methods only', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    for (const [, p] of findResources(
      template,
      'AWS::ApiGateway::Method',
      (m) => m.HttpMethod !== 'OPTIONS',
    )) {
      expect(p.ApiKeyRequired).toBe(p.AuthorizationType === 'CUSTOM');
    }
  });

  it('orders the WAF rules: allow list, geo, rate, non-canonical paths, header sizes, body size, then the managed groups with the anonymous IP list', () => {
    const [acl] = findResources(template, 'AWS::WAFv2::WebACL');
    const rules = acl![1].Rules as Record<string, any>[];
    expect(rules.map((r) => r.Name)).toEqual([
      WAF_RULE_NAMES.ipAllowList,
      WAF_RULE_NAMES.geo,
      WAF_RULE_NAMES.rateLimit,
      WAF_RULE_NAMES.nonCanonicalPath,
      WAF_RULE_NAMES.headersSize,
      WAF_RULE_NAMES.authorizationHeaderSize,
      WAF_RULE_NAMES.bodySize,
      WAF_RULE_NAMES.ipReputation,
      WAF_RULE_NAMES.anonymousIp,
      WAF_RULE_NAMES.common,
      WAF_RULE_NAMES.knownBadInputs,
      WAF_RULE_NAMES.sqli,
    ]);
    const byName = Object.fromEntries(rules.map((r) => [r.Name, r]));
    expect(
      byName[WAF_RULE_NAMES.ipAllowList].Statement.NotStatement.Statement.IPSetReferenceStatement,
    ).toBeDefined();
    expect(
      byName[WAF_RULE_NAMES.geo].Statement.NotStatement.Statement.GeoMatchStatement.CountryCodes,
    ).toEqual(['DE', 'AT']);
    expect(byName[WAF_RULE_NAMES.rateLimit].Statement.RateBasedStatement).toMatchObject({
      Limit: 300,
      EvaluationWindowSec: 60,
    });
    expect(byName[WAF_RULE_NAMES.authorizationHeaderSize].Statement.SizeConstraintStatement.Size).toBe(4096);
    // Our own body rule enforces the limit, so the managed 8 KB body rule only counts.
    expect(byName[WAF_RULE_NAMES.common].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
  });

  it('raises the API Gateway body inspection limit above 16 KiB so large bodies are still inspected', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_48' } } },
    });
  });

  it('with several allowed origins, gateway responses send no Access-Control-Allow-Origin (no reflection)', () => {
    for (const [, p] of findResources(template, 'AWS::ApiGateway::GatewayResponse')) {
      expect(p.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBeUndefined();
      expect(p.ResponseParameters['gatewayresponse.header.Vary']).toBe("'Origin'");
    }
  });
});

describe('no CORS, no notifications, tables unprotected on request', () => {
  let template: Template;
  beforeAll(() => {
    template = synth((raw, api) => {
      api.cors = { allowOrigins: [] };
      api.tables = { deletionProtection: false, retainOnStackDelete: false };
      api.alarms = { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:edge-alarms' };
      api.logging = { retentionDays: 30, manageAccountCloudWatchRole: false };
      raw.auth.resultCacheTtlSeconds = 0;
    });
  });

  it('creates no OPTIONS methods and no CORS headers on gateway responses', () => {
    expect(
      findResources(template, 'AWS::ApiGateway::Method', (p) => p.HttpMethod === 'OPTIONS'),
    ).toHaveLength(0);
    for (const [, p] of findResources(template, 'AWS::ApiGateway::GatewayResponse')) {
      expect(Object.keys(p.ResponseParameters).some((k) => k.includes('Access-Control'))).toBe(false);
    }
  });

  it('honours the table flags', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('sends alarm and OK notifications to the SNS topic', () => {
    for (const [, p] of findResources(template, 'AWS::CloudWatch::Alarm')) {
      expect(p.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:edge-alarms']);
      expect(p.OKActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:edge-alarms']);
    }
  });

  it('uses the configured retention and leaves the account CloudWatch role alone', () => {
    for (const [, p] of findResources(template, 'AWS::Logs::LogGroup')) expect(p.RetentionInDays).toBe(30);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('turns the authorizer result cache off', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });
});

describe('your own backends', () => {
  it('integrates a given function instead of a sample backend', () => {
    const config = exampleConfig((raw) => {
      delete raw.guard;
      raw.auth.routes = raw.auth.routes.filter((r) => r.path !== '/.well-known/guard-jwks.json');
      const api = apiOf(raw);
      api.routes = [{ method: 'GET', path: '/profile', backend: 'accounts' }];
      api.methodThrottles = [];
      api.usagePlans = [];
    });
    const app = new App();
    const backends = externalBackends(app, ['accounts']);
    const stack = new EdgeStack(app, 'Own', { config, backends });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      Integration: Match.objectLike({
        Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('function:accounts/invocations')])] },
      }),
    });
    template.resourceCountIs('AWS::Lambda::Function', 1); // only the authorizer
  });
});
