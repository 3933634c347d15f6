import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { toPublicJwk } from '../lambdas/shared/http-signatures/jwk';
import { clientKeyToItem } from '../lambdas/shared/http-signatures/client-key-record';
import { CLIENT_KEY_TABLE } from '../lambdas/shared/contracts/tables';
import type { LocalEdge } from './edge';
import { LocalKeyError } from './errors';

/** The demo client's key id in the client-key table. */
export const DEMO_CLIENT_KEY_ID = 'local-demo-client';
/** The OAuth client id that owns the demo key: the default `clientId` of locally minted tokens. */
export const DEMO_CLIENT_ID = 'local-cli';
/** File (in the state folder) holding the demo client's Ed25519 private key. */
export const DEMO_CLIENT_KEY_FILE = 'demo-client-ed25519.pem';

/** The demo client as the banner and `npm run signed-request` use it. */
export interface DemoClient {
  readonly keyId: string;
  readonly keyFile: string;
  /** Ready-to-paste signed-request command for the banner. */
  readonly command: string;
}

async function loadOrCreateKey(path: string): Promise<KeyObject> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- path is inside the state folder
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new LocalKeyError(`${path} is not a usable private key; delete it to generate a new one`, {
        cause: error,
      });
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- path is inside the state folder
  await writeFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), {
    mode: 0o600,
    flag: 'wx',
  });
  return privateKey;
}

/**
 * Registers a demo client key (Ed25519, kept in the state folder, 0600) in the local client-key
 * table, owned by the client id locally minted tokens carry, so the banner's signed request works.
 * Returns undefined when the configuration has no request guard.
 */
export async function setUpDemoClient(edge: LocalEdge, stateDir: string): Promise<DemoClient | undefined> {
  if (edge.config.guard === undefined) return undefined;
  const keyFile = join(stateDir, DEMO_CLIENT_KEY_FILE);
  const privateKey = await loadOrCreateKey(keyFile);
  const publicJwk = toPublicJwk(createPublicKey(privateKey), DEMO_CLIENT_KEY_ID);
  await edge.dynamo.client.send(
    new PutItemCommand({
      TableName: edge.dynamo.tableNames[CLIENT_KEY_TABLE.logicalName],
      Item: clientKeyToItem({
        keyId: DEMO_CLIENT_KEY_ID,
        ownerClientId: DEMO_CLIENT_ID,
        status: 'active',
        algorithm: 'ed25519',
        publicJwk: { ...publicJwk },
        createdAt: Math.floor(Date.now() / 1000),
      }),
    }),
  );
  return {
    keyId: DEMO_CLIENT_KEY_ID,
    keyFile,
    command: `npm run -s signed-request -- GET /orders/ord-1001 --roles orders:read --replay${stateDir === '.local' ? '' : ` --state-dir ${stateDir}`}`,
  };
}
