import * as z from 'zod';
import type { RequestSchemaName } from '../shared/config/guard-config';

/**
 * The request schemas the guard config can name (`"validation": "createOrder"`), for the sample
 * backends' routes. Each part is checked separately; a part without a schema must be empty:
 * - `pathParameters`: `event.pathParameters` (strings)
 * - `query`: the query string parameters (strings; a repeated name is rejected before this)
 * - `headers`: lower-cased header names → value; a loose object (clients send many headers)
 * - `body`: the parsed JSON body; absent means the route accepts no body
 *
 * Objects are strict: unknown fields are rejected. Add a schema here and its name to
 * `REQUEST_SCHEMA_NAMES` in lambdas/shared/config/guard-config.ts (the type below keeps them in step).
 */
export interface RequestSchema {
  readonly pathParameters?: z.ZodType;
  readonly query?: z.ZodType;
  readonly headers?: z.ZodType;
  readonly body?: z.ZodType;
}

const orderId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be an order id (letters, digits, _ and -)' });

export const REQUEST_SCHEMAS: Readonly<Record<RequestSchemaName, RequestSchema>> = {
  /** POST /orders */
  createOrder: {
    body: z.strictObject({
      item: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[\p{L}\p{N} ._-]+$/u),
      quantity: z.int().min(1).max(1000),
    }),
  },
  /** GET /orders/{id} */
  getOrder: {
    pathParameters: z.strictObject({ id: orderId }),
  },
  /** GET /orders */
  listOrders: {
    query: z.strictObject({
      limit: z
        .string()
        .regex(/^[1-9][0-9]{0,2}$/, { error: 'must be an integer from 1 to 100' })
        .refine((v) => Number(v) <= 100, { error: 'must be an integer from 1 to 100' })
        .optional(),
      cursor: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,128}$/)
        .optional(),
    }),
  },
};
