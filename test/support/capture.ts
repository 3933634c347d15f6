import type { MetricsSink, StructuredLogger } from '../../lambdas/shared/logging/powertools';

/** One captured log call. */
export interface CapturedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** A logger that records every call (and its JSON form) for assertions. */
export function captureLogger(): StructuredLogger & { lines: CapturedLine[]; text: () => string } {
  const lines: CapturedLine[] = [];
  const push = (level: CapturedLine['level']) => (message: string, attributes: Record<string, unknown>) => {
    lines.push({ level, message, attributes });
  };
  return {
    lines,
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
  };
}

/** A metrics sink that records each published (dimensions, metric) pair. */
export function captureMetrics(): MetricsSink & {
  published: { dimensions: Record<string, string>; metrics: string[] }[];
} {
  const published: { dimensions: Record<string, string>; metrics: string[] }[] = [];
  let dimensions: Record<string, string> = {};
  let metrics: string[] = [];
  return {
    published,
    addDimension: (name, value) => {
      dimensions[name] = value;
    },
    addMetric: (name) => {
      metrics.push(name);
    },
    publishStoredMetrics: () => {
      published.push({ dimensions, metrics });
      dimensions = {};
      metrics = [];
    },
  };
}

/** A clock tests move by hand (epoch milliseconds), starting at the real time. */
export function manualClock(startMs = Date.now()): { now: () => number; advance: (seconds: number) => void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (seconds) => {
      current += seconds * 1000;
    },
  };
}
