/** An order as the sample service keeps it. */
export interface Order {
  readonly id: string;
  /** `sub` of the caller who placed it. */
  readonly owner: string;
  /** Tenant of the owner, or empty. */
  readonly tenant: string;
  readonly item: string;
  readonly quantity: number;
  /** ISO 8601 timestamp. */
  readonly createdAt: string;
}

/** Where orders live. The sample keeps them in memory per Lambda instance; a real service would use a table. */
export interface OrderStore {
  list(): readonly Order[];
  get(id: string): Order | undefined;
  put(order: Order): void;
}

/** An in-memory order store (per Lambda instance), seeded with demo orders so a fresh deploy has data. */
export class InMemoryOrderStore implements OrderStore {
  private readonly orders = new Map<string, Order>();

  constructor(seed: readonly Order[] = []) {
    for (const order of seed) this.orders.set(order.id, order);
  }

  list(): readonly Order[] {
    return [...this.orders.values()];
  }

  get(id: string): Order | undefined {
    return this.orders.get(id);
  }

  put(order: Order): void {
    this.orders.set(order.id, order);
  }
}

/** Demo orders for the subjects the local identity provider and the docs use. */
export const DEMO_ORDERS: readonly Order[] = [
  {
    id: 'ord-1001',
    owner: 'alice',
    tenant: '',
    item: 'keyboard',
    quantity: 1,
    createdAt: '2026-01-05T10:00:00.000Z',
  },
  {
    id: 'ord-1002',
    owner: 'alice',
    tenant: '',
    item: 'mouse',
    quantity: 2,
    createdAt: '2026-01-06T11:30:00.000Z',
  },
  {
    id: 'ord-2001',
    owner: 'bob',
    tenant: '',
    item: 'monitor',
    quantity: 1,
    createdAt: '2026-01-07T09:15:00.000Z',
  },
];
