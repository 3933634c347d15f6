import { createHash, randomBytes } from 'node:crypto';
import { BucketSet } from './token-bucket';
import { QuotaCounter, type QuotaPeriod } from './quota';

/** A throttle: token bucket refill rate (per second) and size. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** A per-method throttle override. */
export interface MethodThrottle extends Throttle {
  readonly method: string;
  readonly path: string;
}

/** A usage plan tier (the `api.usagePlans[]` entry, in part). */
export interface UsagePlan {
  readonly name: string;
  readonly throttle: Throttle;
  readonly quota?: { readonly limit: number; readonly period: QuotaPeriod } | undefined;
  readonly methodThrottles: readonly MethodThrottle[];
}

/** An API key known to the local gateway: API Gateway generates values; locally they are random too. */
export interface LocalApiKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly plan: string;
}

/** Makes one API key (40 random characters, like API Gateway's) for a plan. */
export function generateApiKey(plan: string, name: string): LocalApiKey {
  const value = randomBytes(30).toString('base64url');
  const id = createHash('sha256').update(value).digest('hex').slice(0, 10);
  return { id, name, value, plan };
}

/** The outcome of usage-plan metering. */
export type MeterResult =
  | { readonly ok: true; readonly key: LocalApiKey | undefined }
  | {
      readonly ok: false;
      readonly response: 'INVALID_API_KEY' | 'THROTTLED' | 'QUOTA_EXCEEDED';
      readonly key: LocalApiKey | undefined;
    };

/** Settings of the usage-plan meter. */
export interface MeterSettings {
  readonly plans: readonly UsagePlan[];
  readonly keys: readonly LocalApiKey[];
  /** Stage default throttle (all clients together), a bucket of this size for each method. */
  readonly stageThrottle: Throttle;
  /** Stage per-method throttles (all clients together). */
  readonly stageMethodThrottles: readonly MethodThrottle[];
  /**
   * Keys issued at run time (the local key store of `npm run clients`), consulted for values that
   * are not among `keys`. @default only `keys`
   */
  readonly resolveKey?: (value: string) => Promise<LocalApiKey | undefined>;
}

/**
 * Usage plans and throttling: stage throttles for everyone, applied per method as API Gateway does
 * (each method has its own bucket, sized by its method throttle or else the stage default), then,
 * for methods that require an API key, the key's plan: per-method or plan throttle per key, then
 * the plan's quota. Exceeding any → 429; a required key that is missing or unknown → 403.
 *
 * A method is the one the API declares (`ANY /things`, `GET /orders/{id}`), not the request's
 * verb and path: every verb an `ANY` method serves shares its bucket, and a method throttle
 * written for `ANY` applies to them.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export class UsageMeter {
  private readonly buckets = new BucketSet();
  private readonly quotas = new QuotaCounter();
  private readonly byValue: Map<string, LocalApiKey>;
  private readonly plans: Map<string, UsagePlan>;

  constructor(private readonly settings: MeterSettings) {
    this.byValue = new Map(settings.keys.map((k) => [k.value, k]));
    this.plans = new Map(settings.plans.map((p) => [p.name, p]));
  }

  /**
   * Stage-level throttle for a declared method (before the authorizer): one bucket per method,
   * with the method's throttle or the stage default.
   * @param httpMethod the declared method (`GET`, `ANY`, `OPTIONS` for a CORS preflight)
   * @param resourcePath the declared resource (`/orders/{id}`)
   */
  stageAllows(httpMethod: string, resourcePath: string, nowMs: number): boolean {
    const override = this.settings.stageMethodThrottles.find(
      (t) => t.path === resourcePath && t.method === httpMethod,
    );
    const throttle = override ?? this.settings.stageThrottle;
    return this.buckets.tryTake(
      `stage|${httpMethod} ${resourcePath}`,
      throttle.rateLimit,
      throttle.burstLimit,
      nowMs,
    );
  }

  /** Looks up an API key value among the configured keys. */
  findKey(value: string | undefined): LocalApiKey | undefined {
    return value === undefined ? undefined : this.byValue.get(value);
  }

  /** Looks up an API key value among the configured keys, then the keys issued at run time. */
  async lookupKey(value: string | undefined): Promise<LocalApiKey | undefined> {
    if (value === undefined || value === '') return undefined;
    return this.byValue.get(value) ?? (await this.settings.resolveKey?.(value));
  }

  /** Plan metering for a method that requires an API key (configured keys only). */
  meter(keyValue: string | undefined, httpMethod: string, resourcePath: string, nowMs: number): MeterResult {
    return this.meterKey(this.findKey(keyValue), httpMethod, resourcePath, nowMs);
  }

  /**
   * Plan metering of a key already looked up (undefined: missing or unknown → INVALID_API_KEY).
   * `httpMethod` and `resourcePath` name the declared method, as for {@link stageAllows}.
   */
  meterKey(
    key: LocalApiKey | undefined,
    httpMethod: string,
    resourcePath: string,
    nowMs: number,
  ): MeterResult {
    const plan = key === undefined ? undefined : this.plans.get(key.plan);
    if (key === undefined || plan === undefined) return { ok: false, response: 'INVALID_API_KEY', key };
    const override = plan.methodThrottles.find((t) => t.path === resourcePath && t.method === httpMethod);
    const throttle = override ?? plan.throttle;
    const bucketKey = `plan|${plan.name}|${key.id}|${override === undefined ? '*' : `${httpMethod} ${resourcePath}`}`;
    if (!this.buckets.tryTake(bucketKey, throttle.rateLimit, throttle.burstLimit, nowMs)) {
      return { ok: false, response: 'THROTTLED', key };
    }
    if (
      plan.quota !== undefined &&
      !this.quotas.tryConsume(`${plan.name}|${key.id}`, plan.quota.limit, plan.quota.period, nowMs)
    ) {
      return { ok: false, response: 'QUOTA_EXCEEDED', key };
    }
    return { ok: true, key };
  }
}
