import { LocalUsageError } from './errors';
import { splitListArgument, type TokenRequestInput } from './idp/token-request';

export const TOKEN_USAGE = `Usage: npm run -s token -- --sub <subject> [options]

Mints an access token from the local identity provider (the running one, or its keys in .local/).

  --sub <s>          subject (required)
  --roles <a,b>      roles, comma or space separated (e.g. orders:read,admin)
  --scopes <a,b>     OAuth scopes
  --client-id <id>   client_id claim (default local-cli)
  --tenant <t>       tenant claim
  --aud <aud>        audience (default: the configured audience)
  --ttl <seconds>    lifetime (default 900)
  --alg RS256|ES256  signing algorithm (default RS256)
  --state-dir <dir>  where npm start keeps its keys and state (default .local)
  --json             print the token endpoint's JSON answer instead of the bare token`;

/** A parsed `npm run token` command line. */
export interface TokenArgs {
  readonly request: TokenRequestInput;
  readonly stateDir: string;
  readonly json: boolean;
}

const VALUE_FLAGS = new Set([
  '--sub',
  '--roles',
  '--scopes',
  '--client-id',
  '--tenant',
  '--aud',
  '--ttl',
  '--alg',
  '--state-dir',
]);

/** Parses `npm run token` arguments (pure). The request itself is validated by the IdP's schema. */
export function parseTokenArgs(argv: readonly string[]): TokenArgs | 'help' {
  const values = new Map<string, string>();
  let json = false;
  const args = argv[Symbol.iterator]();
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json') {
      json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!VALUE_FLAGS.has(name)) throw new LocalUsageError(`unknown option "${arg}"\n\n${TOKEN_USAGE}`);
    const value = eq < 0 ? args.next().value : arg.slice(eq + 1);
    if (value === undefined) throw new LocalUsageError(`${name} needs a value`);
    values.set(name, value);
  }
  const sub = values.get('--sub');
  if (sub === undefined) throw new LocalUsageError(`--sub is required\n\n${TOKEN_USAGE}`);
  const ttl = values.get('--ttl');
  if (ttl !== undefined && !/^\d+$/.test(ttl)) throw new LocalUsageError('--ttl must be a number of seconds');
  const list = (flag: string): string[] | undefined => {
    const v = values.get(flag);
    return v === undefined ? undefined : splitListArgument(v);
  };
  const request: Record<string, unknown> = { sub };
  const roles = list('--roles');
  const scopes = list('--scopes');
  if (roles !== undefined) request.roles = roles;
  if (scopes !== undefined) request.scopes = scopes;
  if (values.has('--client-id')) request.clientId = values.get('--client-id');
  if (values.has('--tenant')) request.tenant = values.get('--tenant');
  if (values.has('--aud')) request.audience = values.get('--aud');
  if (ttl !== undefined) request.ttl = Number(ttl);
  if (values.has('--alg')) request.alg = values.get('--alg');
  return { request: request as TokenRequestInput, stateDir: values.get('--state-dir') ?? '.local', json };
}
