import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validations, type App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/shared/config/config-error';
import { AttachAuthorizerStack } from '../lib/attach-authorizer-stack';
import { parseEdgeConfigJson, type EdgeConfig } from '../lib/config/edge-config';
import { EdgeStack } from '../lib/edge-stack';

/** Config file used when no `-c config=…` is given (relative to the working directory). */
export const DEFAULT_CONFIG_PATH = path.join('config', 'edge.config.json');

/** Stack ids of the two app modes. */
export const EDGE_STACK_ID = 'ApiSecurityEdge';
export const ATTACH_STACK_ID = 'ApiSecurityEdgeAuthorizer';

/** Reads and validates an edge config file; a ConfigError names the file and every bad field. */
export function loadEdgeConfigFile(file: string): EdgeConfig {
  let text: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator chooses the file (-c config=…)
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      file,
      [{ path: '', message: 'cannot be read (pass -c config=path/to/edge.config.json)' }],
      {
        cause,
      },
    );
  }
  return parseEdgeConfigJson(text, file);
}

/** What the app builds, from CDK context. */
export interface AppOptions {
  /** `-c config=…`. @default DEFAULT_CONFIG_PATH */
  readonly configPath?: string;
  /** `-c mode=attach` deploys only the authorizer onto an existing REST API. @default 'stack' */
  readonly mode?: string;
  /** `-c restApiId=…` (attach mode). */
  readonly restApiId?: string;
  /** `-c rootResourceId=…` (attach mode, optional). */
  readonly rootResourceId?: string;
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new ConfigError('context', [{ path: key, message: 'must be a string' }]);
  return value;
}

/** Reads the app options from CDK context (`-c key=value`). */
export function optionsFromContext(app: App): AppOptions {
  return {
    configPath: contextString(app, 'config'),
    mode: contextString(app, 'mode'),
    restApiId: contextString(app, 'restApiId'),
    rootResourceId: contextString(app, 'rootResourceId'),
  };
}

/**
 * Builds the app: validates the config (a config error fails synth naming the field), creates the
 * edge stack (or, in attach mode, the authorizer-only stack) and registers cdk-nag's AwsSolutions
 * checks, which fail synth on any unacknowledged finding.
 */
export function buildApp(app: App, options: AppOptions = optionsFromContext(app)): Stack {
  const config = loadEdgeConfigFile(options.configPath ?? DEFAULT_CONFIG_PATH);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const mode = options.mode ?? 'stack';
  let stack: Stack;
  if (mode === 'attach') {
    if (options.restApiId === undefined) {
      throw new ConfigError('context', [{ path: 'restApiId', message: 'is required with -c mode=attach' }]);
    }
    stack = new AttachAuthorizerStack(app, ATTACH_STACK_ID, {
      env,
      config,
      restApiId: options.restApiId,
      rootResourceId: options.rootResourceId,
      description: 'API security edge: JWT authorizer attached to an existing REST API',
    });
  } else if (mode === 'stack') {
    stack = new EdgeStack(app, EDGE_STACK_ID, {
      env,
      config,
      description: 'API security edge: REST API, JWT authorizer, request guard, usage plans, WAF, monitoring',
    });
  } else {
    throw new ConfigError('context', [{ path: 'mode', message: 'must be "stack" (default) or "attach"' }]);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
