/**
 * Operator CLI for token revocations (the authorizer's kill switch).
 *
 *   npm run revocations -- revoke-token --token <jwt>          (or --jti <id> --exp <epoch seconds>)
 *   npm run revocations -- revoke-user --sub <sub> [--iss <issuer>]
 *   npm run revocations -- revoke-client --client-id <id>
 *   npm run revocations -- list [--json]
 *   npm run revocations -- expire --id <pk>                    (lifts a revocation: deletes the item)
 *
 * Table: --table or REVOCATION_TABLE_NAME. Endpoint: --endpoint or DYNAMODB_ENDPOINT (e.g. the local
 * dynalite, http://127.0.0.1:8000); region: --region or AWS_REGION.
 *
 * A pasted token is read without verification (aws-jwt-verify's decomposeUnverifiedJwt) only for its
 * `jti` and `exp`; the token itself is never printed or stored, only its SHA-256 (base64url).
 *
 * TTL (`expiresAt`): a jti revocation lives until `exp` + --clock-skew (the authorizer accepts a token
 * up to that long after `exp`); a user or client revocation kills every token with `iat` <
 * `revokedBefore` (the next whole second) and lives until `revokedBefore` + --max-lifetime +
 * --clock-skew, after which no token it kills can still be valid. Both default to the schema's
 * largest values (86400 and 300 s); pass your `auth.tokenLimits` to let items go sooner.
 */
import { CliUsageError, processIo, type CliIo, parseCliArgs } from './cli-io';
import { dynamoClientFrom, flatItem } from './dynamo-client';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  paginateScan,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { hash } from 'node:crypto';
import {
  clientRevocationKey,
  isRevocationKey,
  jtiRevocationKey,
  subjectRevocationKey,
  type RevocationKind,
} from '../lambdas/authorizer/revocation-store';
import { REVOCATION_TABLE } from '../lambdas/shared/contracts/tables';

/** Largest `tokenLimits.maxLifetimeSeconds` the schema accepts: the default TTL margin. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;
/** Largest `tokenLimits.clockSkewSeconds` the schema accepts. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

const USAGE = `usage: revocations <revoke-token|revoke-user|revoke-client|list|expire> [options]
  revoke-token  --token JWT | --jti ID --exp EPOCH_SECONDS
  revoke-user   --sub SUB [--iss ISSUER]
  revoke-client --client-id ID
  list          [--json]
  expire        --id PK
ttl:    --max-lifetime S (default ${DEFAULT_MAX_LIFETIME_SECONDS})  --clock-skew S (default ${DEFAULT_CLOCK_SKEW_SECONDS})
common: --table NAME (or ${REVOCATION_TABLE.envVar})  --endpoint URL (or DYNAMODB_ENDPOINT)  --region R (or AWS_REGION)`;

/** A revocation as the CLI writes and lists it. */
export interface RevocationEntry {
  readonly pk: string;
  readonly kind: RevocationKind;
  /** Epoch seconds; tokens with `iat` below it die (`sub`, `client`). */
  readonly revokedBefore?: number;
  /** Epoch seconds (DynamoDB TTL). */
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly jti?: string;
  readonly sub?: string;
  readonly iss?: string;
  readonly clientId?: string;
  /** SHA-256 (base64url) of the pasted token, when it was pasted. */
  readonly tokenSha256?: string;
}

/** The jti revocation of a token: TTL = exp + clock skew. */
export function jtiRevocation(
  jti: string,
  exp: number,
  nowSeconds: number,
  clockSkewSeconds: number,
  tokenSha256?: string,
): RevocationEntry {
  return {
    pk: jtiRevocationKey(jti),
    kind: 'jti',
    jti,
    expiresAt: exp + clockSkewSeconds,
    createdAt: nowSeconds,
    ...(tokenSha256 === undefined ? {} : { tokenSha256 }),
  };
}

/**
 * A subject or client revocation: tokens issued before the next whole second die (so a token issued
 * in the same second as the revocation dies too); TTL = revokedBefore + max lifetime + clock skew.
 */
export function revokedBeforeRevocation(
  target: { kind: 'sub'; sub: string; iss?: string } | { kind: 'client'; clientId: string },
  nowSeconds: number,
  maxLifetimeSeconds: number,
  clockSkewSeconds: number,
): RevocationEntry {
  const revokedBefore = nowSeconds + 1;
  const common = {
    revokedBefore,
    expiresAt: revokedBefore + maxLifetimeSeconds + clockSkewSeconds,
    createdAt: nowSeconds,
  };
  if (target.kind === 'client') {
    return { pk: clientRevocationKey(target.clientId), kind: 'client', clientId: target.clientId, ...common };
  }
  return {
    pk: subjectRevocationKey(target.sub, target.iss),
    kind: 'sub',
    sub: target.sub,
    ...(target.iss === undefined ? {} : { iss: target.iss }),
    ...common,
  };
}

function fromItem(item: Record<string, AttributeValue>): RevocationEntry | undefined {
  const pk = item.pk?.S;
  const kind = item.kind?.S;
  const expiresAt = Number(item.expiresAt?.N);
  const createdAt = Number(item.createdAt?.N);
  if (pk === undefined || !isRevocationKey(pk)) return undefined;
  if (kind !== 'jti' && kind !== 'sub' && kind !== 'client') return undefined;
  const text = (name: string): Record<string, string> => {
    // eslint-disable-next-line security/detect-object-injection -- the names are constants below
    const value = item[name]?.S;
    return value === undefined ? {} : { [name]: value };
  };
  const revokedBefore = item.revokedBefore?.N;
  return {
    pk,
    kind,
    expiresAt,
    createdAt,
    ...(revokedBefore === undefined ? {} : { revokedBefore: Number(revokedBefore) }),
    ...text('jti'),
    ...text('sub'),
    ...text('iss'),
    ...text('clientId'),
    ...text('tokenSha256'),
  };
}

/** Writes a revocation (replacing an older one with the same key). */
export async function putRevocation(
  dynamo: DynamoDBClient,
  table: string,
  entry: RevocationEntry,
): Promise<void> {
  await dynamo.send(new PutItemCommand({ TableName: table, Item: flatItem(entry) }));
}

/** Every revocation in the table, ordered by key. */
export async function listRevocations(dynamo: DynamoDBClient, table: string): Promise<RevocationEntry[]> {
  const entries: RevocationEntry[] = [];
  for await (const page of paginateScan({ client: dynamo }, { TableName: table })) {
    for (const item of page.Items ?? []) {
      const entry = fromItem(item);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return entries.sort((a, b) => a.pk.localeCompare(b.pk));
}

function seconds(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new CliUsageError(`${flag} is required`);
  }
  if (!/^\d{1,12}$/.test(value)) throw new CliUsageError(`${flag} must be a whole number of seconds`);
  return Number(value);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new CliUsageError(`${flag} is required`);
  return value;
}

/** jti and exp of a pasted token, read without verification (the operator vouches for it). */
function fromToken(token: string): { jti: string; exp: number; sha256: string } {
  const sha256 = hash('sha256', token, 'base64url');
  let payload;
  try {
    ({ payload } = decomposeUnverifiedJwt(token));
  } catch (cause) {
    throw new CliUsageError('--token is not a JWT', { cause });
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') {
    throw new CliUsageError(
      'the token has no jti: revoke its user (revoke-user) or client (revoke-client) instead',
    );
  }
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) {
    throw new CliUsageError('the token has no numeric exp');
  }
  return { jti: payload.jti, exp: Math.ceil(payload.exp), sha256 };
}

function describe(entry: RevocationEntry): string {
  const iso = (s: number | undefined): string => (s === undefined ? '-' : new Date(s * 1000).toISOString());
  const target =
    entry.kind === 'jti'
      ? `jti=${entry.jti ?? '?'}`
      : entry.kind === 'client'
        ? `client_id=${entry.clientId ?? '?'}`
        : `sub=${entry.sub ?? '?'}${entry.iss === undefined ? '' : ` iss=${entry.iss}`}`;
  return [
    entry.pk,
    entry.kind,
    target,
    `revokedBefore=${iso(entry.revokedBefore)}`,
    `expiresAt=${iso(entry.expiresAt)}`,
    ...(entry.tokenSha256 === undefined ? [] : [`sha256=${entry.tokenSha256}`]),
  ].join('\t');
}

/** Runs the CLI with arguments (without `node script`); resolves to the exit code. */
export async function runRevocations(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const values = parseCliArgs(
    rest,
    {
      token: { type: 'string' },
      jti: { type: 'string' },
      exp: { type: 'string' },
      sub: { type: 'string' },
      iss: { type: 'string' },
      'client-id': { type: 'string' },
      id: { type: 'string' },
      'max-lifetime': { type: 'string' },
      'clock-skew': { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
    },
    io,
    USAGE,
  );
  if (values === undefined) return 2;
  try {
    const commands = ['revoke-token', 'revoke-user', 'revoke-client', 'list', 'expire'];
    if (command === undefined || !commands.includes(command)) throw new CliUsageError('unknown command');
    const table = values.table ?? io.env[REVOCATION_TABLE.envVar];
    if (table === undefined || table === '')
      throw new CliUsageError(`set --table or ${REVOCATION_TABLE.envVar}`);
    const now = Math.floor(io.now() / 1000);
    const skew = seconds(values['clock-skew'], '--clock-skew', DEFAULT_CLOCK_SKEW_SECONDS);
    const lifetime = seconds(values['max-lifetime'], '--max-lifetime', DEFAULT_MAX_LIFETIME_SECONDS);
    let entry: RevocationEntry | undefined;
    if (command === 'revoke-token') {
      if (values.token !== undefined) {
        if (values.jti !== undefined || values.exp !== undefined)
          throw new CliUsageError('give --token, or --jti with --exp, not both');
        const token = values.token.replace(/^Bearer\s+/i, '').trim();
        const read = fromToken(token);
        entry = jtiRevocation(read.jti, read.exp, now, skew, read.sha256);
      } else {
        entry = jtiRevocation(required(values.jti, '--jti'), seconds(values.exp, '--exp'), now, skew);
      }
    } else if (command === 'revoke-user') {
      const sub = required(values.sub, '--sub');
      entry = revokedBeforeRevocation(
        values.iss === undefined ? { kind: 'sub', sub } : { kind: 'sub', sub, iss: values.iss },
        now,
        lifetime,
        skew,
      );
    } else if (command === 'revoke-client') {
      entry = revokedBeforeRevocation(
        { kind: 'client', clientId: required(values['client-id'], '--client-id') },
        now,
        lifetime,
        skew,
      );
    }
    const dynamo = dynamoClientFrom(values, io.env);
    try {
      if (entry !== undefined) {
        await putRevocation(dynamo, table, entry);
        io.out(`revoked: ${describe(entry)}`);
        return 0;
      }
      if (command === 'list') {
        const entries = await listRevocations(dynamo, table);
        if (values.json === true) io.out(JSON.stringify(entries, null, 2));
        else {
          for (const e of entries) io.out(describe(e));
          if (entries.length === 0) io.out('(no revocations)');
        }
        return 0;
      }
      const id = required(values.id, '--id');
      if (!isRevocationKey(id)) throw new CliUsageError('--id must be a revocation key as `list` prints it');
      try {
        await dynamo.send(
          new DeleteItemCommand({
            TableName: table,
            Key: { pk: { S: id } },
            ConditionExpression: 'attribute_exists(pk)',
          }),
        );
      } catch (cause) {
        if (cause instanceof ConditionalCheckFailedException)
          throw new CliUsageError(`no revocation ${id}`, { cause });
        throw cause;
      }
      io.out(`expired ${id} (authorizers stop applying it within the worst-case revocation delay)`);
      return 0;
    } finally {
      dynamo.destroy();
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`revocations: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    io.err(`revocations: ${error instanceof Error ? error.name : 'error'}`);
    return 1;
  }
}

if (require.main === module) {
  void runRevocations(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
