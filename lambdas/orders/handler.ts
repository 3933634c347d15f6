import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadBackendCors } from '../shared/backend-http/cors';
import { DEMO_ORDERS, InMemoryOrderStore } from './order-store';
import { createOrdersHandler } from './orders-http';

const logger = new Logger({ serviceName: 'orders' });

export const handler = createOrdersHandler({
  store: new InMemoryOrderStore(DEMO_ORDERS),
  cors: loadBackendCors(),
  now: () => new Date(),
  newId: () => `ord-${randomUUID()}`,
  logError: (message, details) => {
    logger.error(message, details);
  },
});
