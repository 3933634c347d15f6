import type { Template } from 'aws-cdk-lib/assertions';

/** One statement of an `AWS::IAM::Policy` in a synthesized template. */
export interface PolicyStatementJson {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of every `AWS::IAM::Policy` in the template. */
export function policyStatements(template: Template): PolicyStatementJson[] {
  type Policy = { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } } };
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Policy[]).flatMap(
    (p) => p.Properties.PolicyDocument.Statement,
  );
}

/** The `dynamodb:*` actions the template's policies grant, sorted. */
export function dynamoActions(template: Template): string[] {
  return policyStatements(template)
    .flatMap((s): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a) => a.startsWith('dynamodb:'))
    .sort();
}
