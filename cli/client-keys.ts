/**
 * Operator CLI for the client-key table (RFC 9421 request-signing keys).
 *
 *   npm run client-keys -- generate --alg ed25519 --out-private alice.private.jwk.json --out-public alice.public.jwk.json
 *   npm run client-keys -- register --key-id alice-1 --owner client-alice --public-key alice.public.jwk.json
 *   npm run client-keys -- list [--owner client-alice] [--json]
 *   npm run client-keys -- revoke --key-id alice-1
 *
 * Table: --table or CLIENT_KEY_TABLE_NAME. Endpoint: --endpoint or DYNAMODB_ENDPOINT (e.g. the local
 * dynalite, http://127.0.0.1:8000); region: --region or AWS_REGION. Private keys never go to the table.
 */
import { CliUsageError, processIo, type CliIo, parseCliArgs } from './cli-io';
import { dynamoClientFrom } from './dynamo-client';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  paginateScan,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import { generateClientKeyPair } from '../client/keys';
import { CLIENT_KEY_TABLE } from '../lambdas/shared/contracts/tables';
import {
  algorithmForKey,
  isSignatureAlgorithm,
  publicKeyFromJwk,
} from '../lambdas/shared/http-signatures/algorithms';
import {
  clientKeyFromItem,
  clientKeyRecordSchema,
  clientKeyToItem,
  keyIdSchema,
  type ClientKeyRecord,
} from '../lambdas/shared/http-signatures/client-key-record';

const USAGE = `usage: client-keys <generate|register|list|revoke> [options]
  generate --alg ed25519|ecdsa-p256-sha256 --out-private FILE --out-public FILE
  register --key-id ID --owner CLIENT_ID --public-key FILE
  list     [--owner CLIENT_ID] [--json]
  revoke   --key-id ID
common: --table NAME (or ${CLIENT_KEY_TABLE.envVar})  --endpoint URL (or DYNAMODB_ENDPOINT)  --region R (or AWS_REGION)`;

function readJsonFile(path: string): unknown {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
    return JSON.parse(readFileSync(path, 'utf8'), (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype')
        throw new SyntaxError('forbidden key');
      return value;
    });
  } catch (cause) {
    throw new CliUsageError(`cannot read a JSON key from ${path}`, { cause });
  }
}

/** The flag an operator sets for each field of a client-key record. */
const FLAG_OF_FIELD: ReadonlyMap<PropertyKey, string> = new Map([
  ['keyId', '--key-id'],
  ['ownerClientId', '--owner'],
  ['algorithm', '--public-key'],
  ['publicJwk', '--public-key'],
]);

/**
 * Checks a record with the guard's own schema (`clientKeyRecordSchema`), so the CLI never writes an
 * item the guard would read as no key at all (e.g. an owner over 256 characters).
 * @throws CliUsageError naming the flag behind the first field the schema refuses
 */
function checkRecord(record: ClientKeyRecord): void {
  const parsed = clientKeyRecordSchema.safeParse(record);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  const flag = field === undefined ? undefined : FLAG_OF_FIELD.get(field);
  throw new CliUsageError(
    `${flag ?? 'the key record'} is not accepted by the guard's client-key record schema` +
      `${typeof field === 'string' ? ` (${field}: ${issue?.message ?? 'invalid'})` : ''}; nothing was written`,
  );
}

/** Whether anything (a file, a directory, a dangling symlink) exists at a path. */
function taken(path: string): boolean {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * Writes a new key pair's files: both must be absent, or nothing is written; when the public file
 * still cannot be written, the private one is removed again (no orphan private key is left).
 */
function writeKeyPairFiles(
  privatePath: string,
  publicPath: string,
  pair: { readonly privateJwk: JsonWebKey; readonly publicJwk: JsonWebKey },
): void {
  if (resolve(privatePath) === resolve(publicPath)) {
    throw new CliUsageError('--out-private and --out-public must be two different files');
  }
  for (const [flag, path] of [
    ['--out-private', privatePath],
    ['--out-public', publicPath],
  ] as const) {
    if (taken(path)) {
      throw new CliUsageError(`${flag} ${path} already exists: nothing was written (choose another file)`);
    }
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
  writeFileSync(privatePath, JSON.stringify(pair.privateJwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
    writeFileSync(publicPath, JSON.stringify(pair.publicJwk, null, 2) + '\n', { flag: 'wx' });
  } catch (error) {
    rmSync(privatePath, { force: true }); // the file this run just created
    throw error;
  }
}

async function listKeys(
  dynamo: DynamoDBClient,
  table: string,
  owner: string | undefined,
): Promise<ClientKeyRecord[]> {
  const records: ClientKeyRecord[] = [];
  const input = {
    TableName: table,
    ...(owner === undefined
      ? {}
      : { FilterExpression: 'ownerClientId = :o', ExpressionAttributeValues: { ':o': { S: owner } } }),
  };
  for await (const page of paginateScan({ client: dynamo }, input)) {
    for (const item of page.Items ?? []) {
      const record = clientKeyFromItem(item);
      if (record !== undefined) records.push(record);
    }
  }
  return records.sort((a, b) => a.keyId.localeCompare(b.keyId));
}

/** Runs the CLI with arguments (without `node script`); resolves to the exit code. */
export async function runClientKeys(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const values = parseCliArgs(
    rest,
    {
      'key-id': { type: 'string' },
      owner: { type: 'string' },
      'public-key': { type: 'string' },
      alg: { type: 'string' },
      'out-private': { type: 'string' },
      'out-public': { type: 'string' },
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
    if (command === 'generate') {
      const alg = values.alg ?? 'ed25519';
      if (!isSignatureAlgorithm(alg)) throw new CliUsageError('--alg must be ed25519 or ecdsa-p256-sha256');
      if (values['out-private'] === undefined || values['out-public'] === undefined) {
        throw new CliUsageError('generate needs --out-private and --out-public');
      }
      const pair = generateClientKeyPair(alg);
      writeKeyPairFiles(values['out-private'], values['out-public'], pair);
      io.out(`generated ${alg} key pair; thumbprint ${pair.thumbprint}`);
      io.out(`private key: ${values['out-private']} (keep it secret)  public key: ${values['out-public']}`);
      return 0;
    }
    if (command !== 'register' && command !== 'list' && command !== 'revoke')
      throw new CliUsageError('unknown command');
    const table = values.table ?? io.env[CLIENT_KEY_TABLE.envVar];
    if (table === undefined || table === '')
      throw new CliUsageError(`set --table or ${CLIENT_KEY_TABLE.envVar}`);
    const dynamo = dynamoClientFrom(values, io.env);
    try {
      const now = Math.floor(io.now() / 1000);
      if (command === 'register') {
        const keyId = keyIdSchema.safeParse(values['key-id']);
        if (!keyId.success) throw new CliUsageError('--key-id is required (letters, digits, ._:@/+=-)');
        if (values.owner === undefined || values.owner === '') throw new CliUsageError('--owner is required');
        if (values['public-key'] === undefined) throw new CliUsageError('--public-key FILE is required');
        const jwk = readJsonFile(values['public-key']);
        if (typeof jwk !== 'object' || jwk === null)
          throw new CliUsageError('the public key file must hold a JWK');
        let algorithm;
        try {
          algorithm = algorithmForKey(publicKeyFromJwk(jwk as JsonWebKey));
        } catch (cause) {
          throw new CliUsageError('the file must hold an Ed25519 or P-256 PUBLIC JWK (no "d")', { cause });
        }
        if (algorithm === undefined) throw new CliUsageError('unsupported key type');
        const { kty, crv, x, y } = jwk as JsonWebKey;
        const record: ClientKeyRecord = {
          keyId: keyId.data,
          ownerClientId: values.owner,
          status: 'active',
          algorithm,
          publicJwk: y === undefined ? { kty, crv, x } : { kty, crv, x, y },
          createdAt: now,
        };
        checkRecord(record);
        try {
          await dynamo.send(
            new PutItemCommand({
              TableName: table,
              Item: clientKeyToItem(record),
              ConditionExpression: 'attribute_not_exists(keyId)',
            }),
          );
        } catch (cause) {
          if (cause instanceof ConditionalCheckFailedException) {
            throw new CliUsageError(`key id ${keyId.data} is already registered`, { cause });
          }
          throw cause;
        }
        io.out(`registered ${keyId.data} (${algorithm}) for ${values.owner}`);
        return 0;
      }
      if (command === 'list') {
        const records = await listKeys(dynamo, table, values.owner);
        if (values.json === true) {
          io.out(JSON.stringify(records, null, 2));
        } else {
          for (const r of records) {
            io.out(
              [
                r.keyId,
                r.ownerClientId,
                r.status,
                r.algorithm,
                new Date(r.createdAt * 1000).toISOString(),
              ].join('\t'),
            );
          }
          if (records.length === 0) io.out('(no keys)');
        }
        return 0;
      }
      const keyId = keyIdSchema.safeParse(values['key-id']);
      if (!keyId.success) throw new CliUsageError('--key-id is required');
      try {
        await dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { keyId: { S: keyId.data } },
            UpdateExpression: 'SET #s = :revoked, revokedAt = :now',
            ConditionExpression: 'attribute_exists(keyId)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':revoked': { S: 'revoked' }, ':now': { N: String(now) } },
          }),
        );
      } catch (cause) {
        if (cause instanceof ConditionalCheckFailedException)
          throw new CliUsageError(`no key ${keyId.data}`, { cause });
        throw cause;
      }
      io.out(`revoked ${keyId.data} (guards stop accepting it within their key cache TTL)`);
      return 0;
    } finally {
      dynamo.destroy();
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`client-keys: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    io.err(
      `client-keys: ${error instanceof Error ? error.name : 'error'}: ${error instanceof Error ? error.message : ''}`,
    );
    return 1;
  }
}

if (require.main === module) {
  void runClientKeys(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
