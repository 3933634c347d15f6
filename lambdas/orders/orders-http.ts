import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders, requestOrigin, type BackendCors } from '../shared/backend-http/cors';
import { parseJsonBody, UnsafeJsonError } from '../shared/backend-http/json-body';
import { INTERNAL_ERROR, jsonResponse, problemResponse } from '../shared/backend-http/responses';
import { readCaller } from '../shared/contracts/authorizer-context';
import { MalformedBodyError, MissingCallerError, OrdersError, UnsupportedRouteError } from './errors';
import type { OrderStore } from './order-store';
import { createOrder, getOrder, listOrders, seesAllOrders } from './orders-service';

/** What the orders handler is built from. */
export interface OrdersHandlerDeps {
  readonly store: OrderStore;
  readonly cors: BackendCors;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Logs an unexpected failure (reason only; never the event). */
  readonly logError: (message: string, details: Record<string, unknown>) => void;
}

/** The REST proxy handler of the orders service: `GET /orders`, `GET /orders/{id}`, `POST /orders`. */
export function createOrdersHandler(
  deps: OrdersHandlerDeps,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return (event) => {
    const headers = corsHeaders(requestOrigin(event.headers), deps.cors);
    const requestId = event.requestContext.requestId;
    try {
      return Promise.resolve(route(event, deps, headers));
    } catch (error) {
      if (error instanceof OrdersError)
        return Promise.resolve(problemResponse(error.toProblem(), requestId, headers));
      deps.logError('orders request failed', {
        requestId,
        errorName: error instanceof Error ? error.name : typeof error,
      });
      return Promise.resolve(problemResponse(INTERNAL_ERROR, requestId, headers));
    }
  };
}

function route(
  event: APIGatewayProxyEvent,
  deps: OrdersHandlerDeps,
  headers: Record<string, string>,
): APIGatewayProxyResult {
  const caller = readCaller(event.requestContext.authorizer);
  if (caller === undefined) throw new MissingCallerError('no authorizer context');
  const key = `${event.httpMethod} ${event.resource}`;
  switch (key) {
    case 'GET /orders': {
      const orders = listOrders(caller, deps.store);
      return jsonResponse(200, { scope: seesAllOrders(caller) ? 'all' : 'own', orders }, headers);
    }
    case 'GET /orders/{id}': {
      const id = event.pathParameters?.id;
      if (id === undefined) throw new UnsupportedRouteError('no id');
      return jsonResponse(200, getOrder(caller, id, deps.store), headers);
    }
    case 'POST /orders': {
      let body: unknown;
      try {
        body = parseJsonBody(event.body, event.isBase64Encoded);
      } catch (cause) {
        if (cause instanceof UnsafeJsonError) throw new MalformedBodyError('malformed body', { cause });
        throw cause;
      }
      const order = createOrder(caller, body, deps);
      return jsonResponse(201, order, { ...headers, Location: `/orders/${order.id}` });
    }
    default:
      throw new UnsupportedRouteError(key);
  }
}
