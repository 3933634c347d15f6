/**
 * Where the end-to-end suite runs: against a local edge the test starts (default), or against a
 * deployed stack when `E2E_BASE_URL` is set. The same tests hold both to one contract.
 *
 * Remote mode needs a token source, either
 * - `E2E_TOKEN_CMD`: a shell command that prints a token; it gets `E2E_PROFILE` (reader, writer,
 *   plain), `E2E_SUB`, `E2E_ROLES` and `E2E_SCOPES` (space separated) in its environment, or
 * - `E2E_TOKEN_READER`, `E2E_TOKEN_WRITER`, `E2E_TOKEN_PLAIN`: ready tokens.
 * Optional: `E2E_API_KEY` (sent as x-api-key), `E2E_ORIGIN` (an allowed CORS origin),
 * `E2E_CLIENT_KEY_ID` + `E2E_CLIENT_KEY_FILE` (a registered client signing key, PKCS#8 PEM),
 * `E2E_CLIENT_ID` (its owner client id, for tokens minted by E2E_TOKEN_CMD).
 * Tests that need local-only control (injected clock, counting authorizer calls, tiny throttles)
 * are skipped in remote mode and say so.
 */
import { execFileSync } from 'node:child_process';
import { startLocalEdge, type LocalEdge, type LocalEdgeOptions } from '../../local/edge';
import { loadEdgeConfigFile } from '../../local/local-config';
import type { LocalAuthorizer } from '../../local/local-authorizer';
import { join } from 'node:path';

export const REMOTE_BASE_URL = process.env.E2E_BASE_URL;
export const IS_REMOTE = REMOTE_BASE_URL !== undefined && REMOTE_BASE_URL !== '';

/** `it` locally, `it.skip` against a deployed stack (the test needs local-only control). */
export const itLocal: jest.It = IS_REMOTE ? it.skip : it;

/** Says once per file why some tests are skipped in remote mode. */
export function announceRemoteSkips(file: string, reason: string): void {
  if (IS_REMOTE)
    console.info(`[e2e remote mode] ${file}: tests marked "(local only)" are skipped: ${reason}`);
}

/** Token profiles the suite uses; the example config gives them these entitlements. */
export const PROFILES = {
  reader: { sub: 'alice', roles: ['orders:read'], scopes: [] as string[] },
  writer: { sub: 'walt', roles: ['orders:write'], scopes: ['orders'] },
  plain: { sub: 'nora', roles: [] as string[], scopes: [] as string[] },
} as const;
export type Profile = keyof typeof PROFILES;

/** A clock the local edge runs on; tests move it instead of sleeping. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface E2eTarget {
  readonly baseUrl: string;
  /** A token for a profile (optionally with another client id, for signed requests). */
  token(profile: Profile, clientId?: string): Promise<string>;
  /** Headers every call carries (x-api-key when configured). */
  readonly baseHeaders: Readonly<Record<string, string>>;
  /** Local mode only. */
  readonly local:
    { readonly edge: LocalEdge; readonly clock: TestClock; authorizerCalls(): number } | undefined;
  close(): Promise<void>;
}

function remoteToken(profile: Profile, clientId: string | undefined): string {
  const envToken = process.env[`E2E_TOKEN_${profile.toUpperCase()}`];
  if (envToken !== undefined && envToken !== '') return envToken;
  const cmd = process.env.E2E_TOKEN_CMD;
  if (cmd === undefined || cmd === '') {
    throw new Error(`remote e2e needs E2E_TOKEN_CMD or E2E_TOKEN_${profile.toUpperCase()}`);
  }
  const p = PROFILES[profile];
  return execFileSync('sh', ['-c', cmd], {
    encoding: 'utf8',
    env: {
      ...process.env,
      E2E_PROFILE: profile,
      E2E_SUB: p.sub,
      E2E_ROLES: p.roles.join(' '),
      E2E_SCOPES: p.scopes.join(' '),
      ...(clientId === undefined ? {} : { E2E_CLIENT_ID: clientId }),
    },
  }).trim();
}

/**
 * Starts the target. Locally: dynalite, IdP and gateway on 127.0.0.1 port 0 with keys in memory,
 * the example configuration, an injected clock and a counter around the real authorizer.
 */
export async function startTarget(adjust?: LocalEdgeOptions['adjustConfig']): Promise<E2eTarget> {
  if (IS_REMOTE) {
    const apiKey = process.env.E2E_API_KEY;
    return {
      baseUrl: (REMOTE_BASE_URL ?? '').replace(/\/$/, ''),
      token: (profile, clientId) => Promise.resolve(remoteToken(profile, clientId)),
      baseHeaders: apiKey === undefined ? {} : { 'x-api-key': apiKey },
      local: undefined,
      close: () => Promise.resolve(),
    };
  }
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const clock = new TestClock();
  let calls = 0;
  const edge = await startLocalEdge({
    baseConfig: await loadEdgeConfigFile(join(__dirname, '../../config/edge.config.json')),
    ports: { gateway: 0, idp: 0, dynamo: 0 },
    stateDir: undefined,
    nowMs: clock.now,
    ...(adjust === undefined ? {} : { adjustConfig: adjust }),
    wrapAuthorizer:
      (authorizer: LocalAuthorizer): LocalAuthorizer =>
      (event) => {
        calls++;
        return authorizer(event);
      },
  });
  const api = edge.config.api;
  const key = api?.apiKeys.required === true && api.apiKeys.source === 'HEADER' ? edge.apiKeys[0] : undefined;
  return {
    baseUrl: edge.gatewayUrl,
    token: async (profile, clientId) => {
      const p = PROFILES[profile];
      const res = await fetch(edge.idp.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          sub: p.sub,
          roles: p.roles,
          scopes: p.scopes,
          ...(clientId === undefined ? {} : { clientId }),
        }),
      });
      if (!res.ok) throw new Error(`local IdP answered ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    baseHeaders: key === undefined ? {} : { 'x-api-key': key.value },
    local: { edge, clock, authorizerCalls: () => calls },
    close: () => edge.close(),
  };
}
