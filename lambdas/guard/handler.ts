import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { parseJsonConfig } from '../shared/config/config-error';
import {
  GUARD_BACKENDS_ENV,
  GUARD_CLIENT_KEY_TABLE_ENV,
  GUARD_NONCE_TABLE_ENV,
  GUARD_SIGNING_KEY_ID_ENV,
  loadGuardConfigFromEnv,
  loadPreviousSigningKeyIdsFromEnv,
  parseGuardBackends,
} from '../shared/config/guard-config';
import { LambdaBackendInvoker } from './backend-invoker';
import { createGuard } from './create-guard';
import { requiredEnv } from './required-env';
import { KmsResponseSigner } from './kms-response-signer';

export { createGuard } from './create-guard';

// Wiring only, once per cold start. A missing or invalid setting fails the cold start (fail closed).
const config = loadGuardConfigFromEnv();
const backends = parseGuardBackends(
  // eslint-disable-next-line security/detect-object-injection -- the name is a constant
  parseJsonConfig(GUARD_BACKENDS_ENV, process.env[GUARD_BACKENDS_ENV]),
  config,
);
const signingKeyId = requiredEnv(GUARD_SIGNING_KEY_ID_ENV);
const previousSigningKeyIds = loadPreviousSigningKeyIdsFromEnv(signingKeyId);
// Fail fast: a slow DynamoDB or KMS call must become a 503 well inside the API Gateway timeout.
const sdk = { maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } };

export const handler = createGuard(config, {
  dynamo: new DynamoDBClient(sdk),
  // The nonce PutItem is never retried: a retry after a lost response would find its own write
  // and answer 401 replay to a legitimate request (see nonce-store.ts). One attempt: 503 instead.
  nonceDynamo: new DynamoDBClient({ ...sdk, maxAttempts: 1 }),
  tables: {
    nonces: requiredEnv(GUARD_NONCE_TABLE_ENV),
    clientKeys: requiredEnv(GUARD_CLIENT_KEY_TABLE_ENV),
  },
  backend: new LambdaBackendInvoker(new LambdaClient({ maxAttempts: 1 }), backends),
  responseSigner: new KmsResponseSigner(new KMSClient(sdk), signingKeyId, previousSigningKeyIds),
  logger: new Logger({ serviceName: 'guard' }),
});
