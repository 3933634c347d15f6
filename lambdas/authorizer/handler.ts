import type { Context } from 'aws-lambda';
import type { AuthorizerConfig } from '../shared/config/authorizer-config';
import { ConfigError } from '../shared/config/config-error';
import { AUTH_CONFIG_ENV, loadAuthorizerConfigFromEnv } from '../shared/config/parse-authorizer-config';
import { createLogger, createMetrics } from '../shared/logging/powertools';
import { Authorizer, type AuthorizerDeps, type AuthorizerResult } from './authorizer';
import { middy } from './middy';

/** The Lambda handler, plus a way to wait for the cold-start JWKS pre-load. */
export interface AuthorizerHandler {
  (event: unknown, context?: Context): Promise<AuthorizerResult>;
  /** Resolves when the JWKS pre-load started at construction has finished. Never rejects. */
  ready(): Promise<void>;
}

/** The service name on every log line and metric. */
export const AUTHORIZER_SERVICE = 'authorizer';

/**
 * Builds an authorizer handler from a validated configuration. Starts the JWKS pre-load at once;
 * `await handler.ready()` before the first request to make sure it needs no network call.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDeps = {}): AuthorizerHandler {
  const logger = deps.logger ?? createLogger({ serviceName: AUTHORIZER_SERVICE });
  const metrics = deps.metrics ?? createMetrics(AUTHORIZER_SERVICE);
  const authorizer = new Authorizer(config, { ...deps, logger, metrics });
  // The request id goes on the decision line itself: Powertools' injectLambdaContext middleware would
  // cost about half a signature check per invocation.
  const pipeline = middy<unknown, AuthorizerResult>().handler((event: unknown, context: Context) =>
    authorizer.handle(event, typeof context.awsRequestId === 'string' ? context.awsRequestId : undefined),
  );
  const handle = (event: unknown, context?: Context): Promise<AuthorizerResult> =>
    pipeline(event, context ?? ({} as Context));
  return Object.assign(handle, { ready: () => authorizer.ready() });
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
