import * as path from 'node:path';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { AuthorizerConfig } from '../lambdas/shared/config/authorizer-config';
import { ConfigError } from '../lambdas/shared/config/config-error';
import { AUTH_CONFIG_ENV } from '../lambdas/shared/config/parse-authorizer-config';
import { REVOCATION_TABLE } from '../lambdas/shared/contracts/tables';
import { describeUnprotected, findUnprotectedMethods } from './authorization-guard';
import { deploymentAuthIssues } from './config/deployment-checks';
import { EdgeFunction } from './edge-function';
import { InvalidPropertyError } from './errors';
import { BEARER_VALIDATION_REGEX, IDENTITY_HEADER, RESULT_CACHE_TTL_LIMITS } from './identity-validation';

/** Entry of the authorizer Lambda (one handler for REST TOKEN and HTTP API payload 2.0 events). */
export const AUTHORIZER_ENTRY = path.join(__dirname, '..', 'lambdas', 'authorizer', 'handler.ts');

/** Lambda environment variables may not exceed 4 KB in total. */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * What the authorizer's policy covers, which decides whether API Gateway may cache it.
 * - `all-routes`: the policy lists every method the principal may call (this product's authorizer),
 *   so a cached policy is right for every later route.
 * - `current-route`: the policy allows only the `methodArn` of the request; caching it would give
 *   the same token 403 on other routes (or, worse, the wrong answer), so the cache TTL must be 0.
 */
export type PolicyScope = 'all-routes' | 'current-route';

/** Sizing of the authorizer function the construct creates. */
export interface JwtAuthorizerFunctionProps {
  /** Memory in MB. @default 512 */
  readonly memorySize?: number;
  /** Timeout; a timeout answers 500 (fail closed). @default Duration.seconds(5) */
  readonly timeout?: Duration;
  /** Log retention. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Reserved concurrency. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** Extra environment variables (e.g. table names). @default - only `AUTH_CONFIG` */
  readonly environment?: Record<string, string>;
}

/** Properties of a {@link JwtAuthorizer}. */
export interface JwtAuthorizerProps {
  /**
   * The REST API to register the authorizer on: a `RestApi` of this stack, one of another stack, or
   * one imported with `RestApi.fromRestApiAttributes`. Only its id is used, so the CDK's
   * "Authorizer must be attached to a RestApi" limitation does not apply.
   */
  readonly restApi: apigateway.IRestApi;
  /**
   * The validated `auth` section; passed to the function as `AUTH_CONFIG` and used by the synth guard.
   * Its issuer and JWKS URLs must be reachable from AWS: a loopback URL (`http://127.0.0.1:9400`, the
   * local identity provider) fails synth with a ConfigError naming `authConfig.issuers[i].…`.
   */
  readonly authConfig: AuthorizerConfig;
  /**
   * An existing authorizer function. Give this or `functionProps`, not both.
   * @default - a new function is bundled from `lambdas/authorizer/handler.ts`
   */
  readonly handler?: lambda.IFunction;
  /** Sizing of the new function. @default - see {@link JwtAuthorizerFunctionProps} */
  readonly functionProps?: JwtAuthorizerFunctionProps;
  /**
   * Result cache TTL, 0–3600 s (0 turns the cache off).
   * @default - `authConfig.resultCacheTtlSeconds`
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html
   */
  readonly resultsCacheTtl?: Duration;
  /** What the returned policy covers. @default 'all-routes' */
  readonly policyScope?: PolicyScope;
  /** Name of the authorizer in API Gateway. @default - the construct's unique id */
  readonly authorizerName?: string;
  /**
   * Constructs whose API Gateway methods must all be authorized or public in `authConfig.routes`;
   * synth fails otherwise. Add more with {@link JwtAuthorizer.protect}.
   * @default - `[restApi]`
   */
  readonly protectedScopes?: readonly IConstruct[];
  /**
   * The revocation table (`EdgeStack.tables.revocations`), which also holds the client registry. Used
   * only by `authConfig.revocation` / `authConfig.clients` when it is set without its own `tableName`
   * (a named table always wins: it is the one the Lambda reads): the
   * new function gets `dynamodb:BatchGetItem` on it for revocation, `dynamodb:GetItem` for the
   * registry, and its name as `REVOCATION_TABLE_NAME`.
   * @default - the tables named by `authConfig.revocation.tableName` / `authConfig.clients.tableName`;
   *   synth fails if a feature that is on has neither
   */
  readonly revocationTable?: dynamodb.ITable;
}

/**
 * A TOKEN Lambda authorizer for the product's JWT authorizer, registered with a `CfnAuthorizer` on a
 * REST API given by id. Identity source: the `Authorization` header; identity validation:
 * `Bearer <token68>` (API Gateway answers 401 without invoking the Lambda otherwise).
 *
 * Use it as `authorizer` of `addMethod` on resources of that API. At synth it fails when a method of
 * a protected API has no authorization and is not listed public, when caching is on for a
 * route-specific policy, and (ConfigError) when an issuer or JWKS URL is a loopback URL, which only
 * the local edge can reach.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
export class JwtAuthorizer extends Construct implements apigateway.IAuthorizer {
  /** Id of the authorizer, for methods and for the attach-only app's output. */
  readonly authorizerId: string;
  readonly authorizationType = apigateway.AuthorizationType.CUSTOM;
  /** The authorizer function. */
  readonly handler: lambda.IFunction;
  /** The function this construct created, if it created one. */
  readonly function?: EdgeFunction;
  /** The result cache TTL in seconds. */
  readonly resultsCacheTtlSeconds: number;
  /**
   * Worst-case revocation delay in seconds (result cache TTL + `revocation.cacheStalenessSeconds`);
   * undefined when revocation is off. Also a stack output.
   */
  readonly revocationDelaySeconds?: number;
  /**
   * Worst-case delay in seconds until a client registry change (registration, tier, key) is in every
   * answer: result cache TTL + `clients.cacheStalenessSeconds`; undefined when the registry is off.
   * Also a stack output.
   */
  readonly clientRegistryDelaySeconds?: number;
  private readonly protectedScopes: IConstruct[];
  private readonly authConfig: AuthorizerConfig;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    const deploymentIssues = deploymentAuthIssues(props.authConfig, 'authConfig');
    if (deploymentIssues.length > 0) {
      throw new ConfigError(`authConfig of ${this.node.path}`, deploymentIssues);
    }
    this.authConfig = props.authConfig;
    const ttl =
      props.resultsCacheTtl?.toSeconds({ integral: false }) ?? props.authConfig.resultCacheTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < RESULT_CACHE_TTL_LIMITS.min || ttl > RESULT_CACHE_TTL_LIMITS.max) {
      throw new InvalidPropertyError(
        this.node.path,
        'resultsCacheTtl',
        `must be a whole number of seconds between ${RESULT_CACHE_TTL_LIMITS.min} and ${RESULT_CACHE_TTL_LIMITS.max} (got ${ttl})`,
      );
    }
    const policyScope = props.policyScope ?? 'all-routes';
    if (policyScope === 'current-route' && ttl > 0) {
      throw new InvalidPropertyError(
        this.node.path,
        'resultsCacheTtl',
        `must be 0 when policyScope is 'current-route' (got ${ttl}): API Gateway would reuse a policy ` +
          'made for one route on every other route the same token calls',
      );
    }
    if (props.handler !== undefined && props.functionProps !== undefined) {
      throw new InvalidPropertyError(this.node.path, 'handler', 'and functionProps are exclusive: give one');
    }
    this.resultsCacheTtlSeconds = ttl;
    const revocation = props.authConfig.revocation;
    if (revocation !== undefined) {
      const delay = ttl + revocation.cacheStalenessSeconds;
      if (delay > revocation.maxRevocationDelaySeconds) {
        throw new InvalidPropertyError(
          this.node.path,
          'authConfig.revocation.maxRevocationDelaySeconds',
          `is ${revocation.maxRevocationDelaySeconds} s, but the worst-case revocation delay resultsCacheTtl ` +
            `(${ttl} s) + authConfig.revocation.cacheStalenessSeconds (${revocation.cacheStalenessSeconds} s) = ` +
            `${delay} s exceeds it: lower either, or raise the limit`,
        );
      }
      this.revocationDelaySeconds = delay;
    }
    // A table named in the configuration is the one the Lambda reads, so it is the one granted;
    // `props.revocationTable` serves the features that name none.
    const revocationTable =
      revocation === undefined
        ? undefined
        : revocation.tableName === undefined
          ? props.revocationTable
          : dynamodb.Table.fromTableName(this, 'RevocationTable', revocation.tableName);
    if (revocation !== undefined && props.handler === undefined && revocationTable === undefined) {
      throw new InvalidPropertyError(
        this.node.path,
        'revocationTable',
        'is required when authConfig.revocation is set (or set authConfig.revocation.tableName)',
      );
    }
    const clients = props.authConfig.clients;
    if (clients !== undefined) this.clientRegistryDelaySeconds = ttl + clients.cacheStalenessSeconds;
    const registryTable =
      clients === undefined
        ? undefined
        : clients.tableName === undefined
          ? props.revocationTable
          : clients.tableName === revocation?.tableName
            ? revocationTable
            : dynamodb.Table.fromTableName(this, 'ClientRegistryTable', clients.tableName);
    if (clients !== undefined && props.handler === undefined && registryTable === undefined) {
      throw new InvalidPropertyError(
        this.node.path,
        'revocationTable',
        'is required when authConfig.clients is set (or set authConfig.clients.tableName)',
      );
    }
    // REVOCATION_TABLE_NAME: the table of the features that name none of their own (else, for the
    // record, the named one; the Lambda reads a configured tableName first).
    const envTable =
      (revocation !== undefined && revocation.tableName === undefined) ||
      (clients !== undefined && clients.tableName === undefined)
        ? props.revocationTable
        : (revocationTable ?? registryTable);

    if (props.handler === undefined) {
      const environment = {
        ...props.functionProps?.environment,
        [AUTH_CONFIG_ENV]: JSON.stringify(props.authConfig),
        ...(envTable === undefined ? {} : { [REVOCATION_TABLE.envVar]: envTable.tableName }),
      };
      const envBytes = Object.entries(environment).reduce(
        (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
        0,
      );
      if (envBytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
        throw new InvalidPropertyError(
          this.node.path,
          'authConfig',
          `is too large for the Lambda environment (${envBytes} bytes with the other variables; the limit is ${LAMBDA_ENVIRONMENT_LIMIT_BYTES})`,
        );
      }
      const fn = new EdgeFunction(this, 'Function', {
        entry: AUTHORIZER_ENTRY,
        description: 'JWT authorizer (REST TOKEN and HTTP API payload 2.0)',
        memorySize: props.functionProps?.memorySize ?? 512,
        timeout: props.functionProps?.timeout ?? Duration.seconds(5),
        logRetention: props.functionProps?.logRetention,
        reservedConcurrentExecutions: props.functionProps?.reservedConcurrentExecutions,
        environment,
      });
      this.function = fn;
      this.handler = fn;
      // One BatchGetItem per uncached revocation check, one GetItem per uncached registry lookup;
      // nothing else (no Query/Scan, no writes: the operator CLI writes).
      revocationTable?.grant(fn, 'dynamodb:BatchGetItem');
      registryTable?.grant(fn, 'dynamodb:GetItem');
    } else {
      this.handler = props.handler;
    }

    const stack = Stack.of(this);
    const authorizer = new apigateway.CfnAuthorizer(this, 'Resource', {
      restApiId: props.restApi.restApiId,
      name: props.authorizerName ?? this.node.addr,
      type: 'TOKEN',
      identitySource: `method.request.header.${IDENTITY_HEADER}`,
      identityValidationExpression: BEARER_VALIDATION_REGEX,
      authorizerResultTtlInSeconds: ttl,
      authorizerUri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${this.handler.functionArn}/invocations`,
    });
    this.authorizerId = authorizer.ref;

    new lambda.CfnPermission(this, 'InvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: this.handler.functionArn,
      principal: 'apigateway.amazonaws.com',
      sourceArn: stack.formatArn({
        service: 'execute-api',
        resource: props.restApi.restApiId,
        resourceName: `authorizers/${this.authorizerId}`,
      }),
    });

    if (this.revocationDelaySeconds !== undefined) {
      new CfnOutput(this, 'RevocationMaxDelaySeconds', {
        value: String(this.revocationDelaySeconds),
        description:
          'Worst-case token revocation delay in seconds: authorizer result cache TTL + in-Lambda revocation cache staleness',
      });
    }
    if (this.clientRegistryDelaySeconds !== undefined) {
      new CfnOutput(this, 'ClientRegistryMaxDelaySeconds', {
        value: String(this.clientRegistryDelaySeconds),
        description:
          'Worst-case delay in seconds of a client registration, tier or key change: authorizer result cache TTL + ' +
          'in-Lambda client registry cache staleness (keep a rotated-out key this long: npm run clients -- prune-keys --grace)',
      });
    }

    this.protectedScopes = [...(props.protectedScopes ?? [props.restApi])];
    this.node.addValidation({ validate: () => this.validateProtectedScopes() });
  }

  /** Adds a construct (an API, or an imported API with methods added to it) to the synth guard. */
  protect(scope: IConstruct): void {
    this.protectedScopes.push(scope);
  }

  /** Method options for a protected method. */
  methodOptions(): { authorizer: apigateway.IAuthorizer; authorizationType: apigateway.AuthorizationType } {
    return { authorizer: this, authorizationType: this.authorizationType };
  }

  private validateProtectedScopes(): string[] {
    const errors: string[] = [];
    for (const scope of this.protectedScopes) {
      for (const method of findUnprotectedMethods(scope, this.authConfig.routes)) {
        errors.push(describeUnprotected(method));
      }
    }
    return errors;
  }
}
