import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isAddressableClientId, TIER_PATTERN } from '../lambdas/authorizer/client-registry-store';
import type { ApiKeyControlPlane, CreatedApiKey } from './api-key-control-plane';
import { CliUsageError } from './cli-io';
import {
  deleteEntry,
  entryKey,
  entryName,
  getEntry,
  listEntries,
  putEntry,
  type ClientEntry,
  type EntryTarget,
} from './client-registry-items';

/**
 * How long a rotated-out key stays in its usage plan by default: the largest worst-case delay any
 * configuration allows (resultCacheTtlSeconds 3600 + clients.cacheStalenessSeconds 300). Pass the
 * stack's `ClientRegistryMaxDelaySeconds` output to let keys go sooner.
 */
export const DEFAULT_KEY_GRACE_SECONDS = 3900;

export interface ClientRegistryOperationsDeps {
  readonly dynamo: DynamoDBClient;
  readonly table: string;
  readonly controlPlane: ApiKeyControlPlane;
  /** The usage plan id of a tier. @throws CliUsageError when the tier has none */
  readonly usagePlanIdOf: (tier: string) => string;
  /** Epoch seconds. */
  readonly nowSeconds: () => number;
}

/** Validates a client id from the command line: what the authorizer can look up. */
export function clientTarget(clientId: string): EntryTarget {
  if (!isAddressableClientId(clientId)) {
    throw new CliUsageError(
      '--client-id must be 1–256 characters without whitespace or control characters (the authorizer looks nothing else up)',
    );
  }
  return { kind: 'client', clientId };
}

function checkTier(tier: string): string {
  if (!TIER_PATTERN.test(tier)) {
    throw new CliUsageError('--tier must be a usage plan name (1–64 letters, digits, "_" or "-")');
  }
  return tier;
}

function keyName(target: EntryTarget, nowSeconds: number): string {
  const who = target.kind === 'default' ? 'default-tier' : target.clientId.replace(/[^A-Za-z0-9._-]/g, '_');
  return `edge-client-${who.slice(0, 80)}-${String(nowSeconds)}`;
}

/**
 * The registry commands: each changes API keys in the control plane and the registry item together,
 * in an order that never leaves a client without a working key while caches still hold the old one,
 * and undoes its control-plane steps when a later step fails. Registry writes are conditional on the
 * item being unchanged since it was read (concurrent runs fail with EntryConflictError).
 *
 * A key that is replaced (rotate-key, set-tier) stays in its usage plan as the item's `previous…`
 * key: API Gateway's result cache and the authorizer's lookup cache keep handing it out for up to the
 * worst-case delay, and a deleted key would make those requests fail with 403. `prune-keys` (or the
 * next replacement) deletes it once the grace period has passed.
 */
export class ClientRegistryOperations {
  constructor(private readonly deps: ClientRegistryOperationsDeps) {}

  /** Registers a client (or the default tier) with a new key in the tier's usage plan. */
  async register(target: EntryTarget, tier: string): Promise<ClientEntry> {
    const { dynamo, table } = this.deps;
    const planId = this.deps.usagePlanIdOf(checkTier(tier));
    if ((await getEntry(dynamo, table, target)) !== undefined) {
      throw new CliUsageError(
        `${target.kind === 'default' ? 'the default tier' : target.clientId} is already registered: use set-tier or rotate-key`,
      );
    }
    const now = this.deps.nowSeconds();
    const key = await this.newKeyInPlan(target, planId, now);
    const entry: ClientEntry = {
      pk: entryKey(target),
      ...(target.kind === 'client' ? { clientId: target.clientId } : {}),
      tier,
      apiKeyId: key.id,
      apiKeyValue: key.value,
      updatedAt: now,
    };
    try {
      await putEntry(dynamo, table, entry, 'absent');
    } catch (error) {
      await this.discardKey(key.id, planId);
      throw error;
    }
    return entry;
  }

  /** Moves a registered client (or the default tier) to another tier, on a new key. */
  async setTier(
    target: EntryTarget,
    tier: string,
    graceSeconds: number,
  ): Promise<{ entry: ClientEntry; changed: boolean }> {
    const current = await this.existing(target);
    if (current.tier === checkTier(tier)) return { entry: current, changed: false };
    return { entry: await this.replaceKey(target, current, tier, graceSeconds), changed: true };
  }

  /** Gives a registered client (or the default tier) a new key in its tier. */
  async rotateKey(target: EntryTarget, graceSeconds: number): Promise<ClientEntry> {
    const current = await this.existing(target);
    return this.replaceKey(target, current, current.tier, graceSeconds);
  }

  /** Creates the default-tier item, or moves it to another tier. */
  async setDefaultTier(tier: string, graceSeconds: number): Promise<ClientEntry> {
    const target: EntryTarget = { kind: 'default' };
    const current = await getEntry(this.deps.dynamo, this.deps.table, target);
    if (current === undefined) return this.register(target, tier);
    return (await this.setTier(target, tier, graceSeconds)).entry;
  }

  /**
   * Removes a client (or the default tier) and deletes its keys at once. Until the worst-case delay
   * has passed, answers cached before the removal still name the deleted key: those requests get 403.
   */
  async remove(target: EntryTarget): Promise<ClientEntry> {
    const current = await this.existing(target);
    await deleteEntry(this.deps.dynamo, this.deps.table, current);
    await this.deleteKey(current.apiKeyId, current.tier);
    if (current.previousApiKeyId !== undefined && current.previousTier !== undefined) {
      await this.deleteKey(current.previousApiKeyId, current.previousTier);
    }
    return current;
  }

  /** Deletes every rotated-out key whose grace period has passed; returns the entries it cleaned. */
  async pruneKeys(graceSeconds: number): Promise<ClientEntry[]> {
    const { entries } = await listEntries(this.deps.dynamo, this.deps.table);
    const pruned: ClientEntry[] = [];
    const now = this.deps.nowSeconds();
    for (const entry of entries) {
      if (entry.previousApiKeyId === undefined || entry.previousTier === undefined) continue;
      if ((entry.previousRetiredAt ?? 0) + graceSeconds > now) continue;
      await this.deleteKey(entry.previousApiKeyId, entry.previousTier);
      const { previousApiKeyId: _id, previousTier: _tier, previousRetiredAt: _at, ...rest } = entry;
      await putEntry(this.deps.dynamo, this.deps.table, rest, { apiKeyId: entry.apiKeyId });
      pruned.push(entry);
    }
    return pruned;
  }

  private async existing(target: EntryTarget): Promise<ClientEntry> {
    const current = await getEntry(this.deps.dynamo, this.deps.table, target);
    if (current === undefined) {
      throw new CliUsageError(
        target.kind === 'default'
          ? 'there is no default tier: create it with set-default-tier --tier NAME'
          : `${target.clientId} is not registered (or its item is garbled: see list)`,
      );
    }
    return current;
  }

  private async replaceKey(
    target: EntryTarget,
    current: ClientEntry,
    tier: string,
    graceSeconds: number,
  ): Promise<ClientEntry> {
    const { dynamo, table } = this.deps;
    const now = this.deps.nowSeconds();
    const planId = this.deps.usagePlanIdOf(tier);
    if (current.previousApiKeyId !== undefined && current.previousTier !== undefined) {
      const until = (current.previousRetiredAt ?? 0) + graceSeconds;
      if (until > now) {
        throw new CliUsageError(
          `${entryName(current)} still has a rotated-out key in use until ${new Date(until * 1000).toISOString()} ` +
            '(caches may still hand it out): run again after that, or pass --grace 0 to delete it now',
        );
      }
      this.deps.usagePlanIdOf(current.previousTier);
      await this.deleteKey(current.previousApiKeyId, current.previousTier);
    }
    this.deps.usagePlanIdOf(current.tier); // the old key's plan must be known before anything changes
    const key = await this.newKeyInPlan(target, planId, now);
    const entry: ClientEntry = {
      pk: current.pk,
      ...(current.clientId === undefined ? {} : { clientId: current.clientId }),
      tier,
      apiKeyId: key.id,
      apiKeyValue: key.value,
      updatedAt: now,
      previousApiKeyId: current.apiKeyId,
      previousTier: current.tier,
      previousRetiredAt: now,
    };
    try {
      await putEntry(dynamo, table, entry, { apiKeyId: current.apiKeyId });
    } catch (error) {
      await this.discardKey(key.id, planId);
      throw error;
    }
    return entry;
  }

  private async newKeyInPlan(target: EntryTarget, planId: string, now: number): Promise<CreatedApiKey> {
    const { controlPlane } = this.deps;
    const key = await controlPlane.createApiKey({
      name: keyName(target, now),
      description:
        target.kind === 'default'
          ? 'Client registry: default tier (npm run clients)'
          : `Client registry: client ${target.clientId.slice(0, 200)} (npm run clients)`,
    });
    try {
      await controlPlane.addToUsagePlan(planId, key.id);
    } catch (error) {
      await controlPlane.deleteApiKey(key.id).catch(() => undefined);
      throw error;
    }
    return key;
  }

  /** Best-effort undo of {@link newKeyInPlan} after a later step failed. */
  private async discardKey(apiKeyId: string, planId: string): Promise<void> {
    await this.deps.controlPlane.removeFromUsagePlan(planId, apiKeyId).catch(() => undefined);
    await this.deps.controlPlane.deleteApiKey(apiKeyId).catch(() => undefined);
  }

  private async deleteKey(apiKeyId: string, tier: string): Promise<void> {
    await this.deps.controlPlane.removeFromUsagePlan(this.deps.usagePlanIdOf(tier), apiKeyId);
    await this.deps.controlPlane.deleteApiKey(apiKeyId);
  }
}
