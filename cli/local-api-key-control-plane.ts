import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  addLocalApiKeyToPlan,
  createLocalApiKey,
  deleteLocalApiKey,
  removeLocalApiKeyFromPlan,
} from '../local/gateway/local-api-key-store';
import type { ApiKeyControlPlane, CreatedApiKey } from './api-key-control-plane';

/**
 * The control plane of the local edge: API keys in the local key store (items `local-apikey#<id>` in
 * the registry's table of the local DynamoDB), which the local gateway's usage meter reads. A usage
 * plan id is the tier name.
 */
export class LocalApiKeyControlPlane implements ApiKeyControlPlane {
  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
  ) {}

  async createApiKey(input: { readonly name: string; readonly description: string }): Promise<CreatedApiKey> {
    const key = await createLocalApiKey(this.dynamo, this.table, input.name);
    return { id: key.id, value: key.value };
  }

  addToUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void> {
    return addLocalApiKeyToPlan(this.dynamo, this.table, apiKeyId, usagePlanId);
  }

  removeFromUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void> {
    return removeLocalApiKeyFromPlan(this.dynamo, this.table, apiKeyId, usagePlanId);
  }

  deleteApiKey(apiKeyId: string): Promise<void> {
    return deleteLocalApiKey(this.dynamo, this.table, apiKeyId);
  }
}
