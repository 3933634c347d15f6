import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RevocationConfig } from '../shared/config/authorizer-config';
import { REVOCATION_STORE_ERROR_ACCEPTED_METRIC } from '../shared/contracts/metrics';
import type { MetricsSink, StructuredLogger } from '../shared/logging/powertools';
import { RevocationUnavailableError, TokenRevokedError } from './errors';
import {
  clientRevocationKey,
  DynamoRevocationStore,
  jtiRevocationKey,
  subjectRevocationKey,
  type RevocationRecord,
  type RevocationStore,
} from './revocation-store';
import { StalenessCache } from './staleness-cache';
import { storeTableName } from './store-table-name';

/** What the revocation check needs to know of a verified token. Empty strings mean "absent". */
export interface RevocationSubject {
  readonly sub: string;
  readonly iss: string;
  readonly jti: string;
  readonly clientId: string;
  /** Epoch seconds. */
  readonly iat: number;
}

export interface RevocationCheckDeps {
  readonly store: RevocationStore;
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly logger: StructuredLogger;
  readonly metrics: MetricsSink;
}

/** Lookups kept in the in-Lambda cache; the oldest is dropped first. */
export const REVOCATION_CACHE_MAX_ENTRIES = 10_000;

/** The revocation keys that concern a token, in lookup order. */
export function revocationKeysOf(subject: RevocationSubject): string[] {
  const keys: string[] = [];
  if (subject.jti !== '') keys.push(jtiRevocationKey(subject.jti));
  keys.push(subjectRevocationKey(subject.sub), subjectRevocationKey(subject.sub, subject.iss));
  if (subject.clientId !== '') keys.push(clientRevocationKey(subject.clientId));
  return keys;
}

/** True when `record` (still within its TTL at `nowSeconds`) revokes the token. */
export function revokes(record: RevocationRecord, subject: RevocationSubject, nowSeconds: number): boolean {
  if (record.expiresAt <= nowSeconds) return false;
  if (record.kind === 'jti') return true;
  return subject.iat < (record.revokedBefore ?? Number.POSITIVE_INFINITY);
}

/** @throws TokenRevokedError when `record` revokes the token */
function assertNotRevoking(
  record: RevocationRecord | undefined,
  subject: RevocationSubject,
  nowSeconds: number,
): void {
  if (record !== undefined && revokes(record, subject, nowSeconds)) {
    throw new TokenRevokedError(`token revoked (${record.kind})`, { claim: claimOf(record) });
  }
}

/**
 * Checks a verified token against the revocation store, with an in-Lambda cache of lookups (found
 * and not found alike) that is at most `cacheStalenessSeconds` old. It runs on every decision,
 * including decision-cache hits, so a revocation takes effect in this Lambda within the staleness
 * bound; API Gateway's result cache adds its TTL on top.
 */
export class RevocationCheck {
  private readonly cache: StalenessCache<RevocationRecord | undefined>;

  constructor(
    private readonly config: RevocationConfig,
    private readonly deps: RevocationCheckDeps,
  ) {
    this.cache = new StalenessCache(config.cacheStalenessSeconds * 1000, REVOCATION_CACHE_MAX_ENTRIES);
  }

  /**
   * Resolves when the token is not revoked (or when the store failed under the insecure opt-in).
   * @param keys the subject's revocation keys ({@link RevocationCheck.keysOf}), when the caller keeps them
   * @throws TokenRevokedError when a revocation applies (401)
   * @throws RevocationUnavailableError when the store cannot be read and `onStoreError` is `deny`
   */
  async check(
    subject: RevocationSubject,
    keys: readonly string[] = revocationKeysOf(subject),
  ): Promise<void> {
    const now = this.deps.clock();
    const nowSeconds = Math.floor(now / 1000);
    const missing: string[] = [];
    // A revocation this Lambda already knows applies first, whatever the store says now: under the
    // insecure opt-in a failing lookup of the other keys must not readmit a known-revoked user/client.
    for (const key of keys) {
      const cached = this.cache.get(key, now);
      if (cached === undefined) missing.push(key);
      else assertNotRevoking(cached.value, subject, nowSeconds);
    }
    if (missing.length === 0) return;
    let found: ReadonlyMap<string, RevocationRecord>;
    try {
      found = await this.deps.store.lookup(missing);
    } catch (cause) {
      this.onStoreError(subject, cause);
      return;
    }
    for (const key of missing) {
      const record = found.get(key);
      this.cache.set(key, record, now);
      assertNotRevoking(record, subject, nowSeconds);
    }
  }

  /** The revocation keys of a subject, for callers that check the same subject repeatedly. */
  keysOf(subject: RevocationSubject): readonly string[] {
    return revocationKeysOf(subject);
  }

  private onStoreError(subject: RevocationSubject, cause: unknown): void {
    if (this.config.onStoreError !== 'ALLOW_ON_STORE_ERROR_INSECURE') {
      throw new RevocationUnavailableError('the revocation store could not be read', { cause });
    }
    this.deps.logger.warn('revocation store unreadable; request ACCEPTED (ALLOW_ON_STORE_ERROR_INSECURE)', {
      reason: 'revocation_unavailable',
      onStoreError: this.config.onStoreError,
      sub: subject.sub,
      iss: subject.iss,
      jti: subject.jti === '' ? undefined : subject.jti,
      errorName: cause instanceof Error ? cause.name : 'unknown',
    });
    this.deps.metrics.addMetric(REVOCATION_STORE_ERROR_ACCEPTED_METRIC, 'Count', 1);
    this.deps.metrics.publishStoredMetrics();
  }
}

function claimOf(record: RevocationRecord): string {
  if (record.kind === 'jti') return 'jti';
  return record.kind === 'client' ? 'client_id' : 'sub';
}

/**
 * Builds the check for a configuration with a `revocation` section: the table is
 * `revocation.tableName`, else the `REVOCATION_TABLE_NAME` environment variable.
 * @throws ConfigError when neither names a table (fail closed at cold start)
 */
export function createRevocationCheck(
  config: RevocationConfig,
  deps: {
    readonly dynamo: DynamoDBClient;
    readonly env: NodeJS.ProcessEnv;
    readonly clock: () => number;
    readonly logger: StructuredLogger;
    readonly metrics: MetricsSink;
  },
): RevocationCheck {
  const tableName = storeTableName('auth.revocation', config.tableName, deps.env);
  return new RevocationCheck(config, {
    store: new DynamoRevocationStore(deps.dynamo, tableName),
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
