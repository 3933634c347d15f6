import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from './lambda-bundling';

/** Properties of an {@link EdgeFunction}. */
export interface EdgeFunctionProps {
  /** Path of the handler module, e.g. `lambdas/authorizer/handler.ts`. */
  readonly entry: string;
  /** Description shown in the Lambda console. @default - none */
  readonly description?: string;
  /** Memory in MB. @default 256 */
  readonly memorySize?: number;
  /** Timeout. @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Environment variables (no secrets: they are visible in the console). @default - none */
  readonly environment?: Record<string, string>;
  /** Retention of the function's log group. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Reserved concurrency. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A `NodejsFunction` with the edge's defaults baked in:
 * - runtime `nodejs24.x` (the latest the CDK knows, as cdk-nag AwsSolutions-L1 wants), `arm64`;
 * - bundled locally with esbuild (never Docker): minified, source maps, `keepNames`, AWS SDK v3
 *   left external (the runtime ships it); stack traces mapped to the TypeScript sources on demand,
 *   not at every cold start (see lib/lambda-bundling.ts);
 * - an explicit log group with retention, and X-Ray active tracing;
 * - its own role with no managed policy: only write access to its own log group (plus X-Ray, added
 *   by tracing). Grant anything else explicitly.
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs.NodejsFunction.html
 */
export class EdgeFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: EdgeFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(role);
    const nodeProps: NodejsFunctionProps = {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      // No NODE_OPTIONS=--enable-source-maps: stack traces are mapped on demand (LAMBDA_BUNDLING.inject).
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      bundling: {
        forceDockerBundling: false,
        ...LAMBDA_BUNDLING,
        format: OutputFormat.CJS,
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        inject: [...LAMBDA_BUNDLING.inject],
      },
    };
    super(scope, id, nodeProps);
  }
}
