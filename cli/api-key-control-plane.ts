import {
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  NotFoundException,
  type CreateApiKeyCommandOutput,
} from '@aws-sdk/client-api-gateway';

/** An API key just created: its id and its value (the `usageIdentifierKey`). */
export interface CreatedApiKey {
  readonly id: string;
  readonly value: string;
}

/**
 * The part of API Gateway's control plane the client CLI needs: API keys and their usage plans.
 * Two implementations: {@link AwsApiKeyControlPlane} (the AWS SDK) and the local key store of
 * `npm start` (cli/local-api-key-control-plane.ts).
 */
export interface ApiKeyControlPlane {
  /** Creates an enabled API key; API Gateway (or the local store) generates its value. */
  createApiKey(input: { readonly name: string; readonly description: string }): Promise<CreatedApiKey>;
  /** Adds a key to a usage plan (CreateUsagePlanKey). */
  addToUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void>;
  /** Removes a key from a usage plan (DeleteUsagePlanKey); nothing happens when it is not in it. */
  removeFromUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void>;
  /** Deletes a key (DeleteApiKey); nothing happens when it does not exist. */
  deleteApiKey(apiKeyId: string): Promise<void>;
}

/** What {@link AwsApiKeyControlPlane} needs of an `APIGatewayClient`: `send`. */
export interface ApiGatewaySender {
  send(command: object): Promise<unknown>;
}

/** API Gateway answered CreateApiKey without an id or a value. */
export class IncompleteApiKeyError extends Error {
  override readonly name = 'IncompleteApiKeyError';
}

async function ignoreNotFound(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
}

/** API Gateway's control plane through the AWS SDK v3 (`@aws-sdk/client-api-gateway`). */
export class AwsApiKeyControlPlane implements ApiKeyControlPlane {
  constructor(private readonly client: ApiGatewaySender) {}

  async createApiKey(input: { readonly name: string; readonly description: string }): Promise<CreatedApiKey> {
    const out = (await this.client.send(
      new CreateApiKeyCommand({ name: input.name, description: input.description, enabled: true }),
    )) as CreateApiKeyCommandOutput;
    if (out.id === undefined || out.value === undefined) {
      throw new IncompleteApiKeyError('CreateApiKey returned no id or no value');
    }
    return { id: out.id, value: out.value };
  }

  async addToUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void> {
    await this.client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId, keyId: apiKeyId, keyType: 'API_KEY' }),
    );
  }

  async removeFromUsagePlan(usagePlanId: string, apiKeyId: string): Promise<void> {
    await ignoreNotFound(this.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId, keyId: apiKeyId })));
  }

  async deleteApiKey(apiKeyId: string): Promise<void> {
    await ignoreNotFound(this.client.send(new DeleteApiKeyCommand({ apiKey: apiKeyId })));
  }
}
