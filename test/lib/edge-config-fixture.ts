/* eslint-disable @typescript-eslint/no-explicit-any --
 * CloudFormation template JSON is untyped by nature; these infrastructure tests read it as such. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseEdgeConfig, type EdgeConfig, type EdgeConfigInput } from '../../lib/config/edge-config';
import { EdgeStack } from '../../lib/edge-stack';

/** The example config document as committed (raw JSON, defaults not applied). */
export function exampleConfigRaw(): EdgeConfigInput {
  const file = path.join(__dirname, '..', '..', 'config', 'edge.config.json');
  return JSON.parse(readFileSync(file, 'utf8')) as EdgeConfigInput;
}

/** The example config's `api` section (present in the committed file). */
export function apiOf(raw: EdgeConfigInput): NonNullable<EdgeConfigInput['api']> {
  if (raw.api === undefined) throw new Error('the example config has no api section');
  return raw.api;
}

/** The example config with a change applied to a deep copy of the raw document, validated. */
export function exampleConfig(change: (raw: EdgeConfigInput) => void = () => undefined): EdgeConfig {
  const raw = structuredClone(exampleConfigRaw());
  change(raw);
  return parseEdgeConfig(raw, 'test config');
}

/** Synthesizes an EdgeStack from a config and returns it with its template. */
export function synthEdgeStack(config: EdgeConfig): { stack: EdgeStack; template: Template } {
  const app = new App();
  const stack = new EdgeStack(app, 'TestEdge', { config });
  return { stack, template: Template.fromStack(stack) };
}

/** Logical ids of the resources of a type whose properties satisfy a predicate. */
export function findResources(
  template: Template,
  type: string,
  predicate: (props: Record<string, any>) => boolean = () => true,
): [string, Record<string, any>][] {
  return Object.entries(template.findResources(type))
    .map(
      ([id, r]) =>
        [id, (r as { Properties?: Record<string, any> }).Properties ?? {}] as [string, Record<string, any>],
    )
    .filter(([, props]) => predicate(props));
}

export { Stack };
