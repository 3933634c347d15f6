import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ATTACH_STACK_ID,
  buildApp,
  DEFAULT_CONFIG_PATH,
  EDGE_STACK_ID,
  optionsFromContext,
} from '../../bin/build-app';
import { ConfigError } from '../../lambdas/shared/config/config-error';
import { NAG_ACKNOWLEDGEMENTS } from '../../lib/nag-acknowledgements';
import type { EdgeConfigInput } from '../../lib/config/edge-config';
import { apiOf, exampleConfigRaw } from '../lib/edge-config-fixture';

const root = path.join(__dirname, '..', '..');
const exampleConfigPath = path.join(root, DEFAULT_CONFIG_PATH);
let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'edge-app-test-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function writeConfig(name: string, raw: unknown): string {
  const file = path.join(workDir, name);
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('cdk-nag AwsSolutions on the whole app', () => {
  it('happy flow: the default app synthesizes with no unacknowledged AwsSolutions finding', () => {
    const app = new App({ outdir: path.join(workDir, 'out-default') });
    const stack = buildApp(app, { configPath: exampleConfigPath });
    expect(stack.stackName).toBe(EDGE_STACK_ID);
    expect(() => app.synth()).not.toThrow();
  });

  it('error flow: an unacknowledged finding fails synth (the checks are really on)', () => {
    const app = new App({ outdir: path.join(workDir, 'out-nag') });
    // The small attach-mode app is enough to show the pack runs on every stack of the app.
    const stack = buildApp(app, { configPath: exampleConfigPath, mode: 'attach', restApiId: 'a1b2c3d4e5' });
    new iam.Role(stack, 'Careless', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM4/);
  });

  it('every acknowledgement carries a written reason', () => {
    for (const ack of Object.values(NAG_ACKNOWLEDGEMENTS)) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});

describe('attach-only app mode', () => {
  it('happy flow: deploys only the authorizer, registered on the existing REST API by id, and outputs its id', () => {
    const app = new App({ outdir: path.join(workDir, 'out-attach') });
    const stack = buildApp(app, {
      configPath: exampleConfigPath,
      mode: 'attach',
      restApiId: 'a1b2c3d4e5',
      rootResourceId: 'r00tr00t00',
    });
    expect(stack.stackName).toBe(ATTACH_STACK_ID);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      RestApiId: 'a1b2c3d4e5',
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':a1b2c3d4e5/authorizers/')])] },
    });
    template.hasOutput('AuthorizerId', { Value: { Ref: Match.stringLikeRegexp('Authorizer') } });
    template.hasOutput('AuthorizerFunctionArn', {});
    expect(() => app.synth()).not.toThrow();
  });

  it('happy flow: the mode comes from context (-c mode=attach -c restApiId=…)', () => {
    const app = new App({ context: { mode: 'attach', restApiId: 'a1b2c3d4e5', config: exampleConfigPath } });
    expect(optionsFromContext(app)).toEqual({
      mode: 'attach',
      restApiId: 'a1b2c3d4e5',
      configPath: exampleConfigPath,
      rootResourceId: undefined,
    });
  });

  it.each([
    [{ mode: 'attach' }, 'restApiId'],
    [{ mode: 'attach', restApiId: 'not-an-id!' }, 'restApiId'],
    [{ mode: 'attach', restApiId: 'a1b2c3d4e5', rootResourceId: 'x' }, 'rootResourceId'],
    [{ mode: 'sideways' }, 'mode'],
  ])('error flow: context %j fails naming %s', (options, field) => {
    const error = configErrorOf(() => buildApp(new App(), { configPath: exampleConfigPath, ...options }));
    expect(error.issues.map((i) => i.path)).toContain(field);
  });
});

describe('config errors fail synth naming the field', () => {
  it('error flow: a bad api field', () => {
    const raw = exampleConfigRaw();
    apiOf(raw).waf = { maxBodyBytes: 10_000_000 };
    const file = writeConfig('bad-waf.json', raw);
    const error = configErrorOf(() => buildApp(new App(), { configPath: file }));
    expect(error.issues.map((i) => i.path)).toEqual(['api.waf.maxBodyBytes']);
  });

  it('error flow: a bad auth field', () => {
    const raw = exampleConfigRaw();
    raw.auth.resultCacheTtlSeconds = 4000;
    const error = configErrorOf(() => buildApp(new App(), { configPath: writeConfig('bad-ttl.json', raw) }));
    expect(error.issues.map((i) => i.path)).toEqual(['auth.resultCacheTtlSeconds']);
  });

  it('error flow: a missing config file', () => {
    const error = configErrorOf(() => buildApp(new App(), { configPath: path.join(workDir, 'nope.json') }));
    expect(error.message).toMatch(/nope\.json/);
  });

  it.each([
    [
      'unknown backend',
      (raw: EdgeConfigInput) => {
        apiOf(raw).routes[0]!.backend = 'billing';
      },
      'api.routes[0].backend',
    ],
    [
      'API route without an auth rule',
      (raw: EdgeConfigInput) => {
        apiOf(raw).routes.push({ method: 'DELETE', path: '/orders', backend: 'orders' });
      },
      'api.routes[5]',
    ],
    [
      'guard route not served by the API',
      (raw: EdgeConfigInput) => {
        apiOf(raw).routes = apiOf(raw).routes.filter((r) => r.path !== '/orders/{id}');
      },
      'guard.routes["GET /orders/{id}"]',
    ],
    [
      'guard JWKS route not public',
      (raw: EdgeConfigInput) => {
        raw.auth.routes = raw.auth.routes.filter((r) => r.path !== '/.well-known/guard-jwks.json');
      },
      'guard.jwksPath',
    ],
    [
      'no api section',
      (raw: EdgeConfigInput) => {
        delete raw.api;
      },
      'api',
    ],
  ])('error flow: %s', (_name, change, field) => {
    const raw = structuredClone(exampleConfigRaw());
    change(raw);
    const error = configErrorOf(() => buildApp(new App(), { configPath: writeConfig('cross.json', raw) }));
    expect(error.issues.map((i) => i.path)).toContain(field);
  });
});
