import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
  GUARD_SIGNING_KEY_ID_ENV,
  type GuardConfig,
} from '../lambdas/shared/config/guard-config';
import { EdgeFunction } from './edge-function';

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
}

/**
 * The request guard Lambda in front of the backends of guarded routes, with least privilege:
 * `lambda:InvokeFunction` on exactly those backends, `dynamodb:PutItem` (conditional nonce writes) on
 * the nonce table, `dynamodb:GetItem` on the client-key table, and `kms:Sign` / `kms:GetPublicKey` on
 * the response-signing key it creates (asymmetric `ECC_NIST_P256`, `SIGN_VERIFY`).
 */
export class RequestGuard extends Construct {
  readonly function: EdgeFunction;
  /** The response-signing key. */
  readonly signingKey: kms.Key;

  constructor(scope: Construct, id: string, props: RequestGuardProps) {
    super(scope, id);
    this.signingKey = new kms.Key(this, 'ResponseSigningKey', {
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
  }
}
