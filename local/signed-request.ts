/**
 * `npm run -s signed-request -- GET /orders/ord-1001 --roles orders:read [--replay]`: a signed
 * request (RFC 9421) against the running local edge, with the demo client key `npm start`
 * registered and a fresh token from the local identity provider. `--replay` sends the very same
 * request again, which the guard must reject (401). The response signature is checked against the
 * guard's published JWKS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signRequest } from '../client/sign-request';
import { verifyResponse } from '../client/verify-response';
import { DEFAULT_GUARD_JWKS_PATH } from '../lambdas/shared/config/guard-config';
import { DEMO_CLIENT_ID, DEMO_CLIENT_KEY_FILE, DEMO_CLIENT_KEY_ID } from './demo-client';
import { LocalUsageError } from './errors';
import { splitListArgument } from './idp/token-request';
import { readLocalState } from './state-file';

const USAGE = `Usage: npm run -s signed-request -- <METHOD> <path> [--body <json>] [--sub <s>] [--roles <a,b>] [--scopes <a,b>] [--replay] [--state-dir <dir>]`;

interface Args {
  method: string;
  path: string;
  body: string | undefined;
  sub: string;
  roles: string[];
  scopes: string[];
  replay: boolean;
  stateDir: string;
}

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const values = new Map<string, string>();
  let replay = false;
  const args = argv[Symbol.iterator]();
  for (const arg of args) {
    if (arg === '--replay') replay = true;
    else if (['--body', '--sub', '--roles', '--scopes', '--state-dir'].includes(arg)) {
      const value = args.next().value;
      if (value === undefined) throw new LocalUsageError(`${arg} needs a value`);
      values.set(arg, value);
    } else if (arg.startsWith('--')) throw new LocalUsageError(`unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  const [method, path] = positional;
  if (method === undefined || path?.startsWith('/') !== true) throw new LocalUsageError(USAGE);
  return {
    method: method.toUpperCase(),
    path,
    body: values.get('--body'),
    sub: values.get('--sub') ?? 'alice',
    roles: splitListArgument(values.get('--roles') ?? 'orders:read'),
    scopes: splitListArgument(values.get('--scopes') ?? ''),
    replay,
    stateDir: values.get('--state-dir') ?? '.local',
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const state = await readLocalState(args.stateDir);
  if (state === undefined)
    throw new LocalUsageError(`no running local edge found in ${args.stateDir}/ (start it with npm start)`);
  const tokenRes = await fetch(state.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: args.sub, roles: args.roles, scopes: args.scopes, clientId: DEMO_CLIENT_ID }),
  });
  if (!tokenRes.ok) throw new Error(`the identity provider answered ${tokenRes.status}`);
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside the state folder
  const privateKey = await readFile(join(args.stateDir, DEMO_CLIENT_KEY_FILE), 'utf8');
  const signed = await signRequest({
    method: args.method,
    url: `${state.gatewayUrl}${args.path}`,
    headers: { Authorization: `Bearer ${token}` },
    ...(args.body === undefined ? {} : { body: args.body }),
    key: { keyId: DEMO_CLIENT_KEY_ID, privateKey },
  });
  const jwks = (await (await fetch(`${state.gatewayUrl}${DEFAULT_GUARD_JWKS_PATH}`)).json()) as { keys: [] };
  for (let attempt = 1; attempt <= (args.replay ? 2 : 1); attempt++) {
    const res = await fetch(signed.url, {
      method: signed.method,
      headers: signed.headers,
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });
    const body = await res.text();
    console.log(`${attempt === 1 ? 'request' : 'replay '}: ${res.status} ${res.statusText}`);
    if (res.headers.has('signature')) {
      try {
        verifyResponse({
          response: { status: res.status, headers: res.headers, body },
          request: signed,
          jwks,
        });
        console.log('  response signature: valid (guard JWKS)');
      } catch (error) {
        console.log(`  response signature: INVALID (${error instanceof Error ? error.name : 'error'})`);
      }
    }
    console.log(`  ${body}`);
  }
}

main().catch((error: unknown) => {
  console.error(`signed-request: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
