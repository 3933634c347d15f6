import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  AUTHORIZER_DECISION_METRIC,
  AUTHORIZER_FAILURE_DECISIONS,
  AUTHORIZER_SERVICE_NAME,
  DECISION_DIMENSIONS,
  DECISION_OUTCOMES,
  METRICS_NAMESPACE,
  REVOCATION_STORE_ERROR_ACCEPTED_METRIC,
} from '../lambdas/shared/contracts/metrics';

/**
 * Pieces the edge's monitoring (edge-monitoring.ts) and the attach-only authorizer's
 * (authorizer-monitoring.ts) share: how an alarm is made and notified, and the authorizer's own
 * metrics, so both watch the same things the same way.
 */

/** The period of every alarm and dashboard metric. */
export const FIVE_MINUTES = Duration.minutes(5);

/** A 5-minute sum. */
export const SUM_5M = { period: FIVE_MINUTES, statistic: 'Sum' } as const;

/** The CloudWatch console link of a dashboard in the stack's region. */
export function dashboardConsoleUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboardName}`;
}

/** Makes one alarm: `metric ≥ threshold` in one period, missing data not breaching. */
export type AlarmFactory = (
  name: string,
  metric: cloudwatch.IMetric,
  threshold: number,
  description: string,
  extra?: Partial<cloudwatch.CreateAlarmOptions>,
) => cloudwatch.Alarm;

/**
 * An {@link AlarmFactory} that creates alarms in `scope`, appends each to `created`, and, with an
 * SNS topic ARN, notifies the topic on ALARM and on OK.
 */
export function alarmFactory(
  scope: Construct,
  snsTopicArn: string | undefined,
  created: cloudwatch.Alarm[],
): AlarmFactory {
  const topic =
    snsTopicArn === undefined ? undefined : sns.Topic.fromTopicArn(scope, 'AlarmTopic', snsTopicArn);
  return (name, metric, threshold, description, extra = {}) => {
    const alarm = new cloudwatch.Alarm(scope, name, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
      ...extra,
    });
    if (topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
    created.push(alarm);
    return alarm;
  };
}

/**
 * Tokens accepted although the revocation store could not be read (the loudly named insecure
 * opt-in), as the authorizer's EMF publishes it (dimension `service`).
 */
export function revocationStoreErrorAcceptedMetric(): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: REVOCATION_STORE_ERROR_ACCEPTED_METRIC,
    dimensionsMap: { service: AUTHORIZER_SERVICE_NAME },
    ...SUM_5M,
  });
}

/**
 * The authorizer's failing decisions per 5 minutes, from its EMF decision counts. Not the Lambda
 * `Errors` metric: a REST TOKEN authorizer refuses a token by throwing `Unauthorized`, so `Errors`
 * counts every 401 too, and an alarm on it would fire on the first bad token.
 */
export function authorizerFailuresMetric(): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  AUTHORIZER_FAILURE_DECISIONS.forEach(({ outcome, reason }, i) => {
    usingMetrics[`f${i}`] = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: AUTHORIZER_DECISION_METRIC,
      dimensionsMap: {
        service: AUTHORIZER_SERVICE_NAME,
        [DECISION_DIMENSIONS.outcome]: outcome,
        [DECISION_DIMENSIONS.reason]: reason,
      },
      ...SUM_5M,
    });
  });
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    label: 'authorizer failures',
    period: FIVE_MINUTES,
  });
}

/** The description of the authorizer failures alarm. */
export const AUTHORIZER_FAILURES_DESCRIPTION =
  'Authorizer failures: fail-closed errors (internal error, revocation store or client registry unreadable) and an unreachable JWKS, from its decision metrics';

/** The description of the insecure-opt-in alarm. */
export const REVOCATION_STORE_ERROR_ACCEPTED_DESCRIPTION =
  'Tokens accepted without a revocation check (onStoreError: ALLOW_ON_STORE_ERROR_INSECURE)';

/** One graph per decision outcome (allow, deny, unauthorized, error), each split by reason. */
export function decisionWidgets(): cloudwatch.GraphWidget[] {
  return DECISION_OUTCOMES.map(
    (outcome) =>
      new cloudwatch.GraphWidget({
        title: `Authorizer: ${outcome} by reason`,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${AUTHORIZER_DECISION_METRIC}" ${DECISION_DIMENSIONS.outcome}="${outcome}"', 'Sum', 300)`,
            label: outcome,
            period: FIVE_MINUTES,
          }),
        ],
        width: 6,
      }),
  );
}
