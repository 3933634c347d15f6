import { runClients } from '../../cli/clients';
import type { EdgeConfig } from '../../lib/config/edge-config';
import type { UnknownClientPolicy } from '../../lambdas/shared/config/client-registry-config';
import { REVOCATION_TABLE } from '../../lambdas/shared/contracts/tables';
import { announceRemoteSkips, itLocal, startTarget, type E2eTarget } from './e2e-target';

/**
 * End to end over real HTTP: the client registry on, API keys taken from the authorizer
 * (`apiKeys.source: AUTHORIZER`, required). Clients are registered with `npm run clients` against the
 * local DynamoDB; the CLI's local control plane puts their keys in the local key store, which the
 * local gateway meters on (the local stand-in for API Gateway's key store). The real authorizer
 * returns each client's key as `usageIdentifierKey`.
 */
function registryConfig(unknownClients: UnknownClientPolicy) {
  return (config: EdgeConfig): EdgeConfig => {
    const api = config.api;
    if (!api) throw new Error('example config has no api section');
    return {
      ...config,
      auth: { ...config.auth, clients: { cacheStalenessSeconds: 60, unknownClients } },
      api: {
        ...api,
        apiKeys: { source: 'AUTHORIZER', required: true },
        usagePlans: [
          { name: 'tiny', throttle: { rateLimit: 0.01, burstLimit: 2 }, methodThrottles: [], apiKeys: [] },
          { name: 'roomy', throttle: { rateLimit: 100, burstLimit: 100 }, methodThrottles: [], apiKeys: [] },
        ],
      },
    };
  };
}

/** `npm run clients` against the running local edge (its DynamoDB, its clock). */
async function clientsCli(target: E2eTarget, ...argv: string[]): Promise<void> {
  const local = target.local!;
  const lines: string[] = [];
  const code = await runClients(argv, {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: {
      [REVOCATION_TABLE.envVar]: local.edge.dynamo.tableEnv[REVOCATION_TABLE.envVar],
      DYNAMODB_ENDPOINT: local.edge.dynamo.endpoint,
    },
    now: local.clock.now,
  });
  if (code !== 0) throw new Error(`clients ${argv.join(' ')} failed: ${lines.join('\n')}`);
}

async function profile(target: E2eTarget, token: string): Promise<{ status: number; tier?: unknown }> {
  const res = await fetch(`${target.baseUrl}/profile`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) return { status: res.status };
  return { status: 200, tier: ((await res.json()) as { clientTier?: unknown }).clientTier };
}

describe('e2e: per-client identity for usage plans (client registry)', () => {
  beforeAll(() => {
    announceRemoteSkips('clients.e2e', 'they register clients in the local DynamoDB and need tiny throttles');
  });

  describe('(local only) unknownClients: "deny"', () => {
    let target: E2eTarget;
    beforeAll(async () => {
      target = await startTarget(registryConfig('deny'));
      await clientsCli(target, 'register', '--client-id', 'tiny-app', '--tier', 'tiny');
      await clientsCli(target, 'register', '--client-id', 'roomy-app', '--tier', 'roomy');
    });
    afterAll(async () => {
      await target.close();
    });

    itLocal(
      'two clients in different tiers are metered on their own keys: one gets 429, the other still passes',
      async () => {
        const tiny = await target.token('reader', 'tiny-app');
        const roomy = await target.token('reader', 'roomy-app');
        expect(await profile(target, tiny)).toEqual({ status: 200, tier: 'tiny' });
        expect((await profile(target, tiny)).status).toBe(200);
        expect((await profile(target, tiny)).status).toBe(429);
        // Same user, other client: its own key, its own bucket.
        expect(await profile(target, roomy)).toEqual({ status: 200, tier: 'roomy' });
        expect((await profile(target, roomy)).status).toBe(200);
        expect((await profile(target, tiny)).status).toBe(429);
      },
    );

    itLocal('an unknown client → 403, before any metering', async () => {
      const stranger = await target.token('reader', 'stranger-app');
      const res = await fetch(`${target.baseUrl}/profile`, {
        headers: { Authorization: `Bearer ${stranger}` },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await fetch(`${target.baseUrl}/health`)).status).toBe(200); // public routes are unaffected
    });

    itLocal(
      'set-tier: within the worst-case delay the client moves to its new tier and key (the old key keeps working meanwhile)',
      async () => {
        const local = target.local!;
        const token = await target.token('reader', 'roomy-app');
        expect((await profile(target, token)).tier).toBe('roomy');
        await clientsCli(target, 'set-tier', '--client-id', 'roomy-app', '--tier', 'tiny');
        expect((await profile(target, token)).status).toBe(200); // cached answer, old key: still accepted
        const auth = local.edge.config.auth;
        local.clock.advance(auth.resultCacheTtlSeconds + (auth.clients?.cacheStalenessSeconds ?? 0));
        const moved = await target.token('reader', 'roomy-app');
        expect(await profile(target, moved)).toEqual({ status: 200, tier: 'tiny' });
      },
    );
  });

  describe('(local only) unknownClients: "default-tier"', () => {
    let target: E2eTarget;
    beforeAll(async () => {
      target = await startTarget(registryConfig('default-tier'));
      await clientsCli(target, 'register', '--client-id', 'roomy-app', '--tier', 'roomy');
    });
    afterAll(async () => {
      await target.close();
    });

    itLocal('without a default-tier item an unknown client is still refused (403)', async () => {
      expect((await profile(target, await target.token('reader', 'early-stranger'))).status).toBe(403);
    });

    itLocal(
      'unknown clients are metered together on the default tier; registered clients on their own',
      async () => {
        const local = target.local!;
        await clientsCli(target, 'set-default-tier', '--tier', 'tiny');
        // The refusal above is cached for up to the worst-case delay (result cache + lookup cache).
        const auth = local.edge.config.auth;
        local.clock.advance(auth.resultCacheTtlSeconds + (auth.clients?.cacheStalenessSeconds ?? 0));
        const strangerA = await target.token('reader', 'stranger-a');
        const strangerB = await target.token('plain', 'stranger-b');
        expect(await profile(target, strangerA)).toEqual({ status: 200, tier: 'tiny' });
        expect((await profile(target, strangerB)).status).toBe(200);
        // The default tier's burst (2) is shared: both unknown clients are now throttled.
        expect((await profile(target, strangerA)).status).toBe(429);
        expect((await profile(target, strangerB)).status).toBe(429);
        expect(await profile(target, await target.token('reader', 'roomy-app'))).toEqual({
          status: 200,
          tier: 'roomy',
        });
      },
    );
  });
});
