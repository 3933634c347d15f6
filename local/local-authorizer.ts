import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuthorizerConfig } from '../lambdas/shared/config/authorizer-config';
import { silentLogger, silentMetrics, type StructuredLogger } from '../lambdas/shared/logging/powertools';
import type { TokenAuthorizerEvent } from './gateway/gateway';

/** The authorizer as the local gateway invokes it: event in, answer out (or `Unauthorized` thrown). */
export type LocalAuthorizer = (event: TokenAuthorizerEvent) => Promise<unknown>;

/** The part of `lambdas/authorizer/handler.ts` the local edge uses. */
interface AuthorizerModule {
  createAuthorizer(
    config: AuthorizerConfig,
    deps?: {
      clock?: () => number;
      logger?: StructuredLogger;
      metrics?: typeof silentMetrics;
      dynamo?: DynamoDBClient;
    },
  ): ((event: unknown, context?: unknown) => Promise<unknown>) & { ready?: () => Promise<void> };
}

/** How the local authorizer runs. */
export interface LocalAuthorizerOptions {
  readonly clock: () => number;
  /** Decision log lines (Powertools JSON) to stdout; off in tests. */
  readonly logDecisions: boolean;
  /** The local DynamoDB, for the revocation check (its table comes from REVOCATION_TABLE_NAME). */
  readonly dynamo?: DynamoDBClient;
}

/**
 * Builds the real authorizer (`createAuthorizer` of lambdas/authorizer/handler.ts) from the local
 * configuration and waits for its JWKS pre-load from the local identity provider, so the first
 * request already has the keys (as after a Lambda cold start). Metrics (EMF) are not printed locally.
 */
export async function loadLocalAuthorizer(
  config: AuthorizerConfig,
  options: LocalAuthorizerOptions,
): Promise<LocalAuthorizer> {
  // Loaded lazily, after the environment the stack would set is in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose
  const mod = require('../lambdas/authorizer/handler') as AuthorizerModule;
  const handler = mod.createAuthorizer(config, {
    clock: options.clock,
    metrics: silentMetrics,
    ...(options.dynamo === undefined ? {} : { dynamo: options.dynamo }),
    ...(options.logDecisions ? {} : { logger: silentLogger }),
  });
  await handler.ready?.();
  return (event) => handler(event, {});
}
