import { Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, THROTTLED_REQUESTS_METRIC } from '../lambdas/shared/contracts/metrics';
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

/** Properties of {@link EdgeMonitoring}. */
export interface EdgeMonitoringProps {
  /** The edge's REST API (its 4XX, 5XX, latency and count metrics). */
  readonly api: apigateway.RestApi;
  /** The API's stage name. */
  readonly stageName: string;
  /** The stage's access log group (429 responses are counted from it). */
  readonly accessLogGroup: logs.ILogGroup;
  /** The JWT authorizer Lambda. */
  readonly authorizerFunction: lambda.IFunction;
  /** Backends and the request guard, by display name. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  /** Name of the WAF web ACL (the `WebACL` dimension). */
  readonly webAclName: string;
  /** Alarm thresholds and the optional SNS topic (`api.alarms`). */
  readonly alarms: AlarmsConfig;
}

/**
 * Alarms and a dashboard for the edge: API 5XX, 4XX spikes, p99 latency, authorizer errors, WAF
 * blocks, throttled requests (429, from the access log) and Lambda errors and throttles; the dashboard
 * shows authorizer decisions (allow/deny/unauthorized by reason, from the authorizer's EMF metrics)
 * next to traffic and latency.
 */
export class EdgeMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Console link of the dashboard. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: EdgeMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const thresholds = props.alarms;
    const alarm = alarmFactory(this, thresholds.snsTopicArn, this.alarms);

    const api = props.api;
    const sum = SUM_5M;
    alarm('Api5xx', api.metricServerError(sum), thresholds.serverErrors, 'API answered 5XX responses');
    alarm(
      'Api4xxSpike',
      api.metricClientError(sum),
      thresholds.clientErrors,
      'Spike of 4XX responses (rejected calls)',
    );
    alarm(
      'ApiLatencyP99',
      api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      thresholds.latencyP99Ms,
      'p99 latency of the API',
      { evaluationPeriods: 3, datapointsToAlarm: 2 },
    );
    alarm(
      'AuthorizerErrors',
      authorizerFailuresMetric(),
      thresholds.authorizerErrors,
      AUTHORIZER_FAILURES_DESCRIPTION,
    );
    alarm(
      'RevocationStoreErrorAccepted',
      revocationStoreErrorAcceptedMetric(),
      1,
      REVOCATION_STORE_ERROR_ACCEPTED_DESCRIPTION,
    );
    const wafBlocked = new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: props.webAclName, Region: stack.region, Rule: 'ALL' },
      ...sum,
    });
    alarm('WafBlocked', wafBlocked, thresholds.wafBlockedRequests, 'Requests blocked by AWS WAF');

    new logs.MetricFilter(this, 'ThrottledFilter', {
      logGroup: props.accessLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: METRICS_NAMESPACE,
      metricName: THROTTLED_REQUESTS_METRIC,
      metricValue: '1',
      defaultValue: 0,
    });
    const throttled = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: THROTTLED_REQUESTS_METRIC,
      ...sum,
    });
    alarm('Throttled', throttled, thresholds.throttledRequests, '429 responses (throttle or quota)');

    const allFunctions = new Map<string, lambda.IFunction>([
      ['authorizer', props.authorizerFunction],
      ...props.functions,
    ]);
    for (const [name, fn] of props.functions) {
      alarm(`${pascal(name)}Errors`, fn.metricErrors(sum), thresholds.lambdaErrors, `${name} Lambda errors`);
    }
    for (const [name, fn] of allFunctions) {
      alarm(
        `${pascal(name)}Throttles`,
        fn.metricThrottles(sum),
        thresholds.lambdaThrottles,
        `${name} Lambda throttles`,
      );
    }

    const dashboardName = `${stack.stackName}-edge`;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests and errors',
        left: [api.metricCount(sum), api.metricClientError(sum), api.metricServerError(sum), throttled],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency (ms)',
        left: [
          api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
          api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
          api.metricIntegrationLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
    );
    this.dashboard.addWidgets(...decisionWidgets());
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'WAF',
        left: [
          wafBlocked,
          new cloudwatch.Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'AllowedRequests',
            dimensionsMap: { WebACL: props.webAclName, Region: stack.region, Rule: 'ALL' },
            ...sum,
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        left: [...allFunctions.values()].map((fn) => fn.metricErrors(sum)),
        right: [...allFunctions.values()].map((fn) => fn.metricThrottles(sum)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda p99 duration (ms)',
        left: [...allFunctions.values()].map((fn) =>
          fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
        ),
        width: 8,
      }),
    );
    this.dashboardUrl = dashboardConsoleUrl(stack.region, dashboardName);
  }
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
