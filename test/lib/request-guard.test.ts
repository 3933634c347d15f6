/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
 * CloudFormation template JSON is untyped by nature; these infrastructure tests read it as such. */
/**
 * RequestGuard's rotation list (`previousSigningKeys`): grant and environment. The rest of the
 * construct is covered through the whole stack in edge-stack.test.ts. Bundling is skipped here
 * (`aws:cdk:bundling-stacks` = []): these tests read only IAM and the environment.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { InvalidPropertyError } from '../../lib/errors';
import { RequestGuard, type RequestGuardProps } from '../../lib/request-guard';
import {
  GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV,
  GUARD_SIGNING_KEY_ID_ENV,
  MAX_PREVIOUS_SIGNING_KEYS,
  parseGuardConfig,
} from '../../lambdas/shared/config/guard-config';

const ACCOUNT = '123456789012';
const keyArn = (n: number) => `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-0000-0000-0000-00000000000${n}`;

function factory() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const previous = (n: number) => kms.Key.fromKeyArn(stack, `Previous${n}`, keyArn(n));
  const make = (props: Partial<RequestGuardProps> = {}) =>
    new RequestGuard(stack, 'Guard', {
      config: parseGuardConfig({ routes: { 'POST /orders': { validation: 'createOrder' } } }),
      backends: new Map([
        [
          'POST /orders',
          lambda.Function.fromFunctionArn(
            stack,
            'Orders',
            `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:orders`,
          ),
        ],
      ]),
      nonceTable: dynamodb.Table.fromTableName(stack, 'Nonces', 'Nonces'),
      clientKeyTable: dynamodb.Table.fromTableName(stack, 'ClientKeys', 'ClientKeys'),
      ...props,
    });
  return { stack, previous, make };
}

/** Every statement of the guard role's policy. */
function statements(template: Template): Record<string, any>[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
}

const actionsOf = (s: Record<string, any>): string[] => [s.Action].flat();

describe('RequestGuard previousSigningKeys (rotation list)', () => {
  it('happy flow: grants kms:GetPublicKey only on the previous keys and sets the env var in order', () => {
    const { stack, previous, make } = factory();
    make({ previousSigningKeys: [previous(1), previous(2)] });
    const template = Template.fromStack(stack);

    const onPrevious = statements(template).filter((s) =>
      [s.Resource].flat().some((r) => r === keyArn(1) || r === keyArn(2)),
    );
    expect(onPrevious).toEqual([
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: [keyArn(1), keyArn(2)] },
    ]);
    // The current key keeps Sign + GetPublicKey; nothing else touches KMS.
    const kmsStatements = statements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toHaveLength(2);
    expect(kmsStatements.find((s) => actionsOf(s).includes('kms:Sign'))).toMatchObject({
      Action: ['kms:Sign', 'kms:GetPublicKey'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/ResponseSigningKey/), 'Arn'] },
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [GUARD_SIGNING_KEY_ID_ENV]: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponseSigningKey'), 'Arn'] },
          [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: `${keyArn(1)},${keyArn(2)}`,
        }),
      },
    });
  });

  it.each([
    ['without the prop', undefined],
    ['with an empty list', []],
  ])('%s: no previous-key grant and no env var', (_name, previousSigningKeys) => {
    const { stack, make } = factory();
    make({ previousSigningKeys });
    const template = Template.fromStack(stack);
    const getPublicKeyOnly = statements(template).filter(
      (s) => actionsOf(s).includes('kms:GetPublicKey') && !actionsOf(s).includes('kms:Sign'),
    );
    expect(getPublicKeyOnly).toEqual([]);
    expect(statements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([
      expect.objectContaining({ Action: ['kms:Sign', 'kms:GetPublicKey'] }),
    ]);
    const [fn, ...others] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(others).toHaveLength(0);
    expect(fn?.Properties.Environment.Variables).not.toHaveProperty(GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV);
    expect(fn?.Properties.Environment.Variables).toHaveProperty(GUARD_SIGNING_KEY_ID_ENV);
  });

  it('a key created in the same stack is referenced by its ARN (token), joined into the env var', () => {
    const { stack, previous, make } = factory();
    const old = new kms.Key(stack, 'OldSigningKey', {
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
    });
    make({ previousSigningKeys: [old, previous(1)] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [Match.stringLikeRegexp('OldSigningKey'), 'Arn'] }, `,${keyArn(1)}`],
            ],
          },
        }),
      },
    });
    expect(statements(template).find((s) => s.Action === 'kms:GetPublicKey')!.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/OldSigningKey/), 'Arn'] },
      keyArn(1),
    ]);
  });

  it(`accepts ${MAX_PREVIOUS_SIGNING_KEYS} keys`, () => {
    const { previous, make } = factory();
    const keys = Array.from({ length: MAX_PREVIOUS_SIGNING_KEYS }, (_, i) => previous(i));
    expect(() => make({ previousSigningKeys: keys })).not.toThrow();
  });

  it.each([
    [
      'more than the maximum',
      (p: (n: number) => kms.IKey) => Array.from({ length: MAX_PREVIOUS_SIGNING_KEYS + 1 }, (_, i) => p(i)),
    ],
    [
      'the same key twice',
      (p: (n: number) => kms.IKey) => {
        const k = p(1);
        return [k, k];
      },
    ],
  ])('error flow: %s → InvalidPropertyError naming previousSigningKeys and the construct', (_name, keys) => {
    const { previous, make } = factory();
    let caught: unknown;
    try {
      make({ previousSigningKeys: keys(previous) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPropertyError);
    expect(caught).toMatchObject({ property: 'previousSigningKeys', constructPath: 'Stack/Guard' });
  });

  it('rotation as docs/guard.md describes it: a new logical id creates a new key, the old (retained) one becomes a previous key', () => {
    const { stack, make } = factory();
    const old = kms.Key.fromKeyArn(stack, 'OldSigningKey', keyArn(9));
    const guard = make({ previousSigningKeys: [old] });
    (guard.signingKey.node.defaultChild as kms.CfnKey).overrideLogicalId('GuardResponseSigningKey2');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    });
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual(['GuardResponseSigningKey2']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [GUARD_SIGNING_KEY_ID_ENV]: { 'Fn::GetAtt': ['GuardResponseSigningKey2', 'Arn'] },
          [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: keyArn(9),
        }),
      },
    });
  });
});

describe('RequestGuard signingKey (bring your own key)', () => {
  it('happy flow: no key is created; Sign + GetPublicKey on the given key; its ARN is the env var', () => {
    const { stack, previous, make } = factory();
    const guard = make({ signingKey: previous(5), previousSigningKeys: [previous(1)] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(guard.signingKey.keyArn).toBe(keyArn(5));
    const kmsStatements = statements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      { Action: ['kms:Sign', 'kms:GetPublicKey'], Effect: 'Allow', Resource: keyArn(5) },
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: keyArn(1) },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [GUARD_SIGNING_KEY_ID_ENV]: keyArn(5),
          [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: keyArn(1),
        }),
      },
    });
  });

  it('error flow: the current key in the rotation list → InvalidPropertyError naming previousSigningKeys', () => {
    const { stack, previous, make } = factory();
    const current = kms.Key.fromKeyArn(stack, 'Current', keyArn(1));
    let caught: unknown;
    try {
      make({ signingKey: current, previousSigningKeys: [previous(2), previous(1)] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPropertyError);
    expect(caught).toMatchObject({ property: 'previousSigningKeys', constructPath: 'Stack/Guard' });
  });
});
