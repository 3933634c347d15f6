/**
 * `npm start`: the whole edge on this machine. dynalite with the stack's tables, the local identity
 * provider, and the local gateway in front of the real authorizer, guard and backend handlers.
 * Prints a banner with ready-to-paste commands; Ctrl-C (SIGINT) or SIGTERM stops everything.
 */
import { ConfigError } from '../lambdas/shared/config/config-error';
import { renderBanner } from './banner';
import { setUpDemoClient } from './demo-client';
import { localEdgeState, startLocalEdge, type LocalEdge } from './edge';
import { LocalEdgeError } from './errors';
import { loadEdgeConfigFile } from './local-config';
import { parseStartOptions, START_USAGE } from './start-options';
import { removeLocalState, writeLocalState } from './state-file';

async function main(): Promise<void> {
  const startedAt = Date.now();
  const options = parseStartOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    console.log(START_USAGE);
    return;
  }
  const baseConfig = await loadEdgeConfigFile(options.configPath);
  const edge: LocalEdge = await startLocalEdge({
    baseConfig,
    ports: options.ports,
    stateDir: options.stateDir,
    lambdaLogs: true,
    backendModules: options.backends,
    ...(options.accessLog
      ? { accessLog: (record) => process.stdout.write(`${JSON.stringify(record)}\n`) }
      : {}),
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`\n${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    console.error(`\n${signal} received: stopping the local edge…`);
    Promise.all([edge.close(), removeLocalState(options.stateDir, process.pid)])
      .then(() => {
        console.error('Local edge stopped.');
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const demo = await setUpDemoClient(edge, options.stateDir);
  await writeLocalState(options.stateDir, localEdgeState(edge));
  const api = edge.config.api;
  const needsKey = api?.apiKeys.required === true && api.apiKeys.source === 'HEADER';
  console.log(
    renderBanner({
      gatewayUrl: edge.gatewayUrl,
      issuer: edge.idp.issuer,
      dynamoEndpoint: edge.dynamo.endpoint,
      stateDir: options.stateDir,
      startedInMs: Date.now() - startedAt,
      apiKey: needsKey ? edge.apiKeys[0] : undefined,
      signedRequestCommand: demo?.command,
    }),
  );
}

main().catch((error: unknown) => {
  if (error instanceof LocalEdgeError || error instanceof ConfigError) {
    console.error(`npm start: ${error.message}`);
  } else {
    console.error('npm start: the local edge could not start:', error);
  }
  console.error('The local edge did not start.');
  process.exit(1);
});
