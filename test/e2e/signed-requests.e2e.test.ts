import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { signRequest, type SignedRequest } from '../../client/sign-request';
import { clientKeyToItem } from '../../lambdas/shared/http-signatures/client-key-record';
import { toPublicJwk } from '../../lambdas/shared/http-signatures/jwk';
import { CLIENT_KEY_TABLE } from '../../lambdas/shared/contracts/tables';
import { IS_REMOTE, startTarget, type E2eTarget } from './e2e-target';

/** Signed requests through the request guard (RFC 9421), the same in the local edge and AWS. */
const remoteKeyId = process.env.E2E_CLIENT_KEY_ID;
const remoteKeyFile = process.env.E2E_CLIENT_KEY_FILE;
const canRun = !IS_REMOTE || (remoteKeyId !== undefined && remoteKeyFile !== undefined);
const describeIf = canRun ? describe : describe.skip;
if (!canRun)
  console.info(
    '[e2e remote mode] signed-requests.e2e skipped: set E2E_CLIENT_KEY_ID and E2E_CLIENT_KEY_FILE',
  );

describeIf('e2e: signed requests through the guard', () => {
  let target: E2eTarget;
  let keyId: string;
  let privateKey: string;
  const clientId = process.env.E2E_CLIENT_ID ?? 'e2e-client';

  beforeAll(async () => {
    target = await startTarget();
    if (target.local === undefined) {
      keyId = remoteKeyId ?? '';
      privateKey = readFileSync(remoteKeyFile ?? '', 'utf8');
      return;
    }
    // Register a client key owned by the token's client id, as the client-keys CLI would.
    const pair = generateKeyPairSync('ed25519');
    keyId = 'e2e-ed25519';
    privateKey = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const { edge } = target.local;
    await edge.dynamo.client.send(
      new PutItemCommand({
        TableName: edge.dynamo.tableNames[CLIENT_KEY_TABLE.logicalName],
        Item: clientKeyToItem({
          keyId,
          ownerClientId: clientId,
          status: 'active',
          algorithm: 'ed25519',
          publicJwk: { ...toPublicJwk(createPublicKey(pair.privateKey), keyId) },
          createdAt: Math.floor(Date.now() / 1000),
        }),
      }),
    );
  });
  afterAll(async () => {
    await target.close();
  });

  const send = (signed: SignedRequest): Promise<Response> =>
    fetch(signed.url, {
      method: signed.method,
      headers: { ...target.baseHeaders, ...signed.headers },
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });
  const created = (): number => Math.floor((target.local?.clock.now() ?? Date.now()) / 1000);

  it('happy flow: a signed GET is accepted; the same request again is a replay → 401', async () => {
    const token = await target.token('reader', clientId);
    const signed = await signRequest({
      method: 'GET',
      url: `${target.baseUrl}/orders/ord-1001`,
      headers: { Authorization: `Bearer ${token}` },
      key: { keyId, privateKey },
      created: created(),
    });
    const first = await send(signed);
    expect(first.status).toBe(200);
    expect(first.headers.get('signature')).not.toBeNull();
    const replay = await send(signed);
    expect(replay.status).toBe(401);
  });

  it('error flow: an unsigned request to a signed route → 401, a tampered one → 401', async () => {
    const token = await target.token('reader', clientId);
    const unsigned = await fetch(`${target.baseUrl}/orders/ord-1001`, {
      headers: { ...target.baseHeaders, Authorization: `Bearer ${token}` },
    });
    expect(unsigned.status).toBe(401);
    const signed = await signRequest({
      method: 'GET',
      url: `${target.baseUrl}/orders/ord-1001`,
      headers: { Authorization: `Bearer ${token}` },
      key: { keyId, privateKey },
      created: created(),
    });
    const tampered = await fetch(`${target.baseUrl}/orders/ord-1002`, {
      headers: { ...target.baseHeaders, ...signed.headers },
    });
    expect(tampered.status).toBe(401);
  });

  it('concurrent copies of one signed request: exactly one is accepted', async () => {
    const token = await target.token('reader', clientId);
    const signed = await signRequest({
      method: 'GET',
      url: `${target.baseUrl}/orders/ord-1002`,
      headers: { Authorization: `Bearer ${token}` },
      key: { keyId, privateKey },
      created: created(),
    });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => send(signed).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);
  });

  it('the authorizer still runs first: a signed request without the role → 403 before the guard', async () => {
    const token = await target.token('plain', clientId);
    const signed = await signRequest({
      method: 'GET',
      url: `${target.baseUrl}/orders/ord-1001`,
      headers: { Authorization: `Bearer ${token}` },
      key: { keyId, privateKey },
      created: created(),
    });
    expect((await send(signed)).status).toBe(403);
  });
});
