import {
  DECISION_DIMENSIONS,
  decisionKey,
  isAuthorizerFailure,
  METRICS_NAMESPACE,
} from '../contracts/metrics';
import { EmfMetrics } from './emf-metrics';
import { JsonLogger, type LogLevelName } from './json-logger';

/**
 * Structured logging and EMF metrics for the edge's Lambdas: log lines in the Powertools Logger
 * format (written by the lean `JsonLogger`, see json-logger.ts), EMF documents in the Powertools
 * Metrics format (written by the lean `EmfMetrics`, see emf-metrics.ts).
 * Handlers create one logger and one metrics object at module scope and pass them to their pure
 * logic through these small structural interfaces, so tests can inject capturing fakes or real
 * instances (a Powertools `Logger` fits `StructuredLogger` too).
 *
 * Rule for every caller: never log a token, a signature, a secret or a request body. Log reason
 * codes and identifiers (sub, iss, kid, jti).
 */

/** The part of a Powertools `Logger` the edge's code uses (and all a `JsonLogger` offers). */
export interface StructuredLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The part of a Powertools `Metrics` the edge's code uses (and all an `EmfMetrics` offers). */
export interface MetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  publishStoredMetrics(): unknown;
}

export interface LoggerOptions {
  /** `service` of every line. */
  readonly serviceName: string;
  /** @default `POWERTOOLS_LOG_LEVEL`, else INFO */
  readonly logLevel?: LogLevelName;
}

/**
 * A JSON logger for a per-request decision line: Powertools Logger's line format (level, message,
 * timestamp, service, sampling_rate, xray_trace_id, fields) at a fraction of its cost per line.
 */
export function createLogger(options: LoggerOptions): StructuredLogger {
  return new JsonLogger({
    serviceName: options.serviceName,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  });
}

/** An EMF metrics emitter (Powertools Metrics' documents) in the edge's namespace. */
export function createMetrics(serviceName: string): EmfMetrics {
  return new EmfMetrics({ namespace: METRICS_NAMESPACE, serviceName });
}

/**
 * Emits one count of `metricName` with the decision dimensions (`outcome`, `reason`) as one EMF
 * document, right away.
 */
export function publishDecisionMetric(
  metrics: MetricsSink,
  metricName: string,
  outcome: string,
  reason: string,
  count = 1,
): void {
  metrics.addDimension(DECISION_DIMENSIONS.outcome, outcome);
  metrics.addDimension(DECISION_DIMENSIONS.reason, reason);
  metrics.addMetric(metricName, 'Count', count);
  metrics.publishStoredMetrics();
}

export interface DecisionCounterOptions {
  /** Metric name, e.g. `AuthorizerDecision`. */
  readonly metricName: string;
  /**
   * Counts are aggregated per (outcome, reason) and published at most this often (one EMF document per
   * pair seen since the last flush). 0 publishes every decision on its own.
   * @default 1000
   */
  readonly flushIntervalMs?: number;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Counts decisions by (outcome, reason) and publishes them as EMF documents.
 *
 * Publishing an EMF document costs about as much as a fast signature check, so counts are
 * aggregated and flushed at most once per `flushIntervalMs`, always on the first decision after a
 * quiet interval, and at once on a decision that means the authorizer is failing
 * (`AUTHORIZER_FAILURE_DECISIONS`, which the stack alarms on). Trade-off (documented in docs/authorizer.md): counts of the last interval of a
 * busy execution environment are published with its next decision, and are lost if the environment
 * is shut down first.
 */
export class DecisionCounter {
  private readonly pending = new Map<string, { outcome: string; reason: string; count: number }>();
  private readonly flushIntervalMs: number;
  private readonly clock: () => number;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly metrics: MetricsSink,
    private readonly options: DecisionCounterOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.clock = options.clock ?? Date.now;
  }

  record(outcome: string, reason: string): void {
    const key = decisionKey(outcome, reason);
    const entry = this.pending.get(key);
    if (entry === undefined) this.pending.set(key, { outcome, reason, count: 1 });
    else entry.count++;
    const now = this.clock();
    // A failing authorizer is published at once: the stack alarms on these counts.
    if (now - this.lastFlush >= this.flushIntervalMs || isAuthorizerFailure(key)) {
      this.lastFlush = now;
      this.flush();
    }
  }

  /** Publishes every pending count now. */
  flush(): void {
    for (const { outcome, reason, count } of this.pending.values()) {
      publishDecisionMetric(this.metrics, this.options.metricName, outcome, reason, count);
    }
    this.pending.clear();
  }
}

/** A logger that drops everything (benchmarks, embedders that log elsewhere). */
export const silentLogger: StructuredLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A metrics sink that drops everything. */
export const silentMetrics: MetricsSink = {
  addDimension: () => undefined,
  addMetric: () => undefined,
  publishStoredMetrics: () => undefined,
};
