/**
 * Operator CLI for token revocations (the authorizer's kill switch).
 *
 *   npm run revocations -- revoke-token --token <jwt>          (or --jti <id> --exp <epoch seconds>)
 *   npm run revocations -- revoke-user --sub <sub> [--iss <issuer>]
 *   npm run revocations -- revoke-client --client-id <id>
 *   npm run revocations -- list [--json]
 *   npm run revocations -- expire --id <pk> --created-at <n>   (lifts a revocation: deletes the item
 *                                                              if it is still the one `list` showed)
 *
 * Table: --table or REVOCATION_TABLE_NAME. Endpoint: --endpoint or DYNAMODB_ENDPOINT (e.g. the local
 * dynalite of `npm start`, http://127.0.0.1:4567); region: --region or AWS_REGION.
 *
 * A pasted token is read without verification (aws-jwt-verify's decomposeUnverifiedJwt) only for its
 * `jti` and `exp`; the token itself is never printed or stored, only its SHA-256 (base64url).
 *
 * TTL (`expiresAt`): a jti revocation lives until `exp` + --clock-skew (the authorizer accepts a token
 * up to that long after `exp`); a user or client revocation kills every token with `iat` <
 * `revokedBefore` = now + 1 + --clock-skew (the authorizer accepts an `iat` up to the skew ahead of
 * its clock, so a token an IdP with a fast clock issued just before the revocation dies too; a
 * sign-in within that window must sign in again) and lives until `revokedBefore` + --max-lifetime +
 * --clock-skew, after which no token it kills can still be valid. Both default to the schema's
 * largest values (86400 and 300 s); pass your `auth.tokenLimits` to shorten the window and let items
 * go sooner.
 *
 * Writes never weaken a revocation: an existing item keeps the later `revokedBefore` and the later
 * `expiresAt` of the two (an operator with a slow clock, or a second revoke-token with a smaller
 * --exp, cannot un-revoke tokens). When the existing item is already as strict, nothing is written
 * and the CLI says so (exit 0). Every write moves `createdAt` forward, so `expire --created-at`
 * deletes exactly the item `list` showed and never a newer revocation written since.
 */
import { CliUsageError, processIo, type CliIo, parseCliArgs } from './cli-io';
import { dynamoClientFrom, flatItem } from './dynamo-client';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateScan,
  UpdateItemCommand,
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
import { MAX_CONTEXT_VALUE_LENGTH } from '../lambdas/authorizer/claims';
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
  expire        --id PK --created-at N          (N: the createdAt list shows; "none" when it shows none)
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
  /**
   * Epoch seconds of the last write (for a new entry: now); every write moves it forward (at least
   * by one), so it names one version of the item (`expire --created-at`).
   */
  readonly createdAt: number;
  readonly jti?: string;
  readonly sub?: string;
  readonly iss?: string;
  readonly clientId?: string;
  /** SHA-256 (base64url) of the pasted token, when it was pasted. */
  readonly tokenSha256?: string;
}

/** A revocation as `list` reads it: an item the CLI did not write may lack `createdAt`. */
export type ListedRevocation = Omit<RevocationEntry, 'createdAt'> & { readonly createdAt?: number };

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
 * A subject or client revocation: tokens with `iat` < now + 1 + clock skew die (a token issued in
 * the same second as the revocation, or entry ahead by an IdP whose clock is up to the skew fast,
 * dies too; a sign-in within that window must sign in again); TTL = revokedBefore + max lifetime +
 * clock skew.
 */
export function revokedBeforeRevocation(
  target: { kind: 'sub'; sub: string; iss?: string } | { kind: 'client'; clientId: string },
  nowSeconds: number,
  maxLifetimeSeconds: number,
  clockSkewSeconds: number,
): RevocationEntry {
  // The authorizer accepts an `iat` up to the clock skew ahead of its clock: a token minted just
  // before now by an IdP whose clock runs ahead can carry such an `iat`, and must die too.
  const revokedBefore = nowSeconds + 1 + clockSkewSeconds;
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

function fromItem(item: Readonly<Record<string, AttributeValue>>): ListedRevocation | undefined {
  const pk = item.pk?.S;
  const kind = item.kind?.S;
  const expiresAt = Number(item.expiresAt?.N);
  const createdAt = numberOf(item.createdAt);
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
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(revokedBefore === undefined ? {} : { revokedBefore: Number(revokedBefore) }),
    ...text('jti'),
    ...text('sub'),
    ...text('iss'),
    ...text('clientId'),
    ...text('tokenSha256'),
  };
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  if (value?.N === undefined) return undefined;
  const n = Number(value.N);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A revocation changed while the CLI was working on it: `expire` found a newer version than the one
 * named by --created-at, or a write kept losing to concurrent writes. Exit code 1; nothing was lost.
 */
export class RevocationConflictError extends Error {
  override readonly name = 'RevocationConflictError';
}

/** What {@link putRevocation} did. */
export type RevocationWrite =
  /** A new item, or one replacing an item that was weaker in every respect. */
  | { readonly outcome: 'written'; readonly entry: RevocationEntry }
  /** The existing item was stricter in one respect: it keeps that, and takes this entry's other. */
  | { readonly outcome: 'merged'; readonly entry: ListedRevocation }
  /** An equal or stronger revocation already exists: nothing was written. */
  | { readonly outcome: 'unchanged'; readonly existing: ListedRevocation | undefined };

/** Write attempts that lose to a concurrent write before {@link putRevocation} gives up. */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * Writes a revocation without ever weakening the item already stored under its key: the stored
 * `revokedBefore` and `expiresAt` only ever grow (a missing or unreadable value counts as +∞, as the
 * authorizer reads it), and every write moves `createdAt` forward.
 *
 * First a conditional PutItem, which succeeds for a new key or an item this entry is at least as
 * strict as in every respect (`attribute_not_exists(pk) OR revokedBefore < :rb AND expiresAt <= :exp
 * …`, `expiresAt < :exp` for a jti). Otherwise the item is read (strongly consistent) and only the
 * values this entry raises are written, conditional on the item being exactly the one read; a lost
 * race reads again.
 * @throws RevocationConflictError when concurrent writes keep winning
 */
export async function putRevocation(
  dynamo: DynamoDBClient,
  table: string,
  entry: RevocationEntry,
): Promise<RevocationWrite> {
  const values: Record<string, AttributeValue> = {
    ':exp': { N: String(entry.expiresAt) },
    ':now': { N: String(entry.createdAt) },
    ...(entry.revokedBefore === undefined ? {} : { ':rb': { N: String(entry.revokedBefore) } }),
  };
  const weaker =
    entry.revokedBefore === undefined
      ? 'expiresAt < :exp AND createdAt < :now'
      : 'revokedBefore < :rb AND expiresAt <= :exp AND createdAt < :now';
  if (await conditionalPut(dynamo, table, entry, `attribute_not_exists(pk) OR (${weaker})`, values)) {
    return { outcome: 'written', entry };
  }
  for (let attempt = 1; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
    const { Item: item } = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: entry.pk } }, ConsistentRead: true }),
    );
    if (item === undefined) {
      // Expired or deleted since the put: write it anew, unless someone else does first.
      if (await conditionalPut(dynamo, table, entry, 'attribute_not_exists(pk)', {})) {
        return { outcome: 'written', entry };
      }
      continue;
    }
    const merged = await mergeInto(dynamo, table, entry, item);
    // An equal item may be this put's own, landed before an SDK retry: "equal" is true either way.
    if (merged === 'unchanged') return { outcome: 'unchanged', existing: fromItem(item) };
    if (merged !== 'conflict') return { outcome: 'merged', entry: merged };
  }
  throw new RevocationConflictError(
    `${entry.pk} kept changing while this revocation was written: list it, then run the command again`,
  );
}

async function conditionalPut(
  dynamo: DynamoDBClient,
  table: string,
  entry: RevocationEntry,
  condition: string,
  values: Record<string, AttributeValue>,
): Promise<boolean> {
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: flatItem(entry),
        ConditionExpression: condition,
        ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
      }),
    );
    return true;
  } catch (cause) {
    if (cause instanceof ConditionalCheckFailedException) return false;
    throw cause;
  }
}

/**
 * Raises what `entry` raises of the stored `item` (`revokedBefore`, `expiresAt`), conditional on the
 * item's versioned values being exactly those read.
 * @returns the item as written, 'unchanged' when `entry` raises nothing, 'conflict' when it changed
 */
async function mergeInto(
  dynamo: DynamoDBClient,
  table: string,
  entry: RevocationEntry,
  item: Readonly<Record<string, AttributeValue>>,
): Promise<ListedRevocation | 'unchanged' | 'conflict'> {
  const raised: Record<string, number> = {};
  const storedRb = numberOf(item.revokedBefore) ?? Number.POSITIVE_INFINITY;
  const storedExp = numberOf(item.expiresAt) ?? Number.POSITIVE_INFINITY;
  if (entry.revokedBefore !== undefined && entry.revokedBefore > storedRb)
    raised.revokedBefore = entry.revokedBefore;
  if (entry.expiresAt > storedExp) raised.expiresAt = entry.expiresAt;
  if (Object.keys(raised).length === 0) return 'unchanged';
  const storedCreatedAt = numberOf(item.createdAt);
  raised.createdAt = Math.max(entry.createdAt, (storedCreatedAt ?? entry.createdAt - 1) + 1);
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const sets: string[] = [];
  const conditions: string[] = [];
  for (const [index, [name, value]] of Object.entries(raised).entries()) {
    names[`#a${String(index)}`] = name;
    values[`:new${String(index)}`] = { N: String(value) };
    sets.push(`#a${String(index)} = :new${String(index)}`);
    // eslint-disable-next-line security/detect-object-injection -- name is one of the constant attribute names above
    const old = item[name];
    if (old === undefined) conditions.push(`attribute_not_exists(#a${String(index)})`);
    else {
      values[`:old${String(index)}`] = old;
      conditions.push(`#a${String(index)} = :old${String(index)}`);
    }
  }
  try {
    const out = await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: entry.pk } },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND ${conditions.join(' AND ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return (out.Attributes === undefined ? undefined : fromItem(out.Attributes)) ?? { ...entry, ...raised };
  } catch (cause) {
    if (cause instanceof ConditionalCheckFailedException) return 'conflict';
    throw cause;
  }
}

/**
 * Deletes a revocation if it is still the version `list` showed (its `createdAt`; undefined for an
 * item without one).
 * @throws CliUsageError when there is no such revocation
 * @throws RevocationConflictError when it was written again since (a newer revocation is kept)
 */
export async function expireRevocation(
  dynamo: DynamoDBClient,
  table: string,
  pk: string,
  createdAt: number | undefined,
): Promise<void> {
  try {
    await dynamo.send(
      new DeleteItemCommand({
        TableName: table,
        Key: { pk: { S: pk } },
        ...(createdAt === undefined
          ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(createdAt)' }
          : {
              ConditionExpression: 'createdAt = :createdAt',
              ExpressionAttributeValues: { ':createdAt': { N: String(createdAt) } },
            }),
      }),
    );
  } catch (cause) {
    if (!(cause instanceof ConditionalCheckFailedException)) throw cause;
    const { Item: item } = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
    );
    if (item === undefined) throw new CliUsageError(`no revocation ${pk}`, { cause });
    throw new RevocationConflictError(
      `${pk} is not the revocation you listed (its createdAt is ${createdAtText(numberOf(item.createdAt))}, ` +
        `not ${createdAtText(createdAt)}): it was written again since; nothing was deleted. ` +
        'Run list, check it, and expire it with the createdAt list shows now',
      { cause },
    );
  }
}

function createdAtText(createdAt: number | undefined): string {
  return createdAt === undefined ? 'none' : String(createdAt);
}

/** Every revocation in the table, ordered by key. */
export async function listRevocations(dynamo: DynamoDBClient, table: string): Promise<ListedRevocation[]> {
  const entries: ListedRevocation[] = [];
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

/**
 * A jti or client id the authorizer can match: it reads neither from a token when it is longer than
 * {@link MAX_CONTEXT_VALUE_LENGTH} characters (the claim counts as absent), so a revocation of such
 * an id would report success and never apply.
 */
function matchable(id: string, what: string): string {
  if (id.length > MAX_CONTEXT_VALUE_LENGTH) {
    throw new CliUsageError(
      `${what} is longer than ${String(MAX_CONTEXT_VALUE_LENGTH)} characters: the authorizer ignores such ids, ` +
        'so a revocation of it cannot be matched; revoke the user (revoke-user --sub …) instead',
    );
  }
  return id;
}

function describe(entry: ListedRevocation): string {
  const iso = (s: number | undefined): string =>
    s === undefined || !Number.isFinite(s) ? '-' : new Date(s * 1000).toISOString();
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
    `createdAt=${createdAtText(entry.createdAt)}`,
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
      'created-at': { type: 'string' },
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
        entry = jtiRevocation(matchable(read.jti, "the token's jti"), read.exp, now, skew, read.sha256);
      } else {
        const jti = matchable(required(values.jti, '--jti'), '--jti');
        entry = jtiRevocation(jti, seconds(values.exp, '--exp'), now, skew);
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
        { kind: 'client', clientId: matchable(required(values['client-id'], '--client-id'), '--client-id') },
        now,
        lifetime,
        skew,
      );
    }
    const dynamo = dynamoClientFrom(values, io.env);
    try {
      if (entry !== undefined) {
        const written = await putRevocation(dynamo, table, entry);
        if (written.outcome === 'unchanged') {
          io.out(
            `unchanged: an equal or stronger revocation already exists: ${written.existing === undefined ? entry.pk : describe(written.existing)}`,
          );
        } else if (written.outcome === 'merged') {
          io.out(
            `revoked (merged with the existing revocation, keeping the later revokedBefore and expiresAt): ${describe(written.entry)}`,
          );
        } else {
          io.out(`revoked: ${describe(written.entry)}`);
        }
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
      const createdAtFlag = required(values['created-at'], '--created-at');
      await expireRevocation(
        dynamo,
        table,
        id,
        createdAtFlag === 'none' ? undefined : seconds(createdAtFlag, '--created-at'),
      );
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
    if (error instanceof RevocationConflictError) {
      io.err(`revocations: ${error.message}`);
      return 1;
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
