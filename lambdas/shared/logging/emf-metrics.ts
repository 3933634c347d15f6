/**
 * A lean CloudWatch Embedded Metric Format (EMF) emitter that writes the documents Powertools Metrics
 * writes for the calls the edge makes (`addDimension`, `addMetric`, `publishStoredMetrics`): same
 * keys, same order, same values, one JSON line on stdout (checked against the real Powertools
 * Metrics in test/lambdas/shared/logging/emf-metrics.test.ts). Where they differ, the edge never
 * goes: a `service` dimension cannot be replaced here, and names that look like integers keep
 * their insertion order here (JavaScript objects move them to the front in Powertools' output).
 *
 * One instance serves every invocation of an execution environment, also where Lambda runs
 * invocations concurrently: each `addDimension … publishStoredMetrics` sequence of the edge runs
 * synchronously (DecisionCounter.flush, the revocation check's counter), so no two invocations'
 * dimensions can mix, and Powertools' per-invocation storage is not needed.
 *
 * Why not Powertools Metrics itself: the authorizer sits on every request's critical path, and
 * loading and constructing Powertools Metrics (its own `Console`, per-invocation storage, validation
 * machinery) costs about 4 ms of each cold start, a seventh of the authorizer's budget. The same
 * trade as the lean JSON logger (json-logger.ts).
 *
 * Honoured from the Powertools environment: `POWERTOOLS_METRICS_DISABLED` (and `POWERTOOLS_DEV`,
 * which disables metrics unless `POWERTOOLS_METRICS_DISABLED` says otherwise). Not offered: default
 * dimensions other than `service`, metadata, high resolution, the cold-start metric, and the warning
 * Powertools prints when asked to publish nothing (this emitter then writes nothing).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

import type { MetricsSink } from './powertools';

/** EMF allows 30 dimensions per set; Powertools reserves one for `service`. */
const MAX_DIMENSIONS = 29;
/** Powertools publishes on its own at 100 metrics in a document or 100 values of one metric. */
const MAX_METRICS = 100;
const MAX_VALUES = 100;

const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);
const FALSY = new Set(['0', 'n', 'no', 'f', 'false', 'off']);

export interface EmfMetricsOptions {
  /** CloudWatch namespace of every metric. */
  readonly namespace: string;
  /** Value of the `service` dimension on every metric. */
  readonly serviceName: string;
  /** The environment to read the switches from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where each EMF line goes. @default process.stdout.write */
  readonly write?: (line: string) => void;
  /** Epoch milliseconds of the document's `Timestamp`. @default Date.now */
  readonly clock?: () => number;
}

/** A boolean Powertools environment switch, parsed as Powertools parses it; undefined when unset. */
function envSwitch(env: Readonly<Record<string, string | undefined>>, key: string): boolean | undefined {
  // eslint-disable-next-line security/detect-object-injection -- one of two fixed keys
  const raw = env[key];
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (TRUTHY.has(value)) return true;
  if (FALSY.has(value)) return false;
  throw new Error(`Environment variable ${key} must be a boolean (true or false), got "${raw}"`);
}

/** Whether Powertools Metrics would be disabled in this environment. */
export function metricsDisabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const disabled = envSwitch(env, 'POWERTOOLS_METRICS_DISABLED');
  if (disabled !== undefined) return disabled;
  try {
    return envSwitch(env, 'POWERTOOLS_DEV') ?? false;
  } catch {
    // Powertools treats an unparsable POWERTOOLS_DEV as "not dev mode".
    return false;
  }
}

interface StoredMetric {
  readonly unit: string;
  readonly values: number[];
}

/** EMF documents on stdout, as Powertools Metrics writes them. */
export class EmfMetrics implements MetricsSink {
  private readonly disabled: boolean;
  private readonly write: (line: string) => void;
  private readonly clock: () => number;
  /** `"Namespace":…,` serialized once. */
  private readonly namespaceMember: string;
  /** `"service":…` serialized once. */
  private readonly serviceMember: string;
  private readonly dimensions = new Map<string, string>();
  private readonly metrics = new Map<string, StoredMetric>();

  constructor(options: EmfMetricsOptions) {
    this.disabled = metricsDisabled(options.env ?? process.env);
    if (options.write === undefined) {
      // Opened here, like the logger's: at cold start rather than on the first publish.
      const stdout = process.stdout;
      this.write = (line) => stdout.write(line);
    } else {
      this.write = options.write;
    }
    this.clock = options.clock ?? Date.now;
    this.namespaceMember = `"Namespace":${JSON.stringify(options.namespace)}`;
    this.serviceMember = `"service":${JSON.stringify(options.serviceName)}`;
  }

  /**
   * Adds a dimension to the next document. An empty name or value is ignored (Powertools warns), and
   * so is `service`, which every document carries already.
   */
  addDimension(name: string, value: string): this {
    if (name === '' || value === '' || name === 'service') return this;
    // Counted with `service`, as Powertools counts them: at most 28 of the caller's own.
    if (!this.dimensions.has(name) && this.dimensions.size + 2 > MAX_DIMENSIONS) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSIONS}`);
    }
    this.dimensions.set(name, value);
    return this;
  }

  /**
   * Adds a value; values of one name are published as a list, in order. Like Powertools, a document
   * that already holds 100 metrics is published before the next value is stored, and one is
   * published as soon as a metric holds 100 values (either publish also clears the dimensions).
   */
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): this {
    if (this.metrics.size >= MAX_METRICS) this.publishStoredMetrics();
    const metric = this.metrics.get(name);
    if (metric === undefined) {
      this.metrics.set(name, { unit, values: [value] });
      return this;
    }
    if (metric.unit !== unit) {
      throw new Error(`Metric "${name}" has already been added with unit "${metric.unit}", not "${unit}"`);
    }
    metric.values.push(value);
    if (metric.values.length === MAX_VALUES) this.publishStoredMetrics();
    return this;
  }

  /** Writes the stored metrics as one EMF document (nothing if there are none) and clears them. */
  publishStoredMetrics(): void {
    if (this.metrics.size > 0 && !this.disabled) this.write(this.document());
    this.metrics.clear();
    this.dimensions.clear();
  }

  private document(): string {
    const dimensionNames = ['service', ...this.dimensions.keys()];
    const definitions: string[] = [];
    let values = '';
    for (const [name, { unit, values: list }] of this.metrics) {
      const key = JSON.stringify(name);
      definitions.push(`{"Name":${key},"Unit":${JSON.stringify(unit)}}`);
      values += `,${key}:${JSON.stringify(list.length === 1 ? list[0] : list)}`;
    }
    let dimensionValues = '';
    for (const [name, value] of this.dimensions) {
      dimensionValues += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
    }
    return (
      `{"_aws":{"Timestamp":${this.clock()},"CloudWatchMetrics":[{${this.namespaceMember},` +
      `"Dimensions":[${JSON.stringify(dimensionNames)}],"Metrics":[${definitions.join(',')}]}]},` +
      `${this.serviceMember}${dimensionValues}${values}}\n`
    );
  }
}
