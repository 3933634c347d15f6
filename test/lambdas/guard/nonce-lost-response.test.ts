/**
 * The nonce PutItem is written but its response is lost (connection reset). Retrying it would hit
 * the item this very request wrote and turn a legitimate first request into a 401 `replay`.
 *
 * dynalite (4.x) does not implement `ReturnValuesOnConditionCheckFailure` (the failed condition
 * never returns the old item: architect/dynalite#182), so the guard cannot tell its own earlier
 * write from someone else's. Its nonce PutItem therefore goes through a client that makes a single
 * attempt: a lost response is a 503 (nothing reaches the backend, the client signs again with a new
 * nonce), never a false replay. dynalite is the real DynamoDB throughout.
 *
 * - through createGuard: the lost response is made by a deserialize-step middleware that lets the
 *   first PutItem reach dynalite and then throws `{ code: 'ECONNRESET' }`, as the review did;
 * - through the Lambda entry (lambdas/guard/handler.ts, its own SDK clients): the SDK talks over
 *   real HTTP (AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_LAMBDA) to a proxy in front of dynalite
 *   that forwards the first nonce PutItem and then drops the connection, and to a local stand-in
 *   for the Lambda Invoke API (AWS Lambda cannot run here) that counts backend invocations.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest, type SignedRequest } from '../../../client/sign-request';
import { startClientKeyDynalite, type ClientKeyDynalite } from '../../support/client-key-dynalite';
import {
  ALICE_TOKEN,
  BASE_URL,
  GUARD_TEST_KEY,
  NOW_SECONDS,
  buildGuard,
  eventFor,
  problemOf,
} from './guard-harness';

let fixture: ClientKeyDynalite;

beforeAll(async () => {
  fixture = await startClientKeyDynalite(GUARD_TEST_KEY);
});
afterAll(async () => {
  await fixture.close();
});

const ORDER = JSON.stringify({ item: 'blue widget', quantity: 2 });

function signOrder(created?: number): Promise<SignedRequest> {
  return signRequest({
    method: 'POST',
    url: `${BASE_URL}/orders`,
    headers: { Authorization: ALICE_TOKEN, 'Content-Type': 'application/json' },
    body: ORDER,
    key: { keyId: fixture.clientKey.keyId, privateKey: fixture.clientKey.privateKey },
    ...(created === undefined ? {} : { created }),
  });
}

/**
 * A dynalite client whose first PutItem is written and then "loses" its response: the middleware
 * sits in the deserialize step, inside the SDK's retry loop, so a retrying client sends it again.
 */
function clientLosingFirstPutItemResponse(maxAttempts: number): {
  client: DynamoDBClient;
  puts: () => number;
} {
  const client = new DynamoDBClient({
    endpoint: fixture.dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
  let puts = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      if (context.commandName === 'PutItemCommand' && ++puts === 1) {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return output;
    },
    { step: 'deserialize', name: 'loseFirstPutItemResponse' },
  );
  return { client, puts: () => puts };
}

describe('createGuard: the nonce PutItem response is lost', () => {
  it('error flow: lost response → 503 dependency_unavailable (not 401 replay), backend not called; a re-signed request is accepted once; a genuine replay → 401 replay', async () => {
    // Wired like the Lambda entry: key lookups may retry, the nonce PutItem may not.
    const keysClient = new DynamoDBClient({
      endpoint: fixture.dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
    });
    const nonces = clientLosingFirstPutItemResponse(1);
    const sut = buildGuard(fixture.dynamo, { dynamoClient: keysClient, nonceDynamoClient: nonces.client });
    try {
      const first = await sut.guard(eventFor(await signOrder(NOW_SECONDS - 2), { resource: '/orders' }));
      expect(first.statusCode).toBe(503);
      expect(problemOf(first)).toMatchObject({ code: 'dependency_unavailable' });
      expect(sut.backend.calls).toHaveLength(0);
      expect(nonces.puts()).toBe(1);
      expect(sut.logger.lines.at(-1)?.attributes).toMatchObject({
        reason: 'dependency_unavailable',
        dependency: 'nonces',
      });

      const resigned = await signOrder(NOW_SECONDS - 1);
      expect((await sut.guard(eventFor(resigned, { resource: '/orders' }))).statusCode).toBe(201);
      expect(sut.backend.calls).toHaveLength(1);

      const replayed = await sut.guard(eventFor(resigned, { resource: '/orders' }));
      expect(replayed.statusCode).toBe(401);
      expect(problemOf(replayed)).toMatchObject({ code: 'replay' });
      expect(sut.backend.calls).toHaveLength(1);
      expect(sut.logger.reasons()).toEqual(['dependency_unavailable', 'replay']);
    } finally {
      keysClient.destroy();
      nonces.client.destroy();
    }
  });

  it('why: the same lost response on a retrying client is read back as a replay of our own write', async () => {
    const retrying = clientLosingFirstPutItemResponse(2);
    const sut = buildGuard(fixture.dynamo, {
      dynamoClient: retrying.client,
      nonceDynamoClient: retrying.client,
    });
    try {
      const first = await sut.guard(eventFor(await signOrder(NOW_SECONDS - 2), { resource: '/orders' }));
      expect(retrying.puts()).toBe(2);
      expect(first.statusCode).toBe(401);
      expect(sut.logger.reasons()).toEqual(['replay']);
    } finally {
      retrying.client.destroy();
    }
  });
});

/** Reads a request body. */
async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends a received request on to `endpoint` and reads the whole answer. */
async function forward(
  endpoint: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    const out = httpRequest(
      `${endpoint}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      resolve,
    );
    out.on('error', reject);
    out.end(body);
  });
  return { status: answer.statusCode ?? 500, headers: answer.headers, body: await bodyOf(answer) };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

describe('the Lambda entry (handler.ts): the nonce PutItem response is lost on the wire', () => {
  let proxy: Server;
  let lambda: Server;
  let dropNextPutItem = false;
  let putItems = 0;
  let invocations = 0;
  let handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  const savedEnv = process.env;

  beforeAll(async () => {
    // In front of dynalite: forwards every call; the armed nonce PutItem is forwarded (so it is
    // written) and then the connection is dropped before the answer reaches the SDK.
    proxy = createServer((req, res) => {
      void (async () => {
        const body = await bodyOf(req);
        const target = req.headers['x-amz-target'];
        const upstream = await forward(fixture.dynamo.endpoint, req, body);
        if (target === 'DynamoDB_20120810.PutItem') {
          putItems += 1;
          if (dropNextPutItem) {
            dropNextPutItem = false;
            req.socket.destroy();
            return;
          }
        }
        res.writeHead(upstream.status, upstream.headers).end(upstream.body);
      })();
    });
    // The Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations): the orders backend.
    lambda = createServer((req, res) => {
      void bodyOf(req).then(() => {
        invocations += 1;
        res
          .writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' })
          .end(
            JSON.stringify({ statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: '{}' }),
          );
      });
    });
    const dynamoUrl = await listen(proxy);
    const lambdaUrl = await listen(lambda);
    process.env = {
      ...savedEnv,
      ...fixture.dynamo.tableEnv,
      GUARD_CONFIG: JSON.stringify({
        routes: { 'POST /orders': { validation: 'createOrder', signResponse: false } },
      }),
      GUARD_BACKENDS: JSON.stringify({ 'POST /orders': 'orders-function' }),
      GUARD_SIGNING_KEY_ID: 'alias/guard-response-signing',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_LAMBDA: lambdaUrl,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_MAX_ATTEMPTS;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ handler } = require('../../../lambdas/guard/handler') as { handler: typeof handler });
    });
  });

  afterAll(async () => {
    process.env = savedEnv;
    await close(proxy);
    await close(lambda);
  });

  it('error flow: lost response → 503 (not 401 replay), backend not invoked; re-signed → 201 once; genuine replay → 401 replay', async () => {
    dropNextPutItem = true;
    const first = await handler(eventFor(await signOrder(), { resource: '/orders' }));
    expect(first.statusCode).toBe(503);
    expect(putItems).toBe(1);
    expect(problemOf(first)).toMatchObject({ code: 'dependency_unavailable' });
    expect(invocations).toBe(0);

    const resigned = await signOrder();
    expect((await handler(eventFor(resigned, { resource: '/orders' }))).statusCode).toBe(201);
    expect(invocations).toBe(1);

    const replayed = await handler(eventFor(resigned, { resource: '/orders' }));
    expect(replayed.statusCode).toBe(401);
    expect(problemOf(replayed)).toMatchObject({ code: 'replay' });
    expect(invocations).toBe(1);
  });
});
