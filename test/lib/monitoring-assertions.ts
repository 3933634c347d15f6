/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
 * CloudFormation template JSON is untyped by nature; these infrastructure tests read it as such. */
import type { Template } from 'aws-cdk-lib/assertions';
import {
  AUTHORIZER_DECISION_METRIC,
  AUTHORIZER_FAILURE_DECISIONS,
  METRICS_NAMESPACE,
} from '../../lambdas/shared/contracts/metrics';
import { findResources } from './edge-config-fixture';

/**
 * Asserts the one authorizer-failures alarm: a 5-minute sum, in one period, of the authorizer's
 * `AuthorizerDecision` counts for every failing (outcome, reason), each on the exact dimensions its
 * EMF document carries, missing data filled with 0.
 */
export function expectFailureAlarm(template: Template, threshold: number): void {
  const alarms = findResources(template, 'AWS::CloudWatch::Alarm', (p) =>
    JSON.stringify(p.Metrics ?? []).includes(AUTHORIZER_DECISION_METRIC),
  );
  expect(alarms).toHaveLength(1);
  const [, alarm] = alarms[0]!;
  expect(alarm).toMatchObject({
    Threshold: threshold,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
  const queries = alarm.Metrics as { Id: string; Expression?: string; MetricStat?: any }[];
  const expression = queries.find((q) => q.Expression !== undefined)?.Expression ?? '';
  const stats = queries.filter((q) => q.MetricStat !== undefined);
  expect(stats).toHaveLength(AUTHORIZER_FAILURE_DECISIONS.length);
  for (const { outcome, reason } of AUTHORIZER_FAILURE_DECISIONS) {
    const stat = stats.find((q) =>
      (q.MetricStat.Metric.Dimensions as { Name: string; Value: string }[]).some(
        (d) => d.Name === 'reason' && d.Value === reason,
      ),
    );
    expect(stat?.MetricStat).toMatchObject({
      Metric: {
        Namespace: METRICS_NAMESPACE,
        MetricName: AUTHORIZER_DECISION_METRIC,
        Dimensions: expect.arrayContaining([
          { Name: 'service', Value: 'authorizer' },
          { Name: 'outcome', Value: outcome },
          { Name: 'reason', Value: reason },
        ]),
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect(stat?.MetricStat.Metric.Dimensions).toHaveLength(3);
    expect(expression).toContain(`FILL(${stat!.Id}, 0)`);
  }
}
