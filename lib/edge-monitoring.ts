import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AUTHORIZER_DECISION_METRIC,
  AUTHORIZER_SERVICE_NAME,
  DECISION_DIMENSIONS,
  DECISION_OUTCOMES,
  METRICS_NAMESPACE,
  REVOCATION_STORE_ERROR_ACCEPTED_METRIC,
  THROTTLED_REQUESTS_METRIC,
} from '../lambdas/shared/contracts/metrics';
import type { AlarmsConfig } from './config/api-config';

/** Properties of {@link EdgeMonitoring}. */
export interface EdgeMonitoringProps {
  readonly api: apigateway.RestApi;
  readonly stageName: string;
  readonly accessLogGroup: logs.ILogGroup;
  readonly authorizerFunction: lambda.IFunction;
  /** Backends and the request guard, by display name. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  /** Name of the WAF web ACL (the `WebACL` dimension). */
  readonly webAclName: string;
  readonly alarms: AlarmsConfig;
}

const FIVE_MINUTES = Duration.minutes(5);

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
    const topic =
      thresholds.snsTopicArn === undefined
        ? undefined
        : sns.Topic.fromTopicArn(this, 'AlarmTopic', thresholds.snsTopicArn);

    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      extra: Partial<cloudwatch.CreateAlarmOptions> = {},
    ): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
        ...extra,
      });
      if (topic !== undefined) {
        created.addAlarmAction(new actions.SnsAction(topic));
        created.addOkAction(new actions.SnsAction(topic));
      }
      this.alarms.push(created);
      return created;
    };

    const api = props.api;
    const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
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
      props.authorizerFunction.metricErrors(sum),
      thresholds.authorizerErrors,
      'Authorizer Lambda errors (each one is a 500 to a client: it fails closed)',
    );
    alarm(
      'RevocationStoreErrorAccepted',
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: REVOCATION_STORE_ERROR_ACCEPTED_METRIC,
        dimensionsMap: { service: AUTHORIZER_SERVICE_NAME },
        ...sum,
      }),
      1,
      'Tokens accepted without a revocation check (onStoreError: ALLOW_ON_STORE_ERROR_INSECURE)',
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
    const decisions = (outcome?: string): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${AUTHORIZER_DECISION_METRIC}"${
          outcome === undefined ? '' : ` ${DECISION_DIMENSIONS.outcome}="${outcome}"`
        }', 'Sum', 300)`,
        label: outcome ?? 'decisions',
        period: FIVE_MINUTES,
      });
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
    this.dashboard.addWidgets(
      ...DECISION_OUTCOMES.map(
        (outcome) =>
          new cloudwatch.GraphWidget({
            title: `Authorizer: ${outcome} by reason`,
            left: [decisions(outcome)],
            width: 6,
          }),
      ),
    );
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
    this.dashboardUrl = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${dashboardName}`;
  }
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
