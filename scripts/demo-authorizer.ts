/**
 * `npm run demo`: the real JWT authorizer, end to end, on this machine, in a few seconds.
 *
 * Generates a throw-away RSA key pair, serves its JWKS on 127.0.0.1 (random port), mints a few
 * tokens (valid admin, valid reader, expired, tampered, unsigned), runs each through
 * `createAuthorizer` against several routes, and prints API Gateway's answer for each:
 * 200 (the policy allows the route), 403 (valid token, the policy does not allow it) or 401
 * (`Unauthorized`), with the reason code from the authorizer's decision log line.
 * Nothing here is canned: every answer is computed by the authorizer and the IAM policy evaluator.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthorizer } from '../lambdas/authorizer/handler';
import type { PolicyAuthorizerResult } from '../lambdas/authorizer/authorizer';
import { parseAuthorizerConfig } from '../lambdas/shared/config/parse-authorizer-config';
import { silentMetrics, type StructuredLogger } from '../lambdas/shared/logging/powertools';
import { evaluatePolicy } from '../local/gateway/policy-evaluator';

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function mint(privateKey: Parameters<typeof sign>[2], kid: string, claims: Record<string, unknown>): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), privateKey))}`;
}

async function main(): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `demo-${randomUUID().slice(0, 8)}`;
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' }] });
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/.well-known/jwks.json' ? jwks : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const config = parseAuthorizerConfig(
      {
        issuers: [
          {
            issuer: origin,
            audience: 'orders-api',
            jwksUri: `${origin}/.well-known/jwks.json`,
            algorithms: ['RS256'],
          },
        ],
        routes: [
          { method: 'GET', path: '/orders', anyRoles: ['orders:read', 'admin'] },
          { method: 'GET', path: '/orders/{id}', anyRoles: ['orders:read', 'admin'] },
          { method: 'POST', path: '/orders', anyRoles: ['orders:write', 'admin'] },
          { method: 'ANY', path: '/admin/{proxy+}', allRoles: ['admin'] },
        ],
      },
      'demo config',
    );
    let lastReason = '';
    const logger: StructuredLogger = {
      info: (_m, attributes) => {
        lastReason = String(attributes.reason);
      },
      warn: (_m, attributes) => {
        console.log(`  (warning: ${String(attributes.reason)})`);
      },
      error: (_m, attributes) => {
        lastReason = String(attributes.reason);
      },
    };
    const authorizer = createAuthorizer(config, { logger, metrics: silentMetrics });
    await authorizer.ready();

    const now = Math.floor(Date.now() / 1000);
    const claims = (sub: string, roles: string[], over: Record<string, unknown> = {}) => ({
      iss: origin,
      aud: 'orders-api',
      sub,
      roles,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      ...over,
    });
    const reader = mint(privateKey, kid, claims('bob', ['orders:read']));
    const [rh, , rs] = reader.split('.');
    const tokens: [string, string][] = [
      ['valid admin', mint(privateKey, kid, claims('alice', ['admin']))],
      ['valid reader', reader],
      [
        'expired reader',
        mint(privateKey, kid, claims('carol', ['orders:read'], { iat: now - 7200, exp: now - 3600 })),
      ],
      [
        'tampered (reader → admin)',
        `${rh ?? ''}.${b64url(JSON.stringify(claims('bob', ['admin'])))}.${rs ?? ''}`,
      ],
      [
        'unsigned (alg none)',
        `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims('eve', ['admin'])))}.`,
      ],
    ];
    const routes: [string, string][] = [
      ['GET', '/orders'],
      ['GET', '/orders/42'],
      ['POST', '/orders'],
      ['DELETE', '/admin/users/7'],
    ];

    console.log(`JWKS served at ${origin}/.well-known/jwks.json (key ${kid}, generated now, never stored)\n`);
    for (const [label, token] of tokens) {
      console.log(`${label}:`);
      for (const [method, path] of routes) {
        const methodArn = `arn:aws:execute-api:eu-west-1:123456789012:demoapi/prod/${method}${path}`;
        let answer: string;
        try {
          const result = (await authorizer({
            type: 'TOKEN',
            authorizationToken: `Bearer ${token}`,
            methodArn,
          })) as PolicyAuthorizerResult;
          answer =
            evaluatePolicy(result.policyDocument, methodArn) === 'allow' ? '200 allow' : '403 forbidden';
        } catch (error) {
          answer =
            (error as Error).message === 'Unauthorized' ? '401 unauthorized' : `500 ${(error as Error).name}`;
        }
        console.log(`  ${`${method} ${path}`.padEnd(22)} → ${answer.padEnd(17)} (reason: ${lastReason})`);
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
