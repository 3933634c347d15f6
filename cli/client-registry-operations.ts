import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isAddressableClientId, TIER_PATTERN } from '../lambdas/authorizer/client-registry-store';
import type { ApiKeyControlPlane, CreatedApiKey } from './api-key-control-plane';
import { CliUsageError } from './cli-io';
import {
  deleteEntry,
  entryKey,
  entryName,
  EntryConflictError,
  entryNamesApiKey,
  EntryWriteUnconfirmedError,
  getEntry,
  isGarbled,
  listEntries,
  putEntry,
  type ClientEntry,
  type EntryTarget,
  type GarbledEntry,
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

/** How the names of a client's API keys begin (`edge-client-<client>-<epoch seconds>`). */
export function keyNamePrefix(target: Pick<ClientEntry, 'clientId'>): string {
  const who =
    target.clientId === undefined ? 'default-tier' : target.clientId.replace(/[^A-Za-z0-9._-]/g, '_');
  return `edge-client-${who.slice(0, 80)}-`;
}

function keyName(target: EntryTarget, nowSeconds: number): string {
  return `${keyNamePrefix(target.kind === 'default' ? {} : { clientId: target.clientId })}${String(nowSeconds)}`;
}

function garbledRefusal(target: EntryTarget): CliUsageError {
  return target.kind === 'default'
    ? new CliUsageError('the default tier has a garbled item: run remove --default first')
    : new CliUsageError(
        `${target.clientId} has a garbled item: run remove --client-id ${target.clientId} first`,
      );
}

/** What `remove` did: the item it deleted, the keys it deleted and those it could not delete. */
export interface RemoveResult {
  readonly removed: ClientEntry | GarbledEntry;
  readonly deletedKeyIds: readonly string[];
  /** Keys still in API Gateway (or the local store): their ids and the error's name. Never a key value. */
  readonly leftoverKeys: readonly { readonly apiKeyId: string; readonly error: string }[];
}

/** What `prune-keys` did: the entries whose rotated-out key it deleted, and those that changed meanwhile. */
export interface PruneResult {
  readonly pruned: readonly ClientEntry[];
  /** Entries that changed while pruning (EntryConflictError), by name; run prune-keys again for them. */
  readonly conflicts: readonly string[];
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
    const found = await getEntry(dynamo, table, target);
    if (found !== undefined && isGarbled(found)) throw garbledRefusal(target);
    if (found !== undefined) {
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
    await this.writeNewKeyEntry(entry, 'absent', planId);
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
    if (isGarbled(current)) throw garbledRefusal(target);
    return (await this.setTier(target, tier, graceSeconds)).entry;
  }

  /**
   * Removes a client (or the default tier) and deletes its keys at once. Until the worst-case delay
   * has passed, answers cached before the removal still name the deleted key: those requests get 403.
   *
   * A garbled item is removed too (it only makes the authorizer fail closed), with a best-effort
   * deletion of the keys it still names readably. The item goes first: a key the control plane does
   * not delete is reported in {@link RemoveResult.leftoverKeys}, never silently left behind.
   */
  async remove(target: EntryTarget): Promise<RemoveResult> {
    const current = await getEntry(this.deps.dynamo, this.deps.table, target);
    if (current === undefined) throw this.notRegistered(target);
    // Plan ids first: an unknown tier of a readable entry stops the command before anything changes.
    const keys = isGarbled(current)
      ? current.apiKeys.map((k) => ({ apiKeyId: k.apiKeyId, planId: this.planIdIfKnown(k.tier) }))
      : [
          { apiKeyId: current.apiKeyId, planId: this.deps.usagePlanIdOf(current.tier) },
          ...(current.previousApiKeyId === undefined || current.previousTier === undefined
            ? []
            : [
                { apiKeyId: current.previousApiKeyId, planId: this.deps.usagePlanIdOf(current.previousTier) },
              ]),
        ];
    await deleteEntry(this.deps.dynamo, this.deps.table, current);
    const deletedKeyIds: string[] = [];
    const leftoverKeys: { apiKeyId: string; error: string }[] = [];
    for (const { apiKeyId, planId } of keys) {
      try {
        // Without a known plan, DeleteApiKey alone: API Gateway drops a deleted key from its plans.
        if (planId !== undefined) await this.deps.controlPlane.removeFromUsagePlan(planId, apiKeyId);
        await this.deps.controlPlane.deleteApiKey(apiKeyId);
        deletedKeyIds.push(apiKeyId);
      } catch (error) {
        leftoverKeys.push({ apiKeyId, error: error instanceof Error ? error.name : 'error' });
      }
    }
    return { removed: current, deletedKeyIds, leftoverKeys };
  }

  /**
   * Deletes every rotated-out key whose grace period has passed. An entry that changed meanwhile
   * (EntryConflictError) does not stop the others: it is reported in {@link PruneResult.conflicts}.
   */
  async pruneKeys(graceSeconds: number): Promise<PruneResult> {
    const { entries } = await listEntries(this.deps.dynamo, this.deps.table);
    const pruned: ClientEntry[] = [];
    const conflicts: string[] = [];
    const now = this.deps.nowSeconds();
    for (const entry of entries) {
      if (entry.previousApiKeyId === undefined || entry.previousTier === undefined) continue;
      if ((entry.previousRetiredAt ?? 0) + graceSeconds > now) continue;
      await this.deleteKey(entry.previousApiKeyId, entry.previousTier);
      const { previousApiKeyId: _id, previousTier: _tier, previousRetiredAt: _at, ...rest } = entry;
      try {
        await putEntry(this.deps.dynamo, this.deps.table, rest, { apiKeyId: entry.apiKeyId });
      } catch (error) {
        if (!(error instanceof EntryConflictError)) throw error;
        conflicts.push(entryName(entry));
        continue;
      }
      pruned.push(entry);
    }
    return { pruned, conflicts };
  }

  private notRegistered(target: EntryTarget): CliUsageError {
    return new CliUsageError(
      target.kind === 'default'
        ? 'there is no default tier: create it with set-default-tier --tier NAME'
        : `${target.clientId} is not registered`,
    );
  }

  /** The plan id of a tier, or undefined when the tier is absent or has none (best-effort clean-up). */
  private planIdIfKnown(tier: string | undefined): string | undefined {
    if (tier === undefined) return undefined;
    try {
      return this.deps.usagePlanIdOf(tier);
    } catch (error) {
      if (error instanceof CliUsageError) return undefined;
      throw error;
    }
  }

  private async existing(target: EntryTarget): Promise<ClientEntry> {
    const current = await getEntry(this.deps.dynamo, this.deps.table, target);
    if (current === undefined) throw this.notRegistered(target);
    if (isGarbled(current)) throw garbledRefusal(target);
    return current;
  }

  private async replaceKey(
    target: EntryTarget,
    current: ClientEntry,
    tier: string,
    graceSeconds: number,
  ): Promise<ClientEntry> {
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
    await this.writeNewKeyEntry(entry, { apiKeyId: current.apiKeyId }, planId);
    return entry;
  }

  /**
   * Writes an entry naming a key just created in `planId`, and undoes the key only when the write
   * provably did not land. A failed conditional write is not such a proof: with SDK retries, a put
   * whose answer was lost (timeout, 5xx) lands and its retry then fails its own condition. Deleting
   * the key then would leave the client registered on a deleted key (every request 403) and a
   * re-run refused as "already registered". So after any failure the item is read back (strongly
   * consistent): naming the new key means success; not naming it means the write failed and the
   * key is discarded; an unreadable item leaves the key in place (EntryWriteUnconfirmedError).
   */
  private async writeNewKeyEntry(
    entry: ClientEntry,
    expected: 'absent' | { readonly apiKeyId: string },
    planId: string,
  ): Promise<void> {
    const { dynamo, table } = this.deps;
    try {
      await putEntry(dynamo, table, entry, expected);
      return;
    } catch (error) {
      let landed: boolean;
      try {
        landed = await entryNamesApiKey(dynamo, table, entry.pk, entry.apiKeyId);
      } catch (readError) {
        throw new EntryWriteUnconfirmedError(
          `the registry write for ${entryName(entry)} failed (${error instanceof Error ? error.name : 'error'}) ` +
            `and the item could not be read back (${readError instanceof Error ? readError.name : 'error'}): ` +
            `API key ${entry.apiKeyId} was kept in its usage plan. Run list: if ${entryName(entry)} names ` +
            `apiKeyId=${entry.apiKeyId} the change was made; otherwise delete that key by hand ` +
            `(aws apigateway delete-api-key --api-key ${entry.apiKeyId}) and run the command again`,
          { cause: error },
        );
      }
      if (landed) return;
      await this.discardKey(entry.apiKeyId, planId);
      throw error;
    }
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
