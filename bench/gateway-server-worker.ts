import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseEdgeConfigJson } from '../lib/config/edge-config';
import { startLocalEdge } from '../local/edge';
import { mintAccessToken } from '../local/idp/mint-token';
import { parseTokenRequest } from '../local/idp/token-request';
import { defaultLocalAudience } from '../local/local-config';
import { BENCH_ROUTE, type GatewayServers } from './gateway-route';

/**
 * Server side of the gateway load test, in its own process so the load generator (autocannon, in
 * the bench runner) and the servers do not share one core: the local edge (`npm start`'s gateway
 * with the real authorizer and backends) and a bare node:http server that answers every request
 * with the body, status and content type the edge returned for the benchmarked route.
 *
 * Protocol: sends {@link GatewayServers} over IPC once both listen; closes everything when the
 * parent sends `"stop"` or goes away. Run it only through bench/gateway-load.ts: importing it starts
 * the servers.
 */
async function main(): Promise<void> {
  const text = readFileSync(join(__dirname, '..', 'config', 'edge.config.json'), 'utf8');
  const edge = await startLocalEdge({
    baseConfig: parseEdgeConfigJson(text, 'config/edge.config.json'),
    ports: { gateway: 0, idp: 0, dynamo: 0 },
    stateDir: undefined,
    // The example stage throttle (100 rps) would turn a load test into a 429 test: use the
    // account-level maximum API Gateway allows (10,000 rps, burst 5,000).
    adjustConfig: (config) =>
      config.api === undefined
        ? config
        : { ...config, api: { ...config.api, throttle: { rateLimit: 10_000, burstLimit: 5_000 } } },
  });
  const minted = mintAccessToken(
    edge.signingKeys,
    { issuer: edge.idp.issuer, audience: defaultLocalAudience(edge.config) },
    parseTokenRequest({ sub: 'bench-user', roles: ['orders:read'], scopes: ['orders'], ttl: 3600 }),
  );
  const authorization = `Bearer ${minted.accessToken}`;
  const gatewayUrl = `${edge.gatewayUrl}${BENCH_ROUTE.path}`;
  const probe = await fetch(gatewayUrl, { headers: { authorization } });
  const body = Buffer.from(await probe.arrayBuffer());
  const contentType = probe.headers.get('content-type') ?? 'application/json';

  const bare: Server = createServer((_req, res) => {
    res.writeHead(probe.status, { 'content-type': contentType, 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const { port } = bare.address() as AddressInfo;

  const servers: GatewayServers = {
    gatewayUrl,
    bareUrl: `http://127.0.0.1:${port}${BENCH_ROUTE.path}`,
    authorization,
    status: probe.status,
  };
  const stop = async (): Promise<void> => {
    bare.closeAllConnections();
    bare.close();
    await edge.close();
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.(servers);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gateway server worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
