import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AlarmsConfig } from './config/api-config';
import {
  alarmFactory,
  AUTHORIZER_FAILURES_DESCRIPTION,
  authorizerFailuresMetric,
  dashboardConsoleUrl,
  decisionWidgets,
  FIVE_MINUTES,
  REVOCATION_STORE_ERROR_ACCEPTED_DESCRIPTION,
  revocationStoreErrorAcceptedMetric,
  SUM_5M,
} from './monitoring-parts';

/** Properties of {@link AuthorizerMonitoring}. */
export interface AuthorizerMonitoringProps {
  /** The JWT authorizer Lambda. */
  readonly authorizerFunction: lambda.IFunction;
  /** Alarm thresholds and the optional SNS topic (`api.alarms`; its defaults when the config has no `api`). */
  readonly alarms: AlarmsConfig;
  /**
   * Name of the CloudWatch dashboard.
   * @default `${stackName}-authorizer`
   */
  readonly dashboardName?: string;
}

/**
 * Alarms and a dashboard for an authorizer the edge does not front (attach-only mode: the API, its
 * WAF and its access log belong to someone else): authorizer failures (fail-closed errors and an
 * unreachable JWKS, from its decision metrics) and Lambda throttles, tokens accepted without a
 * revocation check under the insecure opt-in, and
 * the authorizer's decisions by outcome and reason. The same alarms, with the same thresholds and
 * metrics, as the full edge's monitoring (edge-monitoring.ts).
 */
export class AuthorizerMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Console link of the dashboard. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: AuthorizerMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fn = props.authorizerFunction;
    const alarm = alarmFactory(this, props.alarms.snsTopicArn, this.alarms);
    alarm(
      'AuthorizerErrors',
      authorizerFailuresMetric(),
      props.alarms.authorizerErrors,
      AUTHORIZER_FAILURES_DESCRIPTION,
    );
    alarm(
      'AuthorizerThrottles',
      fn.metricThrottles(SUM_5M),
      props.alarms.lambdaThrottles,
      'authorizer Lambda throttles',
    );
    alarm(
      'RevocationStoreErrorAccepted',
      revocationStoreErrorAcceptedMetric(),
      1,
      REVOCATION_STORE_ERROR_ACCEPTED_DESCRIPTION,
    );

    const dashboardName = props.dashboardName ?? `${stack.stackName}-authorizer`;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName });
    this.dashboard.addWidgets(...decisionWidgets());
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Authorizer failures, Lambda errors (every 401 included) and throttles',
        left: [
          authorizerFailuresMetric(),
          fn.metricErrors({ ...SUM_5M, label: 'Lambda errors (incl. 401s)' }),
        ],
        right: [fn.metricThrottles(SUM_5M)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer duration (ms)',
        left: [
          fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p50' }),
          fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
    );
    this.dashboardUrl = dashboardConsoleUrl(stack.region, dashboardName);
  }
}
