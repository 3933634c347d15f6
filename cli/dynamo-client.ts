import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB client for the operator CLIs: `--endpoint` (or DYNAMODB_ENDPOINT) targets a local
 * DynamoDB such as the local edge's dynalite, with dummy credentials; otherwise the SDK's default
 * credential chain and `--region` (or AWS_REGION) apply, with the SDK's default retries (3 attempts).
 * A retried conditional write can fail its own condition after its first attempt landed and the
 * answer was lost: writers read the item back before concluding anything from a failure (see
 * ClientRegistryOperations' registry writes and putRevocation).
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

/** A flat record as a DynamoDB item: strings as S, numbers as N; other members (undefined) are left out. */
export function flatItem(record: object): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(record).flatMap(([name, value]): [string, AttributeValue][] =>
      typeof value === 'number'
        ? [[name, { N: String(value) }]]
        : typeof value === 'string'
          ? [[name, { S: value }]]
          : [],
    ),
  );
}
