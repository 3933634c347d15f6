import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchAuthorizerConfig, tokenEvent } from './bench-config';
import { COLD_TARGET_NAMES, measureColdStarts, type ColdStartResults, type ColdTarget } from './cold-start';
import { startJwksServer } from './jwks-server';
import { guardColdTarget } from './guard-cold-target';
import { fixtureJwks, type JwtFixture } from './jwt-fixture';
import { OUR_AUTHORIZER_ENTRY, ourAuthorizerExists } from './our-authorizer';
import type { Pending } from './results';

/**
 * The cold-start targets: our authorizer and the two peers, all reading the same AUTH_CONFIG and
 * fetching the same JWKS from 127.0.0.1 during init, then deciding on one valid token; and the
 * request guard, when present.
 */
export async function measureColdStartTargets(
  fixture: JwtFixture,
  workDir: string,
  processes: number,
  pending: Pending[],
): Promise<ColdStartResults> {
  const server = await startJwksServer(fixtureJwks(fixture));
  try {
    const env = {
      AUTH_CONFIG: JSON.stringify(benchAuthorizerConfig(server.jwksUri)),
      POWERTOOLS_SERVICE_NAME: 'authorizer',
      POWERTOOLS_METRICS_NAMESPACE: 'ApiSecurityEdge',
      AWS_REGION: 'eu-west-1',
    };
    const firstEvent = tokenEvent(fixture.tokens.RS256[0]!);
    // The same bundle with the example config's auth section (revocation on: the AWS SDK's DynamoDB
    // client loads at init), issuers swapped for the bench issuer. No first decision: it would need
    // a DynamoDB to ask.
    const exampleEnv = {
      ...env,
      AUTH_CONFIG: JSON.stringify({
        ...exampleAuthSection(),
        issuers: benchAuthorizerConfig(server.jwksUri).issuers,
      }),
      REVOCATION_TABLE_NAME: 'Revocations',
    };
    const targets: ColdTarget[] = [
      { name: COLD_TARGET_NAMES.authorizer, entry: OUR_AUTHORIZER_ENTRY, env, firstEvent },
      { name: COLD_TARGET_NAMES.authorizerExampleConfig, entry: OUR_AUTHORIZER_ENTRY, env: exampleEnv },
      { name: COLD_TARGET_NAMES.jose, entry: join(__dirname, 'peers', 'jose-lambda.ts'), env, firstEvent },
      {
        name: COLD_TARGET_NAMES.jsonwebtoken,
        entry: join(__dirname, 'peers', 'jsonwebtoken-lambda.ts'),
        env,
        firstEvent,
      },
    ];
    const guard = guardColdTarget();
    if (guard === undefined) {
      pending.push({
        section: 'Request guard cold start',
        reason: 'lambdas/guard/handler.ts is not present yet',
      });
    } else {
      targets.splice(1, 0, guard);
    }
    if (!ourAuthorizerExists()) {
      pending.push({
        section: 'Authorizer cold start',
        reason: 'lambdas/authorizer/handler.ts is not present yet',
      });
    }
    return await measureColdStarts(targets, workDir, processes);
  } finally {
    await server.close();
  }
}

/** The `auth` section of config/edge.config.json, as committed. */
function exampleAuthSection(): Record<string, unknown> {
  const file = join(__dirname, '..', 'config', 'edge.config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { auth: Record<string, unknown> };
  return config.auth;
}
