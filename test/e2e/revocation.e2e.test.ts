import { runRevocations } from '../../cli/revocations';
import { REVOCATION_TABLE } from '../../lambdas/shared/contracts/tables';
import { announceRemoteSkips, itLocal, startTarget, type E2eTarget } from './e2e-target';

/**
 * End to end over real HTTP: an operator revokes a token with `npm run revocations` against the
 * local DynamoDB; once the worst-case delay (API Gateway result cache TTL + the authorizer's lookup
 * staleness) has passed on the injected clock, the gateway answers 401 for it, and only for it.
 */
describe('e2e: token revocation through the gateway', () => {
  let target: E2eTarget;
  beforeAll(async () => {
    announceRemoteSkips('revocation.e2e', 'they write to the revocation table and move the clock');
    target = await startTarget();
  });
  afterAll(async () => {
    await target.close();
  });

  itLocal(
    '(local only) a revoked token gets 401 within the worst-case delay; another token of the user does not',
    async () => {
      const local = target.local!;
      const mint = async (): Promise<string> => {
        const res = await fetch(local.edge.idp.tokenEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sub: 'alice', roles: ['orders:read'], ttl: 3600 }),
        });
        return ((await res.json()) as { access_token: string }).access_token;
      };
      const revoked = await mint();
      const kept = await mint();
      const call = (token: string): Promise<Response> =>
        fetch(`${target.baseUrl}/profile`, {
          headers: { ...target.baseHeaders, Authorization: `Bearer ${token}` },
        });
      expect((await call(revoked)).status).toBe(200);
      expect((await call(kept)).status).toBe(200);

      const out: string[] = [];
      const code = await runRevocations(['revoke-token', '--token', revoked, '--clock-skew', '60'], {
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        env: {
          [REVOCATION_TABLE.envVar]: local.edge.dynamo.tableEnv[REVOCATION_TABLE.envVar],
          DYNAMODB_ENDPOINT: local.edge.dynamo.endpoint,
        },
        now: local.clock.now,
      });
      expect(code).toBe(0);
      expect(out.join('\n')).not.toContain(revoked);

      const auth = local.edge.config.auth;
      const delay = auth.resultCacheTtlSeconds + (auth.revocation?.cacheStalenessSeconds ?? 0);
      local.clock.advance(delay);
      const denied = await call(revoked);
      expect(denied.status).toBe(401);
      expect((await call(kept)).status).toBe(200);
    },
  );
});
