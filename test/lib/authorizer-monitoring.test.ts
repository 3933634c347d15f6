import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  AUTHORIZER_DECISION_METRIC,
  DECISION_OUTCOMES,
  METRICS_NAMESPACE,
  REVOCATION_STORE_ERROR_ACCEPTED_METRIC,
} from '../../lambdas/shared/contracts/metrics';
import { AttachAuthorizerStack } from '../../lib/attach-authorizer-stack';
import type { EdgeConfigInput } from '../../lib/config/edge-config';
import { apiOf, exampleConfig, findResources } from './edge-config-fixture';
import { expectFailureAlarm } from './monitoring-assertions';

/** The attach-only stack for the example config with a change applied. */
function attach(change: (raw: EdgeConfigInput) => void = () => undefined): Template {
  const stack = new AttachAuthorizerStack(new App(), 'Attach', {
    config: exampleConfig(change),
    restApiId: 'a1b2c3d4e5',
  });
  return Template.fromStack(stack);
}

/** Logical id of the authorizer Lambda in an attach-only template. */
function authorizerFunctionId(template: Template): string {
  const [entry, ...others] = findResources(template, 'AWS::Lambda::Function');
  if (entry === undefined || others.length > 0) throw new Error('expected exactly one Lambda function');
  return entry[0];
}

describe('attach-only mode: the authorizer has its own alarms and dashboard', () => {
  let template: Template;
  beforeAll(() => {
    template = attach((raw) => {
      apiOf(raw).alarms = { authorizerErrors: 3, lambdaThrottles: 7 };
    });
  });

  it("alarms on the authorizer's failing decisions and on its throttles, at the configured thresholds", () => {
    expectFailureAlarm(template, 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: authorizerFunctionId(template) } }],
      Threshold: 7,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('does not alarm on the Lambda Errors metric, which counts every refused token (a thrown Unauthorized)', () => {
    expect(findResources(template, 'AWS::CloudWatch::Alarm', (p) => p.MetricName === 'Errors')).toHaveLength(
      0,
    );
  });

  it('alarms on any token accepted under the insecure revocation opt-in, on the dimension its EMF carries', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: REVOCATION_STORE_ERROR_ACCEPTED_METRIC,
      Dimensions: [{ Name: 'service', Value: 'authorizer' }],
      Threshold: 1,
      Period: 300,
      Statistic: 'Sum',
      EvaluationPeriods: 1,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  it('has a dashboard of decisions by outcome and reason, and outputs its URL', () => {
    const [[, dashboard] = []] = findResources(template, 'AWS::CloudWatch::Dashboard');
    expect(dashboard?.DashboardName).toBe('Attach-authorizer');
    const body = JSON.stringify(dashboard?.DashboardBody);
    for (const outcome of DECISION_OUTCOMES) {
      expect(body).toContain(
        `MetricName=\\\\\\"${AUTHORIZER_DECISION_METRIC}\\\\\\" outcome=\\\\\\"${outcome}\\\\\\"`,
      );
    }
    expect(body).toContain('Authorizer failures, Lambda errors (every 401 included) and throttles');
    expect(JSON.stringify(template.findOutputs('DashboardUrl'))).toContain(
      '#dashboards:name=Attach-authorizer',
    );
  });

  it('sends no notifications without an SNS topic', () => {
    for (const [, alarm] of findResources(template, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
  });
});

describe('attach-only mode: thresholds and notifications', () => {
  it('uses the documented default thresholds when the config has no api section', () => {
    const template = attach((raw) => {
      delete raw.api;
    });
    expectFailureAlarm(template, 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 1 });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  it('notifies the configured SNS topic on alarm and on OK, for every alarm', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:edge-alarms';
    const template = attach((raw) => {
      apiOf(raw).alarms = { snsTopicArn: topic };
    });
    const alarms = findResources(template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(3);
    for (const [, alarm] of alarms) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
  });
});
