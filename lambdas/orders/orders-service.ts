import * as z from 'zod';
import type { Caller } from '../shared/contracts/authorizer-context';
import { InsufficientRoleError, InvalidOrderError, OrderNotFoundError } from './errors';
import type { Order, OrderStore } from './order-store';

/** Roles and scopes the sample uses (the same names as the example `auth.routes`). */
export const ADMIN_ROLE = 'admin';
export const WRITE_ROLE = 'orders:write';
export const WRITE_SCOPE = 'orders';

/** Whether the caller sees every order (admins) or only their own. */
export function seesAllOrders(caller: Caller): boolean {
  return caller.roles.includes(ADMIN_ROLE);
}

function visibleTo(caller: Caller, order: Order): boolean {
  if (seesAllOrders(caller)) return true;
  return order.owner === caller.sub && order.tenant === caller.tenant;
}

/** Orders the caller may see: all for admins, otherwise the caller's own (same sub and tenant). */
export function listOrders(caller: Caller, store: OrderStore): Order[] {
  return store
    .list()
    .filter((o) => visibleTo(caller, o))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** One order; a foreign order is reported as not found, so ids of others do not leak. */
export function getOrder(caller: Caller, id: string, store: OrderStore): Order {
  const order = store.get(id);
  if (order === undefined || !visibleTo(caller, order)) throw new OrderNotFoundError('order not found');
  return order;
}

/** The body of `POST /orders`. Unknown fields are rejected. */
export const newOrderSchema = z.strictObject({
  item: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\p{L}\p{N} ._-]+$/u),
  quantity: z.int().min(1).max(1000),
});

/** Everything `createOrder` needs besides the caller and the body. */
export interface CreateOrderDeps {
  readonly store: OrderStore;
  readonly now: () => Date;
  readonly newId: () => string;
}

/**
 * Places an order for the caller. Needs the `orders:write` role and the `orders` scope (the
 * authorizer checks the same; this is defence in depth for a misconfigured route).
 */
export function createOrder(caller: Caller, body: unknown, deps: CreateOrderDeps): Order {
  if (!caller.roles.includes(WRITE_ROLE) || !caller.scopes.includes(WRITE_SCOPE)) {
    throw new InsufficientRoleError('orders:write role and orders scope required');
  }
  const parsed = newOrderSchema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field =
      first === undefined || first.path.length === 0 ? '(body)' : first.path.map(String).join('.');
    throw new InvalidOrderError(field, { cause: parsed.error });
  }
  const order: Order = {
    id: deps.newId(),
    owner: caller.sub,
    tenant: caller.tenant,
    item: parsed.data.item,
    quantity: parsed.data.quantity,
    createdAt: deps.now().toISOString(),
  };
  deps.store.put(order);
  return order;
}
