/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
 * CloudFormation template JSON is untyped by nature; these infrastructure tests read it as such. */
/**
 * `api.responseSigning` through the whole stack: an existing signing key and the rotation list from
 * the config file reach the guard's grants and environment; a misplaced or wrong section fails at
 * synth naming the field. Bundling is skipped (`aws:cdk:bundling-stacks` = []): these tests read
 * only KMS resources, IAM and the guard's environment.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lambdas/shared/config/config-error';
import {
  GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV,
  GUARD_SIGNING_KEY_ID_ENV,
  MAX_PREVIOUS_SIGNING_KEYS,
} from '../../lambdas/shared/config/guard-config';
import type { EdgeConfigInput } from '../../lib/config/edge-config';
import { EdgeStack } from '../../lib/edge-stack';
import { apiOf, exampleConfig } from './edge-config-fixture';

const keyArn = (n: number) =>
  `arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-00000000000${n}`;

function synth(change: (raw: EdgeConfigInput, api: NonNullable<EdgeConfigInput['api']>) => void): Template {
  const config = exampleConfig((raw) => {
    change(raw, apiOf(raw));
  });
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new EdgeStack(app, 'Signing', { config }));
}

/** Statements of every IAM policy that mention a KMS action. */
function kmsStatements(template: Template): Record<string, any>[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Record<string, any>[])
    .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
}

/** Where synth failed: the paths of the ConfigError's issues. */
function configErrorPaths(change: Parameters<typeof synth>[0]): string[] {
  try {
    synth(change);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => i.path);
    throw error;
  }
  throw new Error('synth succeeded');
}

describe('api.responseSigning', () => {
  it('unset: the stack creates the signing key and publishes only it', () => {
    const template = synth(() => undefined);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [GUARD_SIGNING_KEY_ID_ENV]: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponseSigningKey'), 'Arn'] },
          [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: Match.absent(),
        }),
      },
    });
  });

  it('an existing key and two previous keys: no key created, Sign on the key, GetPublicKey only on the others', () => {
    const template = synth((_raw, api) => {
      api.responseSigning = { keyArn: keyArn(3), previousKeyArns: [keyArn(2), keyArn(1)] };
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(kmsStatements(template)).toEqual([
      { Action: ['kms:Sign', 'kms:GetPublicKey'], Effect: 'Allow', Resource: keyArn(3) },
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: [keyArn(2), keyArn(1)] },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [GUARD_SIGNING_KEY_ID_ENV]: keyArn(3),
          [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: `${keyArn(2)},${keyArn(1)}`,
        }),
      },
    });
    template.hasOutput('ResponseSigningKeyArn', { Value: keyArn(3) });
  });

  it('previous keys only: the created key signs, the listed ones are published', () => {
    const template = synth((_raw, api) => {
      api.responseSigning = { previousKeyArns: [keyArn(1)] };
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: keyArn(1) }) },
    });
  });

  it.each<[string, (raw: EdgeConfigInput, api: NonNullable<EdgeConfigInput['api']>) => void, string]>([
    [
      'without a guard section',
      (raw, api) => {
        delete raw.guard;
        raw.auth.routes = raw.auth.routes.filter((r) => r.path !== '/.well-known/guard-jwks.json');
        api.responseSigning = { keyArn: keyArn(1) };
      },
      'api.responseSigning',
    ],
    [
      'an alias instead of a key ARN',
      (_raw, api) => {
        api.responseSigning = { keyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/guard' };
      },
      'api.responseSigning.keyArn',
    ],
    [
      'the current key among the previous keys',
      (_raw, api) => {
        api.responseSigning = { keyArn: keyArn(1), previousKeyArns: [keyArn(2), keyArn(1)] };
      },
      'api.responseSigning.previousKeyArns[1]',
    ],
    [
      'a previous key twice',
      (_raw, api) => {
        api.responseSigning = { previousKeyArns: [keyArn(2), keyArn(2)] };
      },
      'api.responseSigning.previousKeyArns[1]',
    ],
    [
      `more than ${MAX_PREVIOUS_SIGNING_KEYS} previous keys`,
      (_raw, api) => {
        api.responseSigning = {
          previousKeyArns: Array.from({ length: MAX_PREVIOUS_SIGNING_KEYS + 1 }, (_, i) => keyArn(i)),
        };
      },
      'api.responseSigning.previousKeyArns',
    ],
  ])('error flow: %s → ConfigError naming the field', (_name, change, path) => {
    expect(configErrorPaths(change)).toEqual([path]);
  });
});
