import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import {
  parseGuardConfig,
  type GuardConfig,
  type GuardConfigInput,
} from '../../../lambdas/shared/config/guard-config';
import type { BackendInvoker } from '../../../lambdas/guard/backend-invoker';
import { createGuard, type GuardHandler } from '../../../lambdas/guard/create-guard';
import type { GuardLogger } from '../../../lambdas/guard/guard-logger';
import { LocalResponseSigner, type ResponseSigner } from '../../../lambdas/guard/response-signer';
import type { SignedRequest } from '../../../client/sign-request';
import type { TestDynamo } from '../../support/dynalite';
import {
  registerClientKey,
  type ClientKeySpec,
  type RegisteredClientKey,
} from '../../support/client-key-dynalite';

export const BASE_URL = 'https://api.example.test';
/** Fixed test clock: 2027-01-15T08:00:00Z. */
export const NOW_SECONDS = 1_800_000_000;

export const TEST_GUARD_CONFIG: GuardConfigInput = {
  routes: {
    'POST /orders': { signed: true, validation: 'createOrder', maxBodyBytes: 1024 },
    'GET /orders/{id}': { signed: true, validation: 'getOrder', maxBodyBytes: 0 },
    'GET /orders': { signed: true, validation: 'listOrders', maxBodyBytes: 0 },
    'ANY /items/{id}': {
      signed: true,
      validation: null,
      contentTypes: ['application/json', 'text/plain'],
      maxBodyBytes: 4096,
    },
    'POST /open-orders': { signed: false, validation: 'createOrder', maxBodyBytes: 256 },
  },
};

export interface Caller {
  readonly sub: string;
  readonly clientId: string;
}

export const ALICE: Caller = { sub: 'user-alice', clientId: 'client-alice' };
export const MALLORY: Caller = { sub: 'user-mallory', clientId: 'client-mallory' };
export const ALICE_TOKEN = 'Bearer eyJhbGciOiJFUzI1NiJ9.alice-token-body.alice-token-signature';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

export class CapturingLogger implements GuardLogger {
  readonly lines: LogLine[] = [];
  info(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, attributes });
  }
  reasons(): unknown[] {
    return this.lines.filter((l) => l.level !== 'info').map((l) => l.attributes.reason);
  }
}

/** A backend that records what reached it and answers like the orders service. */
export class RecordingBackend implements BackendInvoker {
  readonly calls: { route: string; event: APIGatewayProxyEvent }[] = [];
  invoke(route: string, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    this.calls.push({ route, event });
    return Promise.resolve({
      statusCode: route.startsWith('POST') ? 201 : 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      body: JSON.stringify({ route, ok: true }),
    });
  }
}

export interface GuardUnderTest {
  readonly guard: GuardHandler;
  readonly backend: RecordingBackend;
  readonly logger: CapturingLogger;
  readonly signer: ResponseSigner;
  readonly config: GuardConfig;
}

export function buildGuard(
  dynamo: TestDynamo,
  options: {
    config?: GuardConfigInput;
    signer?: ResponseSigner;
    dynamoClient?: TestDynamo['client'];
    /** Client for the nonce PutItem. @default dynamoClient */
    nonceDynamoClient?: TestDynamo['client'];
    /** Milliseconds since the epoch. @default the fixed test clock NOW_SECONDS */
    clock?: () => number;
  } = {},
): GuardUnderTest {
  const config = parseGuardConfig(options.config ?? TEST_GUARD_CONFIG);
  const backend = new RecordingBackend();
  const logger = new CapturingLogger();
  const signer = options.signer ?? LocalResponseSigner.generate();
  const fixedClock = (): number => NOW_SECONDS * 1000;
  const clock: () => number = options.clock ?? fixedClock;
  const guard = createGuard(config, {
    dynamo: options.dynamoClient ?? dynamo.client,
    ...(options.nonceDynamoClient === undefined ? {} : { nonceDynamo: options.nonceDynamoClient }),
    tables: { nonces: dynamo.tables.Nonces ?? '', clientKeys: dynamo.tables.ClientKeys ?? '' },
    backend,
    responseSigner: signer,
    clock,
    logger,
  });
  return { guard, backend, logger, signer, config };
}

/**
 * The client key the guard tests register: owned by Alice's client, active, ed25519, created an hour
 * before the test clock. Pass it to startClientKeyDynalite (test/support/client-key-dynalite.ts).
 */
export const GUARD_TEST_KEY: ClientKeySpec = { owner: ALICE.clientId, createdAt: NOW_SECONDS - 3600 };

/** Registers a freshly generated client key: GUARD_TEST_KEY with `options` applied. */
export function registerKey(
  dynamo: TestDynamo,
  options: Partial<ClientKeySpec> = {},
): Promise<RegisteredClientKey> {
  return registerClientKey(dynamo, { ...GUARD_TEST_KEY, ...options });
}

/**
 * The REST proxy event (payload v1) API Gateway would hand the guard for a signed request, with the
 * authorizer context of `caller`.
 */
export function eventFor(
  signed: Pick<SignedRequest, 'method' | 'url' | 'headers' | 'body'>,
  options: { resource: string; pathParameters?: Record<string, string>; caller?: Caller | null },
): APIGatewayProxyEvent {
  const url = new URL(signed.url);
  const headers: Record<string, string> = { Host: url.host, 'X-Forwarded-Proto': 'https', ...signed.headers };
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (multiQuery[name] ??= []).push(value);
  const singleQuery: Record<string, string> = {};
  for (const [name, values] of Object.entries(multiQuery)) singleQuery[name] = values[values.length - 1]!;
  const caller = options.caller === undefined ? ALICE : options.caller;
  const hasQuery = Object.keys(multiQuery).length > 0;
  return {
    resource: options.resource,
    path: url.pathname,
    httpMethod: signed.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? singleQuery : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: signed.body === undefined ? null : signed.body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api1234567',
      httpMethod: signed.method,
      path: url.pathname,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: NOW_SECONDS * 1000,
      resourceId: 'res123',
      resourcePath: options.resource,
      stage: 'prod',
      authorizer:
        caller === null
          ? null
          : {
              principalId: caller.sub,
              sub: caller.sub,
              iss: 'https://idp.example.test',
              roles: 'orders:write orders:read',
              scopes: 'orders',
              clientId: caller.clientId,
              jti: 'jti-1',
              tenant: '',
            },
      identity: { sourceIp: '127.0.0.1' },
    },
  } as APIGatewayProxyEvent;
}

/** Parsed problem+json body of a guard response. */
export function problemOf(result: APIGatewayProxyResult): Record<string, unknown> {
  expect(result.headers?.['Content-Type']).toBe('application/problem+json');
  return JSON.parse(result.body) as Record<string, unknown>;
}
