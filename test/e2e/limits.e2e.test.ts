import type { EdgeConfig } from '../../lib/config/edge-config';
import { runClients } from '../../cli/clients';
import { REVOCATION_TABLE } from '../../lambdas/shared/contracts/tables';
import { announceRemoteSkips, IS_REMOTE, itLocal, startTarget, type E2eTarget } from './e2e-target';

/** Tiny limits so a handful of requests shows the behaviour (local only). */
function tinyStageThrottle(config: EdgeConfig): EdgeConfig {
  if (config.api === undefined) throw new Error('example config has no api section');
  return {
    ...config,
    api: { ...config.api, throttle: { rateLimit: 0.01, burstLimit: 3 }, methodThrottles: [] },
  };
}

function requiredKeys(source: 'HEADER' | 'AUTHORIZER') {
  return (config: EdgeConfig): EdgeConfig => {
    const apiSection = config.api;
    if (apiSection === undefined) throw new Error('example config has no api section');
    return {
      ...config,
      api: {
        ...apiSection,
        apiKeys: { source, required: true },
        usagePlans: [
          {
            name: 'tiny',
            throttle: { rateLimit: 0.01, burstLimit: 2 },
            methodThrottles: [],
            apiKeys: [{ name: 'tiny-1' }],
          },
          {
            name: 'quota',
            throttle: { rateLimit: 100, burstLimit: 100 },
            quota: { limit: 3, period: 'DAY' },
            methodThrottles: [],
            apiKeys: [{ name: 'quota-1' }],
          },
        ],
      },
    };
  };
}

describe('e2e: throttling, quotas and usage plans', () => {
  beforeAll(() => {
    announceRemoteSkips('limits.e2e', 'they need tiny throttles and generated API keys in the local config');
  });

  itLocal('(local only) stage throttle: the burst passes, the next request → 429 THROTTLED', async () => {
    const target = await startTarget(tinyStageThrottle);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${target.baseUrl}/health`)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const res = await fetch(`${target.baseUrl}/health`);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { status: number }).status).toBe(429);
      // Stage limits apply per method: the CORS preflight (OPTIONS /health) has a bucket of its own.
      const preflight = (): Promise<number> =>
        fetch(`${target.baseUrl}/health`, {
          method: 'OPTIONS',
          headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
        }).then((r) => r.status);
      const preflights: number[] = [];
      for (let i = 0; i < 4; i++) preflights.push(await preflight());
      expect(preflights).toEqual([204, 204, 204, 429]);
    } finally {
      await target.close();
    }
  });

  const remoteProbe = Number(process.env.E2E_RATE_LIMIT_PROBE ?? '0');
  (IS_REMOTE && remoteProbe > 0 ? it : it.skip)(
    '(remote, opt-in) a burst of requests eventually gets 429',
    async () => {
      const target = await startTarget();
      const statuses = await Promise.all(
        Array.from({ length: remoteProbe }, () =>
          fetch(`${target.baseUrl}/health`, { headers: target.baseHeaders }).then((r) => r.status),
        ),
      );
      expect(statuses).toContain(429);
    },
  );

  describe('(local only) usage plans with API keys from x-api-key', () => {
    let target: E2eTarget;
    let token: string;
    beforeAll(async () => {
      if (IS_REMOTE) return;
      target = await startTarget(requiredKeys('HEADER'));
      token = await target.token('reader');
    });
    afterAll(async () => {
      if (!IS_REMOTE) await target.close();
    });
    const get = (key: string | undefined): Promise<Response> =>
      fetch(`${target.baseUrl}/profile`, {
        headers: { Authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'x-api-key': key }) },
      });
    const keyOf = (plan: string): string => target.local!.edge.apiKeys.find((k) => k.plan === plan)!.value;

    itLocal('error flow: no key or an unknown key → 403, the public route needs none', async () => {
      expect((await get(undefined)).status).toBe(403);
      expect((await get('not-a-real-key-value-000000000000000000')).status).toBe(403);
      expect((await fetch(`${target.baseUrl}/health`)).status).toBe(200);
    });

    itLocal(
      'plan throttle per key: the tiny plan gets 429 after its burst, the other key is unaffected',
      async () => {
        const tiny = keyOf('tiny');
        expect([(await get(tiny)).status, (await get(tiny)).status, (await get(tiny)).status]).toEqual([
          200, 200, 429,
        ]);
        expect((await get(keyOf('quota'))).status).toBe(200);
      },
    );

    itLocal('quota: the 4th request of the day → 429 QUOTA_EXCEEDED, next day allowed again', async () => {
      const key = keyOf('quota');
      const local = target.local!;
      // Start on a fresh quota day, whatever earlier tests used (tokens are minted for the new time).
      local.clock.advance(86_400);
      token = await target.token('reader');
      expect([(await get(key)).status, (await get(key)).status, (await get(key)).status]).toEqual([
        200, 200, 200,
      ]);
      expect((await get(key)).status).toBe(429);
      local.clock.advance(86_400);
      token = await target.token('reader');
      expect((await get(key)).status).toBe(200);
    });
  });

  itLocal(
    '(local only) API key from the authorizer (usageIdentifierKey): each client metered on its own registered key',
    async () => {
      // The real thing: clients registered with `npm run clients` (local key store), the real
      // authorizer's client registry returns each one's key. More in clients.e2e.test.ts.
      const target = await startTarget((config) => {
        const withKeys = requiredKeys('AUTHORIZER')(config);
        return {
          ...withKeys,
          auth: { ...withKeys.auth, clients: { cacheStalenessSeconds: 60, unknownClients: 'deny' } },
        };
      });
      try {
        const local = target.local!;
        const env = {
          [REVOCATION_TABLE.envVar]: local.edge.dynamo.tableEnv[REVOCATION_TABLE.envVar],
          DYNAMODB_ENDPOINT: local.edge.dynamo.endpoint,
        };
        const cli = { out: () => undefined, err: () => undefined, env, now: local.clock.now };
        expect(await runClients(['register', '--client-id', 'tiny-app', '--tier', 'tiny'], cli)).toBe(0);
        expect(await runClients(['register', '--client-id', 'quota-app', '--tier', 'quota'], cli)).toBe(0);
        const alice = await target.token('reader', 'tiny-app');
        const walt = await target.token('writer', 'quota-app');
        const nora = await target.token('plain', 'unregistered-app');
        const get = (t: string): Promise<number> =>
          fetch(`${target.baseUrl}/profile`, { headers: { Authorization: `Bearer ${t}` } }).then(
            (r) => r.status,
          );
        expect([await get(alice), await get(alice), await get(alice)]).toEqual([200, 200, 429]);
        expect(await get(walt)).toBe(200);
        // A client that is not registered is refused (unknownClients: "deny").
        expect(await get(nora)).toBe(403);
      } finally {
        await target.close();
      }
    },
  );
});
