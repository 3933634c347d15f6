import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { AuthorizerConfig } from '../shared/config/authorizer-config';
import { ConfigError } from '../shared/config/config-error';
import { AUTHORIZER_SERVICE_NAME } from '../shared/contracts/metrics';
import { AUTH_CONFIG_ENV, loadAuthorizerConfigFromEnv } from '../shared/config/parse-authorizer-config';
import {
  createLogger,
  createMetrics,
  type MetricsSink,
  type StructuredLogger,
} from '../shared/logging/powertools';
import { Authorizer, type AuthorizerDeps, type AuthorizerResult } from './authorizer';
import type { RevocationCheck } from './revocation-check';
import type { ClientRegistry } from './client-registry';

/** The Lambda handler, plus a way to wait for the cold-start JWKS pre-load. */
export interface AuthorizerHandler {
  (event: unknown, context?: Context): Promise<AuthorizerResult>;
  /** Resolves when the JWKS pre-load started at construction has finished. Never rejects. */
  ready(): Promise<void>;
}

/** The service name on every log line and metric. */
export const AUTHORIZER_SERVICE = AUTHORIZER_SERVICE_NAME;

/**
 * Builds an authorizer handler from a validated configuration. Starts the JWKS pre-load at once;
 * `await handler.ready()` before the first request to make sure it needs no network call.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDeps = {}): AuthorizerHandler {
  const logger = deps.logger ?? createLogger({ serviceName: AUTHORIZER_SERVICE });
  const metrics = deps.metrics ?? createMetrics(AUTHORIZER_SERVICE);
  const dynamo = sharedDynamoClient(deps.dynamo);
  const revocation =
    config.revocation === undefined
      ? undefined
      : loadRevocationCheck(config.revocation, {
          dynamo: dynamo(),
          clock: deps.clock ?? Date.now,
          logger,
          metrics,
        });
  const clients =
    config.clients === undefined
      ? undefined
      : loadClientRegistry(config.clients, { dynamo: dynamo(), clock: deps.clock ?? Date.now });
  const authorizer = new Authorizer(config, {
    ...deps,
    logger,
    metrics,
    ...(revocation === undefined ? {} : { revocation }),
    ...(clients === undefined ? {} : { clients }),
  });
  // No middleware pipeline: the request id goes on the decision line itself (Powertools'
  // injectLambdaContext middleware would cost about half a signature check per invocation), and an
  // empty middy pipeline only added work to every invocation and its stream modules to the cold start.
  const handle = (event: unknown, context?: Context): Promise<AuthorizerResult> =>
    authorizer.handle(event, typeof context?.awsRequestId === 'string' ? context.awsRequestId : undefined);
  return Object.assign(handle, { ready: () => authorizer.ready() });
}

/**
 * The one DynamoDB client of the revocation check and the client registry, created (and the SDK
 * loaded) on first use only: the AWS SDK is about half of the authorizer's cold start, and an
 * authorizer with neither feature never needs it.
 */
function sharedDynamoClient(given: DynamoDBClient | undefined): () => DynamoDBClient {
  let client = given;
  return () => {
    if (client === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred loading, see above
      const sdk = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
      client = new sdk.DynamoDBClient({
        // Fail fast: a slow store must become a fail-closed 500 well inside the authorizer timeout.
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 500, requestTimeout: 1000 },
      });
    }
    return client;
  };
}

/** Builds the revocation check, loading its module only when revocation is configured. */
function loadRevocationCheck(
  revocationConfig: NonNullable<AuthorizerConfig['revocation']>,
  deps: {
    dynamo: DynamoDBClient;
    clock: () => number;
    logger: StructuredLogger;
    metrics: MetricsSink;
  },
): RevocationCheck {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred loading, see sharedDynamoClient
  const { createRevocationCheck } = require('./revocation-check') as typeof import('./revocation-check');
  return createRevocationCheck(revocationConfig, {
    dynamo: deps.dynamo,
    env: process.env,
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}

/** Builds the client registry, loading its module only when `clients` is configured. */
function loadClientRegistry(
  clientsConfig: NonNullable<AuthorizerConfig['clients']>,
  deps: { dynamo: DynamoDBClient; clock: () => number },
): ClientRegistry {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred loading, see sharedDynamoClient
  const { createClientRegistry } = require('./client-registry') as typeof import('./client-registry');
  return createClientRegistry(clientsConfig, { dynamo: deps.dynamo, env: process.env, clock: deps.clock });
}

/**
 * A handler for a module loaded outside Lambda without `AUTH_CONFIG` (tests and tools that only want
 * `createAuthorizer`): every call fails closed with the ConfigError.
 */
function unconfigured(): AuthorizerHandler {
  const error = new ConfigError(AUTH_CONFIG_ENV, [
    { path: '', message: 'is missing or empty; provide the JSON document' },
  ]);
  return Object.assign(() => Promise.reject(error), { ready: () => Promise.resolve() });
}

const inLambda = process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

/**
 * The Lambda entry point, built once per cold start from `AUTH_CONFIG`. An invalid or (in Lambda)
 * missing configuration fails the cold start with a ConfigError naming each bad field.
 */
export const handler: AuthorizerHandler =
  inLambda || process.env.AUTH_CONFIG !== undefined
    ? createAuthorizer(loadAuthorizerConfigFromEnv())
    : unconfigured();
