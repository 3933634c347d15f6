import {
  DecisionCounter,
  publishDecisionMetric,
  silentLogger,
} from '../../../../lambdas/shared/logging/powertools';
import { captureMetrics } from '../../../support/capture';

describe('decision metrics', () => {
  it('publishDecisionMetric: one EMF document with outcome and reason dimensions', () => {
    const metrics = captureMetrics();
    publishDecisionMetric(metrics, 'AuthorizerDecision', 'deny', 'missing_role');
    expect(metrics.published).toEqual([
      { dimensions: { outcome: 'deny', reason: 'missing_role' }, metrics: ['AuthorizerDecision'] },
    ]);
  });

  it('DecisionCounter aggregates per (outcome, reason) and flushes at most once per interval', () => {
    let now = 0;
    const published: [string, string, number][] = [];
    const sink = {
      dims: {} as Record<string, string>,
      addDimension(name: string, value: string) {
        this.dims[name] = value;
      },
      addMetric(_name: string, _unit: string, value: number) {
        published.push([this.dims.outcome ?? '', this.dims.reason ?? '', value]);
      },
      publishStoredMetrics() {
        this.dims = {};
      },
    };
    const counter = new DecisionCounter(sink, {
      metricName: 'AuthorizerDecision',
      flushIntervalMs: 1000,
      clock: () => now,
    });
    counter.record('allow', 'ok'); // first decision flushes at once
    expect(published).toEqual([['allow', 'ok', 1]]);
    now = 10;
    counter.record('allow', 'ok');
    counter.record('allow', 'ok');
    counter.record('unauthorized', 'expired');
    expect(published).toHaveLength(1);
    now = 1000;
    counter.record('allow', 'ok');
    expect(published).toEqual([
      ['allow', 'ok', 1],
      ['allow', 'ok', 3],
      ['unauthorized', 'expired', 1],
    ]);
    counter.record('deny', 'missing_role');
    counter.flush();
    expect(published.at(-1)).toEqual(['deny', 'missing_role', 1]);
  });

  it('the silent logger accepts calls and drops them', () => {
    expect(() => {
      silentLogger.info('x', {});
    }).not.toThrow();
  });
});
