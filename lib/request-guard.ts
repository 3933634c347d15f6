import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  GUARD_BACKENDS_ENV,
  GUARD_CLIENT_KEY_TABLE_ENV,
  GUARD_CONFIG_ENV,
  GUARD_NONCE_TABLE_ENV,
  GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV,
  GUARD_SIGNING_KEY_ID_ENV,
  MAX_PREVIOUS_SIGNING_KEYS,
  type GuardConfig,
} from '../lambdas/shared/config/guard-config';
import { EdgeFunction } from './edge-function';
import { InvalidPropertyError } from './errors';

/** Entry of the request guard Lambda. */
export const GUARD_ENTRY = path.join(__dirname, '..', 'lambdas', 'guard', 'handler.ts');

/** Properties of {@link RequestGuard}. */
export interface RequestGuardProps {
  /** The validated `guard` section. */
  readonly config: GuardConfig;
  /** Backend function of each guarded route key (`POST /orders`); the guard may invoke exactly these. */
  readonly backends: ReadonlyMap<string, lambda.IFunction>;
  readonly nonceTable: dynamodb.ITable;
  readonly clientKeyTable: dynamodb.ITable;
  /** Extra environment variables (e.g. the CORS allowlist). @default - none */
  readonly environment?: Record<string, string>;
  /** Memory in MB. @default 512 */
  readonly memorySize?: number;
  /**
   * Timeout; must exceed the backends' timeout, since the guard waits for them.
   * @default Duration.seconds(15)
   */
  readonly timeout?: Duration;
  /** Log retention. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The response-signing key: an existing asymmetric KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`), e.g.
   * `kms.Key.fromKeyArn(...)`. The guard gets `kms:Sign` and `kms:GetPublicKey` on it; its key policy
   * must let the account's IAM policies grant that (the default key policy does). The key's type is
   * not checked at synth (an imported key's spec is unknown); a key of another type makes every
   * signed route answer 503 and the guard logs why.
   * @default - a new asymmetric key the construct creates and keeps on stack deletion
   *   (`RemovalPolicy.RETAIN`)
   */
  readonly signingKey?: kms.IKey;
  /**
   * Previous response-signing keys (rotation list, at most 5): their public keys are published in
   * the JWKS after the current key so clients can verify responses signed before a rotation; they
   * never sign. The guard gets `kms:GetPublicKey` (only) on each; their ARNs reach the Lambda as
   * `GUARD_PREVIOUS_SIGNING_KEY_IDS`. Pass asymmetric `ECC_NIST_P256` keys, e.g.
   * `kms.Key.fromKeyArn(...)`; a key that cannot be read makes the JWKS route answer 503, so remove a
   * key here before disabling or deleting it.
   * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html
   * @default - none: the JWKS publishes only the current key
   */
  readonly previousSigningKeys?: readonly kms.IKey[];
}

/**
 * The request guard Lambda in front of the backends of guarded routes, with least privilege:
 * `lambda:InvokeFunction` on exactly those backends, `dynamodb:PutItem` (conditional nonce writes) on
 * the nonce table, `dynamodb:GetItem` on the client-key table, and `kms:Sign` / `kms:GetPublicKey` on
 * the response-signing key it creates (asymmetric `ECC_NIST_P256`, `SIGN_VERIFY`), and
 * `kms:GetPublicKey` only on the previous keys of the rotation list (`previousSigningKeys`). Bring
 * your own signing key with `signingKey`.
 */
export class RequestGuard extends Construct {
  readonly function: EdgeFunction;
  /** The response-signing key: the one given as `signingKey`, or the one the construct created. */
  readonly signingKey: kms.IKey;

  constructor(scope: Construct, id: string, props: RequestGuardProps) {
    super(scope, id);
    const previousKeys = props.previousSigningKeys ?? [];
    if (previousKeys.length > MAX_PREVIOUS_SIGNING_KEYS) {
      throw new InvalidPropertyError(
        this.node.path,
        'previousSigningKeys',
        `lists ${previousKeys.length} keys; at most ${MAX_PREVIOUS_SIGNING_KEYS} are allowed (drop keys no client still needs)`,
      );
    }
    const previousArns = previousKeys.map((key) => key.keyArn);
    if (new Set(previousArns).size !== previousArns.length) {
      throw new InvalidPropertyError(this.node.path, 'previousSigningKeys', 'lists the same key twice');
    }
    const givenKeyArn = props.signingKey?.keyArn;
    if (givenKeyArn !== undefined && !Token.isUnresolved(givenKeyArn) && previousArns.includes(givenKeyArn)) {
      throw new InvalidPropertyError(
        this.node.path,
        'previousSigningKeys',
        'lists the current signingKey; a previous key must be an older key that no longer signs',
      );
    }
    this.signingKey =
      props.signingKey ??
      new kms.Key(this, 'ResponseSigningKey', {
        keySpec: kms.KeySpec.ECC_NIST_P256,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        description: 'Signs request guard responses (RFC 9421, ecdsa-p256-sha256)',
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const stack = Stack.of(this);
    const backendNames = Object.fromEntries([...props.backends].map(([key, fn]) => [key, fn.functionName]));
    this.function = new EdgeFunction(this, 'Function', {
      entry: GUARD_ENTRY,
      description: 'Request guard: validation, signed requests, replay protection, signed responses',
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(15),
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        [GUARD_CONFIG_ENV]: JSON.stringify(props.config),
        [GUARD_BACKENDS_ENV]: stack.toJsonString(backendNames),
        [GUARD_NONCE_TABLE_ENV]: props.nonceTable.tableName,
        [GUARD_CLIENT_KEY_TABLE_ENV]: props.clientKeyTable.tableName,
        [GUARD_SIGNING_KEY_ID_ENV]: this.signingKey.keyArn,
        ...(previousArns.length > 0 ? { [GUARD_PREVIOUS_SIGNING_KEY_IDS_ENV]: previousArns.join(',') } : {}),
      },
    });
    const uniqueBackends = [...new Set([...props.backends.values()])];
    if (uniqueBackends.length > 0) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: uniqueBackends.map((fn) => fn.functionArn),
        }),
      );
    }
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [props.nonceTable.tableArn] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.clientKeyTable.tableArn] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Sign', 'kms:GetPublicKey'],
        resources: [this.signingKey.keyArn],
      }),
    );
    if (previousArns.length > 0) {
      // Previous keys only publish their public key; they must never sign.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['kms:GetPublicKey'], resources: previousArns }),
      );
    }
  }
}
