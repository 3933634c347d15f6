import { loadBackendCors } from '../shared/backend-http/cors';
import { createHealthHandler } from './health-http';

export const handler = createHealthHandler({
  cors: loadBackendCors(),
  service: 'api-security-edge',
  startedAt: new Date(),
  now: () => new Date(),
});
