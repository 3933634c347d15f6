import { createPrivateKey, randomUUID } from 'node:crypto';
import { jtiRevocation, putRevocation } from '../cli/revocations';
import { Authorizer } from '../lambdas/authorizer/authorizer';
import { RevocationCheck } from '../lambdas/authorizer/revocation-check';
import {
  DynamoRevocationStore,
  type RevocationRecord,
  type RevocationStore,
} from '../lambdas/authorizer/revocation-store';
import type { AuthorizerConfig, RevocationConfig } from '../lambdas/shared/config/authorizer-config';
import { AUTHORIZER_SERVICE_NAME } from '../lambdas/shared/contracts/metrics';
import { REVOCATION_TABLE } from '../lambdas/shared/contracts/tables';
import { createLogger, createMetrics } from '../lambdas/shared/logging/powertools';
import { startLocalDynamo, type LocalDynamo } from '../local/dynamo/local-dynamo';
import { tokenEvent } from './bench-config';
import { BENCH_CLAIMS, mintTokens, type BenchAlgorithm, type JwtFixture } from './jwt-fixture';
import type { OurAuthorizerHandler } from './our-authorizer';

/**
 * Our handler with the token revocation check on (lambdas/authorizer/revocation-check.ts), built
 * three ways for the warm path:
 * - `cached`: the DynamoDB store on dynalite with `cacheStalenessSeconds` 300 and every key of the
 *   token pool looked up once before timing, so each timed decision is answered by the in-Lambda
 *   revocation cache (as most decisions are in a Lambda that sees the same callers again);
 * - `lookupMemory`: `cacheStalenessSeconds` 0 (a store lookup on every decision) with the store in
 *   memory: our own cost of the check (revocation keys, cache bookkeeping, the await), without the
 *   AWS SDK or a network;
 * - `lookupDynalite`: `cacheStalenessSeconds` 0 against dynalite: one BatchGetItem (4 keys, strongly
 *   consistent) through the AWS SDK over HTTP to an in-process JavaScript emulation, per decision.
 *   Timed per wall-clock second (client and emulation share the process); a real DynamoDB round trip
 *   from Lambda takes a few milliseconds instead.
 *
 * The handlers are the `Authorizer` the Lambda handler wraps (lambdas/authorizer/authorizer.ts),
 * with the deployed logger and metrics; only the store is chosen here, wrapped to count lookups.
 */

export interface RevocationChecks {
  /** A token whose jti is revoked in the store is refused by every variant. */
  readonly revokedTokenRefused: boolean;
  /** Store lookups per decision on the miss path of the `cached` variant after warm-up (should be 0). */
  readonly lookupsPerDecisionCached: number;
  /** Store lookups per decision with `cacheStalenessSeconds` 0 (must be 1). */
  readonly lookupsPerDecisionUncached: number;
  /** Revocation keys per lookup (jti, sub, iss+sub, client). */
  readonly keysPerLookup: number;
  /** Revocation items in the dynalite table while timing. */
  readonly itemsInTable: number;
}

export interface RevocationVariants {
  readonly cached: OurAuthorizerHandler;
  readonly lookupMemory: OurAuthorizerHandler;
  readonly lookupDynalite: OurAuthorizerHandler;
  readonly checks: RevocationChecks;
  close(): Promise<void>;
}

/** Unrelated revocations written to the table, so lookups do not run against an empty one. */
const OTHER_REVOCATIONS = 200;

/** A store that answers from memory (the items written to dynalite, mirrored). */
class MemoryRevocationStore implements RevocationStore {
  readonly records = new Map<string, RevocationRecord>();

  lookup(keys: readonly string[]): Promise<ReadonlyMap<string, RevocationRecord>> {
    const found = new Map<string, RevocationRecord>();
    for (const key of keys) {
      const record = this.records.get(key);
      if (record !== undefined) found.set(key, record);
    }
    return Promise.resolve(found);
  }
}

/** Wraps a store to count lookups and keys. */
function counting(store: RevocationStore): RevocationStore & { lookups: number; keys: number } {
  const counter = {
    lookups: 0,
    keys: 0,
    lookup: (keys: readonly string[]) => {
      counter.lookups++;
      counter.keys += keys.length;
      return store.lookup(keys);
    },
  };
  return counter;
}

async function refuses(handler: OurAuthorizerHandler, token: string): Promise<boolean> {
  try {
    await handler(tokenEvent(token));
    return false;
  } catch (error) {
    return error instanceof Error && error.message === 'Unauthorized';
  }
}

export async function setUpRevocationVariants(
  fixture: JwtFixture,
  alg: BenchAlgorithm,
  config: AuthorizerConfig,
): Promise<RevocationVariants> {
  const dynamo: LocalDynamo = await startLocalDynamo(0);
  try {
    const table = dynamo.tableNames[REVOCATION_TABLE.logicalName];
    if (table === undefined) throw new Error('the local DynamoDB has no revocation table');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const exp = nowSeconds + BENCH_CLAIMS.lifetimeSeconds;
    const skew = config.tokenLimits.clockSkewSeconds;
    const memory = new MemoryRevocationStore();
    // One extra token of the same key, revoked by jti; and unrelated revocations.
    const key = fixture.keys[alg];
    const [revokedToken] = mintTokens(
      alg,
      key.kid,
      createPrivateKey({ key: key.privateJwk, format: 'jwk' }),
      1,
    );
    const revokedJti = (
      JSON.parse(Buffer.from(revokedToken!.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }
    ).jti;
    const entries = [
      jtiRevocation(revokedJti, exp, nowSeconds, skew),
      ...Array.from({ length: OTHER_REVOCATIONS }, () => jtiRevocation(randomUUID(), exp, nowSeconds, skew)),
    ];
    for (const entry of entries) {
      await putRevocation(dynamo.client, table, entry);
      memory.records.set(entry.pk, { pk: entry.pk, kind: entry.kind, expiresAt: entry.expiresAt });
    }

    const build = (revocation: RevocationConfig, store: RevocationStore): OurAuthorizerHandler => {
      const logger = createLogger({ serviceName: AUTHORIZER_SERVICE_NAME });
      const metrics = createMetrics(AUTHORIZER_SERVICE_NAME);
      const check = new RevocationCheck(revocation, { store, clock: Date.now, logger, metrics });
      const authorizer = new Authorizer({ ...config, revocation }, { logger, metrics, revocation: check });
      return Object.assign((event: unknown) => authorizer.handle(event), { ready: () => authorizer.ready() });
    };
    const settings = (cacheStalenessSeconds: number): RevocationConfig => ({
      tableName: table,
      cacheStalenessSeconds,
      maxRevocationDelaySeconds: 3900,
      onStoreError: 'deny',
    });
    const cachedStore = counting(new DynamoRevocationStore(dynamo.client, table));
    const memoryStore = counting(memory);
    const dynaliteStore = counting(new DynamoRevocationStore(dynamo.client, table));
    const cached = build(settings(300), cachedStore);
    const lookupMemory = build(settings(0), memoryStore);
    const lookupDynalite = build(settings(0), dynaliteStore);
    await Promise.all([cached.ready?.(), lookupMemory.ready?.(), lookupDynalite.ready?.()]);

    const revokedTokenRefused =
      (await refuses(cached, revokedToken!)) &&
      (await refuses(lookupMemory, revokedToken!)) &&
      (await refuses(lookupDynalite, revokedToken!));
    // Warm-up of the revocation cache: every key of the pool, once.
    const tokens = fixture.tokens[alg];
    for (const token of tokens) await cached(tokenEvent(token));
    const sample = Math.min(64, tokens.length);
    const before = { cached: cachedStore.lookups, memory: memoryStore.lookups, keys: memoryStore.keys };
    for (let i = 0; i < sample; i++) {
      await cached(tokenEvent(tokens[i]!));
      await lookupMemory(tokenEvent(tokens[i]!));
    }
    const uncachedLookups = memoryStore.lookups - before.memory;
    return {
      cached,
      lookupMemory,
      lookupDynalite,
      checks: {
        revokedTokenRefused,
        lookupsPerDecisionCached: (cachedStore.lookups - before.cached) / sample,
        lookupsPerDecisionUncached: uncachedLookups / sample,
        keysPerLookup: uncachedLookups === 0 ? 0 : (memoryStore.keys - before.keys) / uncachedLookups,
        itemsInTable: entries.length,
      },
      close: () => dynamo.close(),
    };
  } catch (error) {
    await dynamo.close();
    throw error;
  }
}
