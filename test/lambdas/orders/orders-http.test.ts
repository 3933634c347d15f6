import fc from 'fast-check';
import { DEMO_ORDERS, InMemoryOrderStore } from '../../../lambdas/orders/order-store';
import { createOrdersHandler } from '../../../lambdas/orders/orders-http';
import { authorizerContext, proxyEvent } from '../sample-backend-event';

function handler(logged: unknown[] = []) {
  return createOrdersHandler({
    store: new InMemoryOrderStore(DEMO_ORDERS),
    cors: { allowOrigins: ['https://app.example.com'], exposeHeaders: [], allowCredentials: false },
    now: () => new Date('2026-02-01T00:00:00Z'),
    newId: () => 'ord-new',
    logError: (message, details) => logged.push({ message, details }),
  });
}
const writer = authorizerContext({ roles: 'orders:write', scopes: 'orders' });

describe('orders handler', () => {
  it('happy flow: GET /orders lists the caller’s orders with CORS for an allowed origin', async () => {
    const res = await handler()(
      proxyEvent({
        method: 'GET',
        resource: '/orders',
        authorizer: authorizerContext(),
        headers: { origin: 'https://app.example.com' },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': 'https://app.example.com',
    });
    const body = JSON.parse(res.body) as { scope: string; orders: { id: string }[] };
    expect(body.scope).toBe('own');
    expect(body.orders.map((o) => o.id)).toEqual(['ord-1001', 'ord-1002']);
  });

  it('happy flow: an admin lists all orders', async () => {
    const res = await handler()(
      proxyEvent({ method: 'GET', resource: '/orders', authorizer: authorizerContext({ roles: 'admin' }) }),
    );
    expect((JSON.parse(res.body) as { scope: string }).scope).toBe('all');
  });

  it('happy flow: POST /orders → 201 with Location', async () => {
    const res = await handler()(
      proxyEvent({
        method: 'POST',
        resource: '/orders',
        authorizer: writer,
        body: JSON.stringify({ item: 'pen', quantity: 3 }),
      }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.headers?.Location).toBe('/orders/ord-new');
  });

  it('happy flow: a base64 body is decoded', async () => {
    const body = Buffer.from(JSON.stringify({ item: 'pen', quantity: 3 })).toString('base64');
    const res = await handler()(
      proxyEvent({ method: 'POST', resource: '/orders', authorizer: writer, body, isBase64Encoded: true }),
    );
    expect(res.statusCode).toBe(201);
  });

  it.each([
    [
      'no authorizer context → 401',
      proxyEvent({ method: 'GET', resource: '/orders', authorizer: null }),
      401,
      'no_caller',
    ],
    [
      'foreign order → 404',
      proxyEvent({
        method: 'GET',
        resource: '/orders/{id}',
        pathParameters: { id: 'ord-2001' },
        authorizer: authorizerContext(),
      }),
      404,
      'order_not_found',
    ],
    [
      'reader posts → 403',
      proxyEvent({
        method: 'POST',
        resource: '/orders',
        authorizer: authorizerContext(),
        body: '{"item":"x","quantity":1}',
      }),
      403,
      'insufficient_role',
    ],
    [
      'not JSON → 400',
      proxyEvent({ method: 'POST', resource: '/orders', authorizer: writer, body: '{item' }),
      400,
      'malformed_body',
    ],
    [
      '__proto__ key → 400',
      proxyEvent({
        method: 'POST',
        resource: '/orders',
        authorizer: writer,
        body: '{"__proto__":{"x":1},"item":"x","quantity":1}',
      }),
      400,
      'malformed_body',
    ],
    [
      'empty body → 400',
      proxyEvent({ method: 'POST', resource: '/orders', authorizer: writer, body: null }),
      400,
      'malformed_body',
    ],
    [
      'bad field → 422',
      proxyEvent({
        method: 'POST',
        resource: '/orders',
        authorizer: writer,
        body: '{"item":"x","quantity":-1}',
      }),
      422,
      'invalid_body',
    ],
    [
      'unknown route → 404',
      proxyEvent({ method: 'DELETE', resource: '/orders', authorizer: writer }),
      404,
      'unsupported_route',
    ],
  ])('error flow: %s as problem+json', async (_name, event, status, code) => {
    const res = await handler()(event);
    expect(res.statusCode).toBe(status);
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status, code, requestId: 'req-test' });
  });

  it('error flow: an origin not on the allowlist gets no Access-Control-Allow-Origin', async () => {
    const res = await handler()(
      proxyEvent({
        method: 'GET',
        resource: '/orders',
        authorizer: authorizerContext(),
        headers: { Origin: 'https://evil.example' },
      }),
    );
    expect(res.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    expect(res.headers?.Vary).toBe('Origin');
  });

  it('property: any body string → 201, 400 or 422, never 500, never echoing the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (body) => {
        const logged: unknown[] = [];
        const res = await handler(logged)(
          proxyEvent({ method: 'POST', resource: '/orders', authorizer: writer, body }),
        );
        expect([201, 400, 422]).toContain(res.statusCode);
        if (res.statusCode !== 201 && body.length > 3) expect(res.body).not.toContain(body);
        expect(logged).toEqual([]);
      }),
    );
  });
});
