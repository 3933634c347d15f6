import { loadBackendCors } from '../shared/backend-http/cors';
import { createProfileHandler } from './profile-http';

export const handler = createProfileHandler({ cors: loadBackendCors() });
