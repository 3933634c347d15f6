import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_ROUTE, type GatewayServers } from './gateway-route';
import type { GatewayResults, HttpLoadSample } from './results';
import { percentile } from './stats';

/**
 * Local gateway under load: autocannon with a fixed number of connections against the authorized
 * route on the local edge, and against a bare node:http server answering the same body, run
 * alternately. The servers run in a separate process (bench/gateway-server-worker.ts).
 */

function startServers(): Promise<{ child: ChildProcess; servers: GatewayServers }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'gateway-server-worker.ts'), [], {
      cwd: join(__dirname, '..'),
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 30_000);
    child.once('message', (servers: GatewayServers) => {
      clearTimeout(timer);
      resolve({ child, servers });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`gateway server worker exited early (${code})`));
    });
  });
}

/**
 * One autocannon run. Latencies are collected from the `response` events in fractional ms:
 * autocannon's own histogram truncates them to whole milliseconds.
 */
function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<HttpLoadSample> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      { url, headers, connections, duration: seconds },
      (error: unknown, result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
          return;
        }
        if (latencies.length === 0) {
          reject(new Error(`no responses from ${url}`));
          return;
        }
        resolve({
          requestsPerSecond: result.requests.average,
          meanMs: latencies.reduce((sum, v) => sum + v, 0) / latencies.length,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          non2xx: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

export async function measureGateway(
  runs: number,
  connections: number,
  seconds: number,
): Promise<GatewayResults> {
  const { child, servers } = await startServers();
  try {
    if (servers.status !== 200) {
      throw new Error(`the local gateway answered ${BENCH_ROUTE.path} with ${servers.status}, not 200`);
    }
    const headers = { authorization: servers.authorization };
    // Warm-up: JIT, the authorizer's result cache, keep-alive sockets.
    await load(servers.gatewayUrl, headers, connections, 1);
    await load(servers.bareUrl, headers, connections, 1);
    const gateway: HttpLoadSample[] = [];
    const bare: HttpLoadSample[] = [];
    for (let run = 0; run < runs; run++) {
      gateway.push(await load(servers.gatewayUrl, headers, connections, seconds));
      bare.push(await load(servers.bareUrl, headers, connections, seconds));
    }
    return {
      connections,
      durationSeconds: seconds,
      route: `${BENCH_ROUTE.method} ${BENCH_ROUTE.path}`,
      gateway,
      bare,
      notes: [
        'The gateway runs the real authorizer (its result cache on, TTL from the config, as API Gateway caches per token), usage-plan accounting, CORS and the real profile backend (the access log goes to a no-op sink). One token is repeated, so after the first request the authorizer answer comes from the gateway result cache — as in API Gateway.',
        'Load generator (autocannon) and servers run in separate processes on the same 2-core machine.',
      ],
    };
  } finally {
    child.send('stop');
  }
}
