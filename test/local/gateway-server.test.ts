/**
 * The local gateway's HTTP server over real HTTP on 127.0.0.1: what it answers itself when the
 * gateway cannot (a body over API Gateway's 10 MB limit, an unexpected failure).
 */
import type { AccessLogRecord } from '../../lib/access-log-format';
import { BEARER_VALIDATION_REGEX } from '../../lib/identity-validation';
import { createGateway, type GatewayDeps } from '../../local/gateway/gateway';
import {
  MAX_PAYLOAD_BYTES,
  startGatewayServer,
  type GatewayServer,
} from '../../local/gateway/gateway-server';
import { LOCAL_API } from '../../local/gateway/method-arn';

// eslint-disable-next-line security/detect-non-literal-regexp -- the stack's constant
const BEARER = new RegExp(BEARER_VALIDATION_REGEX);

interface Served {
  readonly server: GatewayServer;
  readonly logs: AccessLogRecord[];
  readonly backendCalls: unknown[];
}

/** A gateway with one public route (POST /upload) and one protected one (GET /orders). */
async function serve(overrides: Partial<GatewayDeps> = {}): Promise<Served> {
  const logs: AccessLogRecord[] = [];
  const backendCalls: unknown[] = [];
  const target = { authorized: false, apiKeyRequired: false, integration: 'backend:test' };
  const gateway = createGateway({
    api: LOCAL_API,
    routes: [
      { httpMethod: 'POST', resourcePath: '/upload', target },
      { httpMethod: 'GET', resourcePath: '/orders', target: { ...target, authorized: true } },
    ],
    identitySource: { headerName: 'Authorization', validationRegex: BEARER },
    resultCacheTtlSeconds: 0,
    authorizerTimeoutMs: 1000,
    invokeAuthorizer: () =>
      Promise.resolve({
        principalId: 'p',
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] },
      }),
    evaluatePolicy: () => 'allow',
    invokeIntegration: (_name, event) => {
      backendCalls.push(event);
      return Promise.resolve({ statusCode: 200, body: 'ok' });
    },
    integrationTimeout: { ms: 1000, status: 502 },
    apiKeySource: 'HEADER',
    usage: {
      plans: [],
      keys: [],
      stageThrottle: { rateLimit: 100, burstLimit: 100 },
      stageMethodThrottles: [],
    },
    cors: {
      allowOrigins: ['https://app.example.com'],
      allowHeaders: [],
      exposeHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 600,
      allowMethods: ['GET', 'POST'],
    },
    nowMs: () => 0,
    newRequestId: () => 'req-1',
    accessLog: (record) => logs.push(record),
    ...overrides,
  });
  return { server: await startGatewayServer(gateway, 0), logs, backendCalls };
}

describe('local gateway server: answers the gateway cannot give', () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.server.close();
    served = undefined;
  });

  it('error flow: an unexpected failure in the gateway → the DEFAULT_5XX gateway response (500), logged', async () => {
    served = await serve({
      evaluatePolicy: () => {
        throw new Error('a bug in the policy evaluator');
      },
    });
    const res = await fetch(`${served.server.url}/orders`, { headers: { authorization: 'Bearer t' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(res.headers.get('x-amzn-requestid')).toBe('req-1');
    expect(await res.json()).toEqual({
      type: 'urn:api-security-edge:problem:gateway-error',
      title: 'Gateway error',
      detail: 'The API gateway could not complete the request.',
      requestId: 'req-1',
    });
    expect(served.logs.at(-1)).toMatchObject({ status: '500', errorType: 'DEFAULT_5XX' });
    expect(served.backendCalls).toHaveLength(0);
  });

  it('error flow: a backend header Node cannot send → the DEFAULT_5XX response, none of the backend headers', async () => {
    served = await serve({
      invokeIntegration: () =>
        Promise.resolve({ statusCode: 200, headers: { 'x-first': 'kept?', 'x-bad': 'a\nb' }, body: 'ok' }),
    });
    const res = await fetch(`${served.server.url}/upload`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-first')).toBeNull();
    expect(((await res.json()) as { type: string }).type).toBe('urn:api-security-edge:problem:gateway-error');
  });

  it('error flow: a body over 10 MB → 413 before the backend (API Gateway does not let 413 be customized)', async () => {
    served = await serve();
    const res = await fetch(`${served.server.url}/upload`, {
      method: 'POST',
      body: Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x61),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { status: number }).status).toBe(413);
    expect(served.backendCalls).toHaveLength(0);
  });

  it('happy flow: a body of exactly 10 MB reaches the backend', async () => {
    served = await serve();
    const res = await fetch(`${served.server.url}/upload`, {
      method: 'POST',
      body: Buffer.alloc(MAX_PAYLOAD_BYTES, 0x61),
    });
    expect(res.status).toBe(200);
    expect(served.backendCalls).toHaveLength(1);
  });
});
