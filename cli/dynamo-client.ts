import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB client for the operator CLIs: `--endpoint` (or DYNAMODB_ENDPOINT) targets a local
 * DynamoDB such as the local edge's dynalite, with dummy credentials; otherwise the SDK's default
 * credential chain and `--region` (or AWS_REGION) apply.
 */
export function dynamoClientFrom(
  values: { endpoint?: string; region?: string },
  env: NodeJS.ProcessEnv,
): DynamoDBClient {
  const endpoint = values.endpoint ?? env.DYNAMODB_ENDPOINT;
  const region = values.region ?? env.AWS_REGION ?? (endpoint === undefined ? undefined : 'local');
  return new DynamoDBClient({
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined
      ? {}
      : { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }),
  });
}
