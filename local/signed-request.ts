/**
 * `npm run -s signed-request -- GET /orders/ord-1001 --roles orders:read [--replay]`: a signed
 * request (RFC 9421) against the running local edge, with the demo client key `npm start`
 * registered and a fresh token from the local identity provider. `--replay` sends the very same
 * request again, which the guard must reject (401). The response signature is checked against the
 * guard's published JWKS.
 *
 * Exit code 0 only when everything held: the request was answered 2xx, the response carries the
 * guard's signature and it verifies, and (with `--replay`) the replay was answered 401. Anything
 * else — a refused or failed request, an INVALID signature, a response without one, an accepted
 * replay — exits 1 with a line on stderr saying what did not hold. A route that does not sign its
 * responses needs `--allow-unsigned-response` (then a signature that is present is still checked).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signRequest, type SignedRequest } from '../client/sign-request';
import { ResponseVerificationError } from '../client/errors';
import { verifyResponse, type ResponseJwks } from '../client/verify-response';
import { DEFAULT_GUARD_JWKS_PATH } from '../lambdas/shared/config/guard-config';
import { DEMO_CLIENT_ID, DEMO_CLIENT_KEY_FILE, DEMO_CLIENT_KEY_ID } from './demo-client';
import { LocalUsageError } from './errors';
import { splitListArgument } from './idp/token-request';
import { readLocalState } from './state-file';

const USAGE = `Usage: npm run -s signed-request -- <METHOD> <path> [--body <json>] [--sub <s>] [--roles <a,b>] [--scopes <a,b>] [--replay] [--allow-unsigned-response] [--state-dir <dir>]`;

interface Args {
  method: string;
  path: string;
  body: string | undefined;
  sub: string;
  roles: string[];
  scopes: string[];
  replay: boolean;
  /** Accept a 2xx answer without a response signature (routes with `signResponse: false`). */
  allowUnsignedResponse: boolean;
  stateDir: string;
}

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const values = new Map<string, string>();
  let replay = false;
  let allowUnsignedResponse = false;
  const args = argv[Symbol.iterator]();
  for (const arg of args) {
    if (arg === '--replay') replay = true;
    else if (arg === '--allow-unsigned-response') allowUnsignedResponse = true;
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
    allowUnsignedResponse,
    stateDir: values.get('--state-dir') ?? '.local',
  };
}

/** What did not hold in the exchange (printed on stderr; any one of them exits 1). */
class ExchangeFailure extends Error {
  override readonly name = 'ExchangeFailure';
}

/**
 * Checks the answer to the first request: 2xx, signed by the guard, and the signature verifies.
 * Prints the verdict on the signature; throws an {@link ExchangeFailure} naming what did not hold.
 */
function checkAnswer(
  res: Response,
  body: Buffer,
  signed: SignedRequest,
  jwks: ResponseJwks,
  allowUnsignedResponse: boolean,
): void {
  if (!res.ok) {
    throw new ExchangeFailure(`the request was answered ${res.status} ${res.statusText}, not 2xx`);
  }
  if (!res.headers.has('signature') && !res.headers.has('signature-input')) {
    if (allowUnsignedResponse) {
      console.log('  response signature: none (accepted: --allow-unsigned-response)');
      return;
    }
    console.log('  response signature: MISSING');
    throw new ExchangeFailure(
      'the response carries no Signature header, so nothing proves it came from the guard; ' +
        'if this route does not sign its responses ("signed": false or "signResponse": false), pass --allow-unsigned-response',
    );
  }
  try {
    const { keyId } = verifyResponse({
      response: { status: res.status, headers: res.headers, body },
      request: signed,
      jwks,
    });
    console.log(`  response signature: valid (guard JWKS, key ${keyId})`);
  } catch (error) {
    if (!(error instanceof ResponseVerificationError)) throw error;
    console.log(`  response signature: INVALID (${error.reason})`);
    throw new ExchangeFailure(`the response signature is INVALID (${error.reason})`, { cause: error });
  }
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
  const jwksRes = await fetch(`${state.gatewayUrl}${DEFAULT_GUARD_JWKS_PATH}`);
  if (!jwksRes.ok)
    throw new Error(`the guard's JWKS (${DEFAULT_GUARD_JWKS_PATH}) answered ${jwksRes.status}`);
  const jwks = (await jwksRes.json()) as ResponseJwks;
  const send = async (): Promise<{ res: Response; body: Buffer }> => {
    const res = await fetch(signed.url, {
      method: signed.method,
      headers: signed.headers,
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  const first = await send();
  console.log(`request: ${first.res.status} ${first.res.statusText}`);
  try {
    checkAnswer(first.res, first.body, signed, jwks, args.allowUnsignedResponse);
  } finally {
    console.log(`  ${first.body.toString('utf8')}`);
  }
  if (!args.replay) return;
  const replay = await send();
  console.log(`replay : ${replay.res.status} ${replay.res.statusText}`);
  console.log(`  ${replay.body.toString('utf8')}`);
  if (replay.res.status !== 401) {
    throw new ExchangeFailure(
      `the replay was answered ${replay.res.status} ${replay.res.statusText}; the guard must reject it with 401`,
    );
  }
}

main().catch((error: unknown) => {
  const prefix = error instanceof ExchangeFailure ? 'signed-request: FAILED: ' : 'signed-request: ';
  console.error(`${prefix}${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
