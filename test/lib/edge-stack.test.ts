/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
 * CloudFormation template JSON is untyped by nature; these infrastructure tests read it as such. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ALLOWED_IDENTITY_VARIABLES } from '../../lib/access-log-format';
import { GATEWAY_RESPONSE_TYPES } from '../../lib/gateway-responses-spec';
import { BEARER_VALIDATION_REGEX } from '../../lib/identity-validation';
import { WAF_RULE_NAMES } from '../../lib/edge-waf';
import { NON_CANONICAL_PATH_REGEX } from '../../lambdas/shared/contracts/canonical-path';
import type { EdgeStack } from '../../lib/edge-stack';
import { exampleConfig, findResources, synthEdgeStack } from './edge-config-fixture';
import { expectFailureAlarm } from './monitoring-assertions';

// One synthesized stack of the committed example config for the whole file (bundling is real, via esbuild).
let template: Template;
let stack: EdgeStack;
beforeAll(() => {
  ({ template, stack } = synthEdgeStack(exampleConfig()));
});

const methodsOf = (httpMethod: string) =>
  findResources(template, 'AWS::ApiGateway::Method', (p) => p.HttpMethod === httpMethod);

describe('REST API and TOKEN authorizer', () => {
  it('is a regional REST API with the API key source from config', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      ApiKeySourceType: 'HEADER',
    });
  });

  it('registers one TOKEN authorizer on the Authorization header with the Bearer regex and the configured TTL', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: BEARER_VALIDATION_REGEX,
      AuthorizerResultTtlInSeconds: 300,
      RestApiId: { Ref: Match.stringLikeRegexp('EdgeApi') },
    });
  });

  it('the validation regex takes Bearer <token68> in any case of the scheme and nothing else', () => {
    // eslint-disable-next-line security/detect-non-literal-regexp -- the product's own constant regex
    const re = new RegExp(BEARER_VALIDATION_REGEX);
    for (const ok of ['Bearer abc.def.ghi', 'bearer a-b_c.d~e+f/g==', 'BEARER x'])
      expect(re.test(ok)).toBe(true);
    for (const bad of [
      'Bearer',
      'Bearer ',
      'Basic abc',
      'Bearer a b',
      'Bearer  abc',
      'Bearer abc=def',
      'xBearer abc',
      'Bearer abc\n',
    ])
      expect(re.test(bad)).toBe(false);
  });

  it('gives API Gateway permission to invoke the authorizer only from this authorizer', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('EdgeAuthorizerFunction'), 'Arn'] },
      SourceArn: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            Match.stringLikeRegexp('/authorizers/'),
            { Ref: Match.stringLikeRegexp('EdgeAuthorizer') },
          ]),
        ],
      },
    });
  });

  it('every protected method uses the authorizer; only public routes and OPTIONS have none', () => {
    const open = findResources(template, 'AWS::ApiGateway::Method', (p) => p.AuthorizationType === 'NONE');
    expect(open.every(([, p]) => p.HttpMethod === 'OPTIONS' || p.HttpMethod === 'GET')).toBe(true);
    const openGets = open.filter(([, p]) => p.HttpMethod === 'GET').map(([id]) => id);
    expect(openGets.sort()).toEqual([
      expect.stringMatching(/EdgeApihealthGET/),
      expect.stringMatching(/EdgeApiwellknownguardjwksjsonGET/),
    ]);
    const protectedMethods = findResources(
      template,
      'AWS::ApiGateway::Method',
      (p) => p.AuthorizationType === 'CUSTOM',
    );
    expect(protectedMethods).toHaveLength(4); // GET /orders, GET /orders/{id}, POST /orders, GET /profile
    for (const [, p] of protectedMethods) {
      expect(p.AuthorizerId).toEqual({ Ref: expect.stringMatching(/EdgeAuthorizer/) });
    }
  });

  it('answers CORS preflight from the allowlist without authorization', () => {
    expect(methodsOf('OPTIONS').length).toBeGreaterThan(0);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({
        IntegrationResponses: Match.arrayWith([
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': "'https://app.example.com'",
            }),
          }),
        ]),
      }),
    });
  });

  it('validates path parameters on every method', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.path.id': true },
      RequestValidatorId: Match.anyValue(),
    });
  });
});

describe('Lambdas: bundled with esbuild, nodejs24.x arm64, tracing, explicit log groups', () => {
  it('every function uses the baked-in defaults', () => {
    const fns = findResources(template, 'AWS::Lambda::Function');
    expect(fns).toHaveLength(5); // authorizer, guard, orders, profile, health
    for (const [, p] of fns) {
      expect(p).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      // Stack traces are mapped on demand by the formatter injected into every bundle, not by
      // Node's --enable-source-maps at every cold start.
      expect(p.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('every bundle ships its source map and starts with the on-demand stack formatter', () => {
    const root = stack.node.root;
    if (!Stage.isStage(root)) throw new Error('the stack is not in an App');
    const outdir = root.outdir;
    for (const [, p] of findResources(template, 'AWS::Lambda::Function')) {
      const assetDir = path.join(outdir, `asset.${String(p.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(fs.existsSync(path.join(assetDir, 'index.js.map'))).toBe(true);
      // Loading the bundle installs the formatter before any handler code runs (a handler that
      // fails its cold start for want of configuration here has installed it already).
      const script = [
        'const before = Error.prepareStackTrace;',
        `try { require(${JSON.stringify(path.join(assetDir, 'index.js'))}); } catch {}`,
        'process.stdout.write(String(Error.prepareStackTrace !== before));',
      ].join(' ');
      const installed = execFileSync(process.execPath, ['-e', script], {
        env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(__dirname, '..', '..', 'node_modules') },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(installed).toBe('true');
    }
  });

  it('log groups have the configured retention', () => {
    for (const [, p] of findResources(template, 'AWS::Logs::LogGroup')) expect(p.RetentionInDays).toBe(365);
  });

  it('the authorizer receives the validated auth section as AUTH_CONFIG, with its sizing', () => {
    const [authorizer] = findResources(
      template,
      'AWS::Lambda::Function',
      (p) => p.Environment?.Variables?.AUTH_CONFIG !== undefined,
    );
    expect(authorizer).toBeDefined();
    const props = authorizer![1];
    expect(JSON.parse(props.Environment.Variables.AUTH_CONFIG)).toEqual(exampleConfig().auth);
    expect(stack.edgeApi.authorizer.function).toBeDefined();
    expect(props).toMatchObject({ MemorySize: 512, Timeout: 5 });
  });

  it('roles carry no managed policies (least privilege)', () => {
    for (const [, p] of findResources(template, 'AWS::IAM::Role', (r) =>
      JSON.stringify(r.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
    )) {
      expect(p.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('request guard wiring', () => {
  it('guarded routes integrate with the guard; other routes with their backend', () => {
    const uriTarget = (p: Record<string, any>): string => JSON.stringify(p.Integration?.Uri);
    for (const [id, p] of findResources(
      template,
      'AWS::ApiGateway::Method',
      (m) => m.HttpMethod !== 'OPTIONS',
    )) {
      if (/orders/.test(id) || /wellknown/.test(id)) expect(uriTarget(p)).toMatch(/RequestGuardFunction/);
      if (/profile/.test(id)) expect(uriTarget(p)).toMatch(/ProfileBackend/);
      if (/health/.test(id)) expect(uriTarget(p)).toMatch(/HealthBackend/);
    }
  });

  it('the guard gets its config, the backend map, the tables and the signing key through the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GUARD_CONFIG: Match.anyValue(),
          GUARD_BACKENDS: Match.anyValue(),
          NONCE_TABLE_NAME: { Ref: Match.stringLikeRegexp('TablesNonces') },
          CLIENT_KEY_TABLE_NAME: { Ref: Match.stringLikeRegexp('TablesClientKeys') },
          GUARD_SIGNING_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponseSigningKey'), 'Arn'] },
        }),
      },
    });
  });

  it('gives the guard a timeout longer than the backend it waits for', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 13,
      Environment: { Variables: Match.objectLike({ GUARD_CONFIG: Match.anyValue() }) },
    });
  });

  it('creates an asymmetric P-256 signing key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('grants the guard exactly invoke on the orders backend, nonce PutItem, client-key GetItem, kms Sign/GetPublicKey', () => {
    const [policy] = findResources(template, 'AWS::IAM::Policy', (p) =>
      JSON.stringify(p.Roles).includes('RequestGuard'),
    );
    const statements = policy![1].PolicyDocument.Statement as Record<string, any>[];
    const find = (action: string) => statements.find((s) => [s.Action].flat().includes(action));
    expect(find('lambda:InvokeFunction')!.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/OrdersBackend/), 'Arn'],
    });
    expect(find('dynamodb:PutItem')!.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/TablesNonces/), 'Arn'],
    });
    expect(find('dynamodb:GetItem')!.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/TablesClientKeys/), 'Arn'],
    });
    expect(find('kms:Sign')).toMatchObject({
      Action: ['kms:Sign', 'kms:GetPublicKey'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/ResponseSigningKey/), 'Arn'] },
    });
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:\*|lambda:\*|kms:\*/);
  });

  it('API Gateway may not invoke the guarded backend directly', () => {
    const perms = findResources(template, 'AWS::Lambda::Permission', (p) =>
      JSON.stringify(p.FunctionName).includes('OrdersBackend'),
    );
    expect(perms).toHaveLength(0);
  });
});

describe('usage plans, API keys and throttling', () => {
  it('creates one usage plan per tier with throttle, quota and per-method throttles', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: Match.stringLikeRegexp('-free$'),
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [
        Match.objectLike({
          Throttle: { '/orders/POST': { RateLimit: 1, BurstLimit: 2 } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: Match.stringLikeRegexp('-standard$'),
      Quota: { Limit: 1_000_000, Period: 'MONTH' },
    });
  });

  it('creates the configured API keys (values generated by API Gateway) and binds them to their plan', () => {
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
    for (const [, p] of findResources(template, 'AWS::ApiGateway::ApiKey')) expect(p.Value).toBeUndefined();
  });

  it('sets stage-wide default throttling and per-method stage throttles', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
        Match.objectLike({
          ResourcePath: '/~1orders',
          HttpMethod: 'POST',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
      ]),
    });
  });
});

describe('logging', () => {
  it('execution logs at ERROR with data trace off on every method setting; X-Ray on', () => {
    const [stage] = findResources(template, 'AWS::ApiGateway::Stage');
    const settings = stage![1].MethodSettings as Record<string, unknown>[];
    for (const s of settings) expect(s).toMatchObject({ LoggingLevel: 'ERROR', DataTraceEnabled: false });
    expect(stage![1].TracingEnabled).toBe(true);
  });

  it('access logs are JSON with the required fields and no token-like $context.identity fields or headers', () => {
    const [stage] = findResources(template, 'AWS::ApiGateway::Stage');
    const format = stage![1].AccessLogSetting.Format as string;
    const sample = JSON.parse(format.replace(/\$context\.[A-Za-z.]+/g, '-')) as Record<string, string>;
    expect(Object.keys(sample)).toEqual(
      expect.arrayContaining([
        'requestId',
        'sourceIp',
        'httpMethod',
        'resourcePath',
        'status',
        'responseLatency',
        'principalId',
        'authorizerError',
        'authorizerLatency',
        'authorizerStatus',
        'wafStatus',
        'apiKeyId',
      ]),
    );
    const identityVars = format.match(/\$context\.identity\.[A-Za-z]+/g) ?? [];
    for (const v of identityVars) expect(ALLOWED_IDENTITY_VARIABLES).toContain(v);
    expect(format).not.toMatch(
      /\$context\.identity\.apiKey"|\$input|\$method\.request|header|authorization/i,
    );
  });

  it('creates the account-level CloudWatch role for API Gateway logging', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });
});

describe('gateway responses', () => {
  it.each(GATEWAY_RESPONSE_TYPES)('%s answers problem+json with CORS and no-store', (type) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
      }),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it.each([
    ['UNAUTHORIZED', '401', `'Bearer error="invalid_token"'`],
    ['ACCESS_DENIED', '403', `'Bearer error="insufficient_scope"'`],
  ])('%s is %s with WWW-Authenticate %s (RFC 6750)', (type, status, header) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: status,
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.WWW-Authenticate': header }),
    });
  });

  it.each([['THROTTLED'], ['QUOTA_EXCEEDED']])('%s is 429', (type) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: '429',
    });
  });

  it('no body template uses any $context variable but the request id (nothing internal is echoed)', () => {
    for (const [, p] of findResources(template, 'AWS::ApiGateway::GatewayResponse')) {
      const body = p.ResponseTemplates['application/json'] as string;
      expect(body.match(/\$[A-Za-z.]+/g)).toEqual(['$context.requestId']);
    }
  });
});

describe('WAF', () => {
  it('a REGIONAL web ACL associated with the API stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            '::/restapis/',
            '/stages/',
            { Ref: Match.stringLikeRegexp('DeploymentStageprod') },
          ]),
        ],
      },
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WafWebAcl'), 'Arn'] },
    });
  });

  it('has the managed rule groups, the per-IP rate rule, the non-canonical path rule, the size limits and the deny list', () => {
    const [acl] = findResources(template, 'AWS::WAFv2::WebACL');
    const rules = acl![1].Rules as Record<string, any>[];
    const names = rules.map((r) => r.Name);
    expect(names).toEqual([
      WAF_RULE_NAMES.ipDenyList,
      WAF_RULE_NAMES.rateLimit,
      WAF_RULE_NAMES.nonCanonicalPath,
      WAF_RULE_NAMES.headersSize,
      WAF_RULE_NAMES.authorizationHeaderSize,
      WAF_RULE_NAMES.bodySize,
      WAF_RULE_NAMES.ipReputation,
      WAF_RULE_NAMES.common,
      WAF_RULE_NAMES.knownBadInputs,
      WAF_RULE_NAMES.sqli,
    ]);
    const byName = Object.fromEntries(rules.map((r) => [r.Name, r]));
    expect(byName[WAF_RULE_NAMES.rateLimit].Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'IP',
      Limit: 1000,
      EvaluationWindowSec: 300,
    });
    // Raw URI path, no decoding: the rule looks for percent-encoded unreserved characters as sent.
    expect(byName[WAF_RULE_NAMES.nonCanonicalPath].Statement.RegexMatchStatement).toEqual({
      FieldToMatch: { UriPath: {} },
      RegexString: NON_CANONICAL_PATH_REGEX,
      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    });
    // WAF inspects only the first 8 KB of headers: larger header blocks count as a match (blocked).
    expect(byName[WAF_RULE_NAMES.headersSize].Statement.SizeConstraintStatement).toEqual({
      FieldToMatch: { Headers: { MatchPattern: { All: {} }, MatchScope: 'ALL', OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      Size: 8192,
      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    });
    expect(byName[WAF_RULE_NAMES.authorizationHeaderSize].Statement.SizeConstraintStatement).toMatchObject({
      FieldToMatch: { SingleHeader: { Name: 'authorization' } },
      ComparisonOperator: 'GT',
      Size: 8192 + 7,
    });
    expect(byName[WAF_RULE_NAMES.bodySize].Statement.SizeConstraintStatement).toMatchObject({
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      Size: 16_384,
    });
    expect(byName[WAF_RULE_NAMES.ipDenyList].Statement.OrStatement.Statements).toHaveLength(2);
    for (const r of rules)
      expect(r.Action ?? r.OverrideAction).toEqual(r.Action ? { Block: {} } : { None: {} });
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      IPAddressVersion: 'IPV4',
      Addresses: ['192.0.2.0/24'],
    });
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      IPAddressVersion: 'IPV6',
      Addresses: ['2001:db8:dead::/48'],
    });
  });

  it('sampled requests and rule match details never show those headers either (web ACL data protection)', () => {
    // Log redaction does not apply to sampled requests; only the web ACL's data protection does.
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      DataProtectionConfig: {
        DataProtections: [
          {
            Action: 'SUBSTITUTION',
            Field: {
              FieldType: 'SINGLE_HEADER',
              FieldKeys: ['authorization', 'x-api-key', 'cookie', 'signature', 'signature-input'],
            },
          },
        ],
      },
    });
  });

  it('logs to an aws-waf-logs-* group with Authorization, X-Api-Key, Cookie and the signature headers redacted', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'),
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-api-key' } },
        { SingleHeader: { Name: 'cookie' } },
        { SingleHeader: { Name: 'signature' } },
        { SingleHeader: { Name: 'signature-input' } },
      ],
      LogDestinationConfigs: [
        { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:aws-waf-logs-')])] },
      ],
    });
  });
});

describe('alarms and dashboard', () => {
  it.each([
    ['5XXError', 'AWS/ApiGateway', 5],
    ['4XXError', 'AWS/ApiGateway', 500],
    ['BlockedRequests', 'AWS/WAFV2', 1000],
    ['ThrottledRequests', 'ApiSecurityEdge', 100],
    ['RevocationStoreErrorAccepted', 'ApiSecurityEdge', 1],
  ])('alarm on %s (%s) at %d', (metric, namespace, threshold) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metric,
      Namespace: namespace,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('the insecure revocation opt-in alarm watches the authorizer service dimension its EMF carries', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RevocationStoreErrorAccepted',
      Dimensions: [{ Name: 'service', Value: 'authorizer' }],
    });
  });

  it('alarm on p99 latency', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
    });
  });

  it('alarms on every backend and guard Lambda error and every Lambda throttle', () => {
    const errors = findResources(template, 'AWS::CloudWatch::Alarm', (p) => p.MetricName === 'Errors');
    expect(errors).toHaveLength(4); // guard + 3 backends (not the authorizer: see below)
    const throttles = findResources(template, 'AWS::CloudWatch::Alarm', (p) => p.MetricName === 'Throttles');
    expect(throttles).toHaveLength(5);
  });

  it("alarms on the authorizer's failing decisions, not on its Lambda Errors (every 401 is a thrown error)", () => {
    const authorizerFn = findResources(
      template,
      'AWS::Lambda::Function',
      (p) => p.Environment?.Variables?.AUTH_CONFIG !== undefined,
    )[0]![0];
    const onAuthorizerErrors = findResources(
      template,
      'AWS::CloudWatch::Alarm',
      (p) => p.MetricName === 'Errors' && JSON.stringify(p.Dimensions).includes(authorizerFn),
    );
    expect(onAuthorizerErrors).toHaveLength(0);
    expectFailureAlarm(template, 1);
  });

  it('counts 429s from the access log with a metric filter', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        Match.objectLike({ MetricNamespace: 'ApiSecurityEdge', MetricName: 'ThrottledRequests' }),
      ],
    });
  });

  it('the dashboard shows authorizer decisions by outcome and reason next to traffic', () => {
    const [dashboard] = findResources(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard![1].DashboardBody);
    for (const outcome of ['allow', 'deny', 'unauthorized']) {
      expect(body).toContain(`Authorizer: ${outcome} by reason`);
      expect(body).toContain(`outcome=\\\\\\"${outcome}\\\\\\"`);
    }
    expect(body).toContain('AuthorizerDecision');
    expect(body).toContain('Requests and errors');
  });
});

describe('DynamoDB tables', () => {
  it('creates every edge table on demand with PITR, KMS (AWS managed key) encryption, TTL and deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const [name, ttl] of [
      ['Nonces', 'expiresAt'],
      ['ClientKeys', 'expiresAt'],
      ['Revocations', 'expiresAt'],
    ]) {
      const [table] = findResources(
        template,
        'AWS::DynamoDB::Table',
        (p) => p.TimeToLiveSpecification?.AttributeName === ttl,
      ).filter(([id]) => id.includes(name!));
      expect(table![1]).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true }, // KMS with the AWS managed key
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        DeletionProtectionEnabled: true,
      });
    }
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });
});

describe('outputs', () => {
  it('ApiUrl is the stage URL without a trailing slash, so "$API_URL/health" is a canonical path', () => {
    const value = JSON.stringify(template.findOutputs('ApiUrl').ApiUrl?.Value);
    expect(value).toMatch(/execute-api/);
    expect(value).toMatch(/"\/",\{"Ref":"[A-Za-z0-9]*Stage[A-Za-z0-9]*"\}\]\]\}$/);
  });

  it.each([
    'ApiUrl',
    'AuthorizerFunctionArn',
    'AuthorizerId',
    'NonceTableName',
    'ClientKeyTableName',
    'RevocationTableName',
    'DashboardUrl',
    'ResponseSigningKeyArn',
  ])('%s', (name) => {
    template.hasOutput(name, {});
  });
});
