import {
  DecisionCounter,
  publishDecisionMetric,
  silentLogger,
} from '../../../../lambdas/shared/logging/powertools';
import { REASON_CODES } from '../../../../lambdas/authorizer/errors';
import { AUTHORIZER_FAILURE_DECISIONS } from '../../../../lambdas/shared/contracts/metrics';
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

  it.each(AUTHORIZER_FAILURE_DECISIONS)(
    'DecisionCounter publishes a failing decision ($outcome, $reason) at once, for the alarm on it',
    ({ outcome, reason }) => {
      let now = 0;
      const metrics = captureMetrics();
      const counter = new DecisionCounter(metrics, {
        metricName: 'AuthorizerDecision',
        flushIntervalMs: 1000,
        clock: () => now,
      });
      counter.record('allow', 'ok'); // flushes (first decision)
      now = 10;
      counter.record('unauthorized', 'expired'); // held for the next flush
      expect(metrics.published).toHaveLength(1);
      counter.record(outcome, reason);
      expect(metrics.published).toHaveLength(3);
      expect(metrics.published).toContainEqual({
        dimensions: { outcome, reason },
        metrics: ['AuthorizerDecision'],
      });
    },
  );

  it('the failing decisions are reason codes the authorizer logs and counts', () => {
    for (const { reason } of AUTHORIZER_FAILURE_DECISIONS) {
      expect(REASON_CODES).toContain(reason);
    }
  });

  it('the silent logger accepts calls and drops them', () => {
    expect(() => {
      silentLogger.info('x', {});
    }).not.toThrow();
  });
});
