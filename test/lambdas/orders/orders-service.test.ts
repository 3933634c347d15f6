import fc from 'fast-check';
import { InsufficientRoleError, InvalidOrderError, OrderNotFoundError } from '../../../lambdas/orders/errors';
import { DEMO_ORDERS, InMemoryOrderStore } from '../../../lambdas/orders/order-store';
import { createOrder, getOrder, listOrders } from '../../../lambdas/orders/orders-service';
import type { Caller } from '../../../lambdas/shared/contracts/authorizer-context';

const caller = (overrides: Partial<Caller> = {}): Caller => ({
  sub: 'alice',
  iss: 'https://idp.example.com',
  roles: ['orders:read'],
  scopes: [],
  clientId: 'web',
  jti: 'j',
  tenant: '',
  ...overrides,
});
const deps = () => ({
  store: new InMemoryOrderStore(DEMO_ORDERS),
  now: () => new Date('2026-02-01T00:00:00Z'),
  newId: () => 'ord-new',
});

describe('per-role visibility', () => {
  it('happy flow: a reader sees only their own orders', () => {
    expect(listOrders(caller(), deps().store).map((o) => o.id)).toEqual(['ord-1001', 'ord-1002']);
  });

  it('happy flow: an admin sees every order', () => {
    expect(listOrders(caller({ roles: ['admin'] }), deps().store)).toHaveLength(3);
  });

  it('error flow: another tenant with the same sub sees nothing', () => {
    expect(listOrders(caller({ tenant: 'other' }), deps().store)).toEqual([]);
  });

  it('error flow: a foreign order is reported as not found (no existence leak)', () => {
    expect(() => getOrder(caller(), 'ord-2001', deps().store)).toThrow(OrderNotFoundError);
    expect(() => getOrder(caller(), 'ord-missing', deps().store)).toThrow(OrderNotFoundError);
    expect(getOrder(caller({ roles: ['admin'] }), 'ord-2001', deps().store).owner).toBe('bob');
  });
});

describe('placing orders', () => {
  const writer = caller({ roles: ['orders:write'], scopes: ['orders'] });

  it('happy flow: a writer with the orders scope places an order owned by them', () => {
    const d = deps();
    const order = createOrder(writer, { item: 'desk lamp', quantity: 2 }, d);
    expect(order).toEqual({
      id: 'ord-new',
      owner: 'alice',
      tenant: '',
      item: 'desk lamp',
      quantity: 2,
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    expect(d.store.get('ord-new')).toEqual(order);
  });

  it.each([
    ['reader', caller()],
    ['writer without scope', caller({ roles: ['orders:write'] })],
    ['scope without role', caller({ scopes: ['orders'] })],
    ['admin', caller({ roles: ['admin'] })],
  ])('error flow: %s → InsufficientRoleError', (_name, who) => {
    expect(() => createOrder(who, { item: 'x', quantity: 1 }, deps())).toThrow(InsufficientRoleError);
  });

  it.each([
    [{ item: '', quantity: 1 }, 'item'],
    [{ item: 'x', quantity: 0 }, 'quantity'],
    [{ item: 'x', quantity: 1.5 }, 'quantity'],
    [{ item: 'x' }, 'quantity'],
    [{ item: 'x', quantity: 1, owner: 'bob' }, '(body)'],
    [{ item: '<script>', quantity: 1 }, 'item'],
    ['not an object', '(body)'],
  ])('error flow: %j → InvalidOrderError on %s', (body, field) => {
    let error: unknown;
    try {
      createOrder(writer, body, deps());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOrderError);
    expect((error as InvalidOrderError).field).toBe(field);
  });

  it('property: any body yields a stored order or an InvalidOrderError, never another failure', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const d = deps();
        try {
          const order = createOrder(writer, body, d);
          expect(d.store.get(order.id)).toEqual(order);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOrderError);
        }
      }),
    );
  });
});
