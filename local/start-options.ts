import type { BackendModule } from './backends';
import { LocalUsageError } from './errors';
import { DEFAULT_EDGE_CONFIG_PATH } from './local-config';

/** Default ports of `npm start`. */
export const DEFAULT_PORTS = { gateway: 3000, idp: 9400, dynamo: 4567 } as const;

/** What `npm start` runs with. */
export interface StartOptions {
  readonly ports: { readonly gateway: number; readonly idp: number; readonly dynamo: number };
  readonly configPath: string;
  readonly stateDir: string;
  /** Print access-log lines (on by default). */
  readonly accessLog: boolean;
  /** Your own backend handler modules, by backend name (`--backend`, `EDGE_BACKENDS`). */
  readonly backends: readonly BackendModule[];
}

/** Each setting: its flag and its environment variable. */
const SETTINGS = {
  gateway: { flag: '--port', env: 'EDGE_PORT' },
  idp: { flag: '--idp-port', env: 'IDP_PORT' },
  dynamo: { flag: '--dynamo-port', env: 'DYNAMO_PORT' },
  config: { flag: '--config', env: 'EDGE_CONFIG' },
  stateDir: { flag: '--state-dir', env: 'EDGE_STATE_DIR' },
} as const;

export const START_USAGE = `Usage: npm start -- [options]

  --port <n>          local gateway port (env EDGE_PORT, default ${DEFAULT_PORTS.gateway}; 0 = any free port)
  --idp-port <n>      local identity provider port (env IDP_PORT, default ${DEFAULT_PORTS.idp})
  --dynamo-port <n>   local DynamoDB (dynalite) port (env DYNAMO_PORT, default ${DEFAULT_PORTS.dynamo})
  --config <file>     edge configuration (env EDGE_CONFIG, default ${DEFAULT_EDGE_CONFIG_PATH})
  --state-dir <dir>   keys and state (env EDGE_STATE_DIR, default .local)
  --backend <name>=<module>
                      run your own backend handler for api.routes[].backend <name>: a .ts or .js
                      module exporting \`handler\` (repeatable; env EDGE_BACKENDS=name=module,…;
                      replaces a sample backend of the same name)
  --no-access-log     do not print access-log lines
  --help              this text`;

function parsePort(value: string, source: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new LocalUsageError(`${source} must be a port number 0–65535, got "${value}"`);
  }
  return Number(value);
}

/**
 * Reads `npm start` options from flags (`--port 3001` or `--port=3001`) and environment
 * variables; a flag beats its variable. Pure: argv and env are passed in.
 */
export function parseStartOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StartOptions | 'help' {
  const flags = new Map<string, string>();
  const backendFlags: string[] = [];
  let accessLog = true;
  const args = argv[Symbol.iterator]();
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--no-access-log') {
      accessLog = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const known = name === BACKEND_FLAG || Object.values(SETTINGS).some((s) => s.flag === name);
    if (!known) throw new LocalUsageError(`unknown option "${arg}"\n\n${START_USAGE}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else value = args.next().value;
    if (value === undefined || value === '') throw new LocalUsageError(`${name} needs a value`);
    if (name === BACKEND_FLAG) backendFlags.push(value);
    else flags.set(name, value);
  }
  const pick = (setting: { readonly flag: string; readonly env: string }): [string, string] | undefined => {
    const flag = flags.get(setting.flag);
    if (flag !== undefined) return [flag, setting.flag];
    const fromEnv = env[setting.env];
    return fromEnv === undefined || fromEnv === '' ? undefined : [fromEnv, setting.env];
  };
  const port = (key: 'gateway' | 'idp' | 'dynamo'): number => {
    // eslint-disable-next-line security/detect-object-injection -- key is a literal union
    const found = pick(SETTINGS[key]);
    // eslint-disable-next-line security/detect-object-injection -- key is a literal union
    return found === undefined ? DEFAULT_PORTS[key] : parsePort(found[0], found[1]);
  };
  return {
    ports: { gateway: port('gateway'), idp: port('idp'), dynamo: port('dynamo') },
    configPath: pick(SETTINGS.config)?.[0] ?? DEFAULT_EDGE_CONFIG_PATH,
    stateDir: pick(SETTINGS.stateDir)?.[0] ?? '.local',
    accessLog,
    backends:
      backendFlags.length > 0
        ? parseBackendModules(backendFlags, BACKEND_FLAG)
        : parseBackendModules(
            (env.EDGE_BACKENDS ?? '').split(',').filter((entry) => entry.trim() !== ''),
            BACKENDS_ENV,
          ),
  };
}

const BACKEND_FLAG = '--backend';
const BACKENDS_ENV = 'EDGE_BACKENDS';
/** The names `api.routes[].backend` accepts. */
const BACKEND_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** `name=module` entries (from flags, or the env var; the flags win) → backend modules. */
function parseBackendModules(entries: readonly string[], source: string): BackendModule[] {
  const modules: BackendModule[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq);
    const modulePath = eq < 0 ? '' : entry.slice(eq + 1);
    if (!BACKEND_NAME.test(name) || modulePath === '') {
      throw new LocalUsageError(
        `${source} "${entry}" must be <name>=<module>, e.g. billing=./src/billing/handler.ts (name: lower-case letters, digits and -)`,
      );
    }
    if (modules.some((m) => m.name === name)) {
      throw new LocalUsageError(`${source} names backend "${name}" twice`);
    }
    modules.push({ name, modulePath, source });
  }
  return modules;
}
