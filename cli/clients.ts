/**
 * Operator CLI for the client registry: which usage-plan tier (and API key) each OAuth client is
 * metered on. The authorizer returns the key as `usageIdentifierKey`; clients never see it.
 *
 *   npm run clients -- register --client-id ID --tier T
 *   npm run clients -- set-tier --client-id ID --tier T            (moves the client to T on a new key)
 *   npm run clients -- rotate-key --client-id ID | --default
 *   npm run clients -- set-default-tier --tier T                   (for unknownClients: "default-tier")
 *   npm run clients -- list [--json]
 *   npm run clients -- remove --client-id ID | --default
 *   npm run clients -- prune-keys                                  (deletes rotated-out keys after the grace)
 *
 * AWS: table --table or REVOCATION_TABLE_NAME (stack output RevocationTableName); tier → usage plan id
 * from --usage-plans or USAGE_PLAN_IDS (`free=a1b2c3,gold=d4e5f6`, stack output UsagePlanIds); API
 * keys through API Gateway (CreateApiKey, CreateUsagePlanKey, DeleteUsagePlanKey, DeleteApiKey) with
 * the SDK's default credentials and --region / AWS_REGION.
 *
 * Local (`npm start`): --local reads the running edge's DynamoDB endpoint from .local/state.json
 * (--state-dir); any DynamoDB endpoint (--endpoint, DYNAMODB_ENDPOINT) also means local. API keys then
 * go to the local key store in the same table, which the local gateway meters on; a usage plan id
 * is the tier name.
 *
 * Key values are printed only with --show-key: with `apiKeys.source: AUTHORIZER` no client needs one.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TIER_PATTERN } from '../lambdas/authorizer/client-registry-store';
import { REVOCATION_TABLE } from '../lambdas/shared/contracts/tables';
import { quietSdkNodeVersionNotice } from '../local/quiet-warnings';
import { readLocalState } from '../local/state-file';
import { AwsApiKeyControlPlane, type ApiKeyControlPlane } from './api-key-control-plane';
import { CliUsageError, processIo, type CliIo, parseCliArgs } from './cli-io';
import {
  EntryConflictError,
  EntryWriteUnconfirmedError,
  entryName,
  isGarbled,
  listEntries,
  type ClientEntry,
  type EntryTarget,
} from './client-registry-items';
import {
  clientTarget,
  ClientRegistryOperations,
  DEFAULT_KEY_GRACE_SECONDS,
  keyNamePrefix,
} from './client-registry-operations';
import { dynamoClientFrom } from './dynamo-client';
import { LocalApiKeyControlPlane } from './local-api-key-control-plane';

const COMMANDS = ['register', 'set-tier', 'rotate-key', 'set-default-tier', 'list', 'remove', 'prune-keys'];

const USAGE = `usage: clients <${COMMANDS.join('|')}> [options]
  register          --client-id ID --tier T
  set-tier          --client-id ID --tier T     (a new key in T; the old one retires after --grace)
  rotate-key        --client-id ID | --default
  set-default-tier  --tier T                    (the key for unknown clients under unknownClients "default-tier")
  list              [--json]
  remove            --client-id ID | --default  (deletes its keys at once)
  prune-keys                                    (deletes rotated-out keys older than --grace)
keys:   --grace S (default ${DEFAULT_KEY_GRACE_SECONDS}; the stack output ClientRegistryMaxDelaySeconds is enough)
        --show-key (print API key values; with apiKeys.source AUTHORIZER nobody needs them)
aws:    --table NAME (or ${REVOCATION_TABLE.envVar})  --usage-plans TIER=ID,… (or USAGE_PLAN_IDS)  --region R (or AWS_REGION)
local:  --local [--state-dir DIR] (the running npm start)  or --endpoint URL (or DYNAMODB_ENDPOINT)`;

/**
 * Test seams: the control plane, and the DynamoDB client, to use instead of the ones the options
 * select. An injected DynamoDB client belongs to the caller (the CLI does not destroy it).
 */
export interface ClientsCliDeps {
  readonly controlPlane?: ApiKeyControlPlane;
  readonly dynamo?: DynamoDBClient;
}

/** Parses `free=a1b2c3,gold=d4e5f6` (tier → usage plan id). */
export function parseUsagePlanIds(text: string): Map<string, string> {
  const plans = new Map<string, string>();
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [tier, id, ...rest] = pair.split('=');
    if (
      tier === undefined ||
      id === undefined ||
      rest.length > 0 ||
      !TIER_PATTERN.test(tier) ||
      !/^[A-Za-z0-9]{1,64}$/.test(id)
    ) {
      throw new CliUsageError(
        '--usage-plans must look like "free=a1b2c3,gold=d4e5f6" (tier=usage plan id, comma separated)',
      );
    }
    plans.set(tier, id);
  }
  return plans;
}

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new CliUsageError(`${flag} must be a whole number of seconds`);
  return Number(value);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new CliUsageError(`${flag} is required`);
  return value;
}

function describeEntry(entry: ClientEntry, showKey: boolean): string {
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  return [
    entryName(entry),
    `tier=${entry.tier}`,
    `apiKeyId=${entry.apiKeyId}`,
    ...(showKey ? [`apiKeyValue=${entry.apiKeyValue}`] : []),
    `updatedAt=${iso(entry.updatedAt)}`,
    ...(entry.previousApiKeyId === undefined
      ? []
      : [
          `retiring=${entry.previousApiKeyId} (tier ${entry.previousTier ?? '?'}, since ${iso(entry.previousRetiredAt ?? 0)})`,
        ]),
  ].join('\t');
}

function withoutKey(entry: ClientEntry): Omit<ClientEntry, 'apiKeyValue'> {
  const { apiKeyValue: _value, ...rest } = entry;
  return rest;
}

/** Runs the CLI with arguments (without `node script`); resolves to the exit code. */
export async function runClients(
  argv: readonly string[],
  io: CliIo,
  deps: ClientsCliDeps = {},
): Promise<number> {
  const [command, ...rest] = argv;
  const values = parseCliArgs(
    rest,
    {
      'client-id': { type: 'string' },
      tier: { type: 'string' },
      default: { type: 'boolean' },
      grace: { type: 'string' },
      json: { type: 'boolean' },
      'show-key': { type: 'boolean' },
      table: { type: 'string' },
      'usage-plans': { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      local: { type: 'boolean' },
      'state-dir': { type: 'string' },
    },
    io,
    USAGE,
  );
  if (values === undefined) return 2;
  const showKey = values['show-key'] === true;
  try {
    if (command === undefined || !COMMANDS.includes(command)) throw new CliUsageError('unknown command');
    const envEndpoint = io.env.DYNAMODB_ENDPOINT;
    let endpoint = values.endpoint ?? (envEndpoint === '' ? undefined : envEndpoint);
    let localPlans: readonly string[] | undefined;
    if (values.local === true) {
      const state = await readLocalState(values['state-dir'] ?? '.local');
      if (state === undefined) {
        throw new CliUsageError(
          `no running local edge found in ${values['state-dir'] ?? '.local'}/state.json: start it with npm start`,
        );
      }
      endpoint = state.dynamoEndpoint;
      localPlans = state.usagePlans;
    }
    const local = endpoint !== undefined;
    const table =
      values.table ?? io.env[REVOCATION_TABLE.envVar] ?? (local ? REVOCATION_TABLE.logicalName : undefined);
    if (table === undefined || table === '')
      throw new CliUsageError(`set --table or ${REVOCATION_TABLE.envVar}`);
    const planText = values['usage-plans'] ?? io.env.USAGE_PLAN_IDS;
    // The running local edge names its plans (a plan's id is its name there): use them strictly.
    const plans =
      planText !== undefined && planText !== ''
        ? parseUsagePlanIds(planText)
        : new Map((localPlans ?? []).map((name): [string, string] => [name, name]));
    const usagePlanIdOf = (tier: string): string => {
      // Locally a plan id is the tier name, unless a mapping is given (then it is used strictly).
      const id = plans.size > 0 ? plans.get(tier) : local ? tier : undefined;
      if (id === undefined) {
        throw new CliUsageError(
          `tier "${tier}" has no usage plan id: pass --usage-plans ${tier}=<id>,… or USAGE_PLAN_IDS (stack output UsagePlanIds)`,
        );
      }
      return id;
    };
    const grace = seconds(values.grace, '--grace', DEFAULT_KEY_GRACE_SECONDS);
    const target = (): EntryTarget => {
      if (values.default === true) {
        if (values['client-id'] !== undefined)
          throw new CliUsageError('give --client-id or --default, not both');
        return { kind: 'default' };
      }
      return clientTarget(required(values['client-id'], '--client-id'));
    };

    const dynamo =
      deps.dynamo ?? dynamoClientFrom({ ...values, endpoint }, { ...io.env, DYNAMODB_ENDPOINT: undefined });
    const apiGateway =
      local || deps.controlPlane !== undefined
        ? undefined
        : new APIGatewayClient({ ...(values.region === undefined ? {} : { region: values.region }) });
    try {
      const controlPlane =
        deps.controlPlane ??
        (apiGateway === undefined
          ? new LocalApiKeyControlPlane(dynamo, table)
          : new AwsApiKeyControlPlane(apiGateway));
      const ops = new ClientRegistryOperations({
        dynamo,
        table,
        controlPlane,
        usagePlanIdOf,
        nowSeconds: () => Math.floor(io.now() / 1000),
      });
      const delayNote =
        'authorizers pick it up within the worst-case delay (stack output ClientRegistryMaxDelaySeconds)';
      switch (command) {
        case 'register': {
          const entry = await ops.register(
            clientTarget(required(values['client-id'], '--client-id')),
            required(values.tier, '--tier'),
          );
          io.out(`registered ${describeEntry(entry, showKey)}; ${delayNote}`);
          break;
        }
        case 'set-tier': {
          const { entry, changed } = await ops.setTier(target(), required(values.tier, '--tier'), grace);
          io.out(
            changed
              ? `moved ${describeEntry(entry, showKey)}; ${delayNote}`
              : `${entryName(entry)} is already in tier ${entry.tier}`,
          );
          break;
        }
        case 'rotate-key': {
          const entry = await ops.rotateKey(target(), grace);
          io.out(`rotated ${describeEntry(entry, showKey)}; ${delayNote}`);
          break;
        }
        case 'set-default-tier': {
          const entry = await ops.setDefaultTier(required(values.tier, '--tier'), grace);
          io.out(`default tier ${describeEntry(entry, showKey)}; ${delayNote}`);
          break;
        }
        case 'remove': {
          const { removed, deletedKeyIds, leftoverKeys } = await ops.remove(target());
          const what = isGarbled(removed) ? `the garbled item ${removed.pk}` : entryName(removed);
          io.out(
            `removed ${what}; deleted API key(s) ${deletedKeyIds.length === 0 ? '(none)' : deletedKeyIds.join(', ')}; answers cached before now may still name them until the worst-case delay has passed (403 for those requests)`,
          );
          if (isGarbled(removed) && removed.apiKeys.length === 0) {
            io.out(
              `the garbled item named no readable API key id: look for keys named ${keyNamePrefix(removed)}… (aws apigateway get-api-keys --name-query ${keyNamePrefix(removed)}) and delete them`,
            );
          }
          if (leftoverKeys.length > 0) {
            io.err(
              `clients: could not delete API key(s) ${leftoverKeys.map((k) => `${k.apiKeyId} (${k.error})`).join(', ')}: ` +
                'they still exist (in their usage plan); delete them by hand (aws apigateway delete-api-key --api-key ID)',
            );
            return 1;
          }
          break;
        }
        case 'prune-keys': {
          const { pruned, conflicts } = await ops.pruneKeys(grace);
          for (const entry of pruned)
            io.out(`pruned ${entryName(entry)}: deleted key ${entry.previousApiKeyId ?? '?'}`);
          io.out(`${String(pruned.length)} rotated-out key(s) deleted`);
          if (conflicts.length > 0) {
            io.err(`clients: changed meanwhile, not pruned: ${conflicts.join(', ')}; run prune-keys again`);
            return 1;
          }
          break;
        }
        default: {
          const { entries, garbled } = await listEntries(dynamo, table);
          if (values.json === true) {
            io.out(
              JSON.stringify({ entries: showKey ? entries : entries.map(withoutKey), garbled }, null, 2),
            );
          } else {
            for (const entry of entries) io.out(describeEntry(entry, showKey));
            for (const pk of garbled)
              io.out(
                `${pk}\tGARBLED: the authorizer fails closed (500) for this client; run remove, then register it again`,
              );
            if (entries.length === 0 && garbled.length === 0) io.out('(no clients registered)');
          }
        }
      }
      return 0;
    } finally {
      if (deps.dynamo === undefined) dynamo.destroy();
      apiGateway?.destroy();
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`clients: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    if (error instanceof EntryConflictError || error instanceof EntryWriteUnconfirmedError) {
      io.err(`clients: ${error.message}`);
      return 1;
    }
    io.err(`clients: ${error instanceof Error ? error.name : 'error'}`);
    return 1;
  }
}

if (require.main === module) {
  quietSdkNodeVersionNotice();
  void runClients(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
