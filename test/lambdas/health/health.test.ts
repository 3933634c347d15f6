import { health } from '../../../lambdas/health/health';
import { createHealthHandler } from '../../../lambdas/health/health-http';
import { proxyEvent } from '../sample-backend-event';

const deps = {
  cors: { allowOrigins: [], exposeHeaders: [], allowCredentials: false },
  service: 'edge',
  startedAt: new Date('2026-01-01T00:00:00Z'),
  now: () => new Date('2026-01-01T00:01:30Z'),
};

describe('health', () => {
  it('happy flow: reports ok and uptime from injected clocks', async () => {
    const res = await createHealthHandler(deps)(
      proxyEvent({ method: 'GET', resource: '/health', authorizer: null }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      status: 'ok',
      service: 'edge',
      uptimeSeconds: 90,
      time: '2026-01-01T00:01:30.000Z',
    });
  });

  it('a clock going backwards never yields a negative uptime', () => {
    expect(health('edge', new Date(2000), new Date(1000)).uptimeSeconds).toBe(0);
  });

  it('error flow: POST → 405 problem+json with Allow', async () => {
    const res = await createHealthHandler(deps)(
      proxyEvent({ method: 'POST', resource: '/health', authorizer: null }),
    );
    expect(res.statusCode).toBe(405);
    expect(res.headers).toMatchObject({ Allow: 'GET, HEAD', 'Content-Type': 'application/problem+json' });
  });
});
