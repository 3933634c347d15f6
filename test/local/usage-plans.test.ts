import { generateApiKey, UsageMeter, type UsagePlan } from '../../local/gateway/usage-plans';

const free: UsagePlan = {
  name: 'free',
  throttle: { rateLimit: 1, burstLimit: 2 },
  quota: { limit: 3, period: 'DAY' },
  methodThrottles: [],
};
const partner: UsagePlan = {
  name: 'partner',
  throttle: { rateLimit: 100, burstLimit: 100 },
  methodThrottles: [{ method: 'POST', path: '/orders', rateLimit: 1, burstLimit: 1 }],
};
const freeKey = generateApiKey('free', 'free-1');
const partnerKey = generateApiKey('partner', 'partner-1');

const meter = (): UsageMeter =>
  new UsageMeter({
    plans: [free, partner],
    keys: [freeKey, partnerKey],
    stageThrottle: { rateLimit: 1000, burstLimit: 1000 },
    stageMethodThrottles: [{ method: 'GET', path: '/health', rateLimit: 1, burstLimit: 1 }],
  });

describe('usage plans: keys, throttles, quotas', () => {
  it('generated keys are long, random and carry a short id', () => {
    expect(freeKey.value.length).toBeGreaterThanOrEqual(40);
    expect(freeKey.value).not.toBe(generateApiKey('free', 'free-1').value);
    expect(freeKey.id).toMatch(/^[0-9a-f]{10}$/);
  });

  it.each([[undefined], ['not-a-key'], ['']])('error flow: key %j → INVALID_API_KEY', (value) => {
    expect(meter().meter(value, 'GET', '/orders', 0)).toMatchObject({
      ok: false,
      response: 'INVALID_API_KEY',
    });
  });

  it('plan throttle: burst then 429 THROTTLED, refilled with time', () => {
    const m = meter();
    expect(m.meter(freeKey.value, 'GET', '/orders', 0).ok).toBe(true);
    expect(m.meter(freeKey.value, 'GET', '/orders', 0).ok).toBe(true);
    expect(m.meter(freeKey.value, 'GET', '/orders', 0)).toMatchObject({ ok: false, response: 'THROTTLED' });
    expect(m.meter(freeKey.value, 'GET', '/orders', 1000).ok).toBe(true);
  });

  it('quota: the fourth request of the day → QUOTA_EXCEEDED, even with tokens left', () => {
    const m = meter();
    for (let i = 0; i < 3; i++) expect(m.meter(freeKey.value, 'GET', '/orders', i * 10_000).ok).toBe(true);
    expect(m.meter(freeKey.value, 'GET', '/orders', 40_000)).toMatchObject({
      ok: false,
      response: 'QUOTA_EXCEEDED',
    });
  });

  it('per-method plan throttles override the plan throttle for that route only', () => {
    const m = meter();
    expect(m.meter(partnerKey.value, 'POST', '/orders', 0).ok).toBe(true);
    expect(m.meter(partnerKey.value, 'POST', '/orders', 0)).toMatchObject({
      ok: false,
      response: 'THROTTLED',
    });
    expect(m.meter(partnerKey.value, 'GET', '/orders', 0).ok).toBe(true);
  });

  it('clients are metered separately', () => {
    const m = meter();
    m.meter(freeKey.value, 'GET', '/orders', 0);
    m.meter(freeKey.value, 'GET', '/orders', 0);
    expect(m.meter(freeKey.value, 'GET', '/orders', 0).ok).toBe(false);
    expect(m.meter(partnerKey.value, 'GET', '/orders', 0).ok).toBe(true);
  });

  it('stage default throttle: one bucket per method, not one for the whole stage', () => {
    const m = new UsageMeter({
      plans: [],
      keys: [],
      stageThrottle: { rateLimit: 1, burstLimit: 1 },
      stageMethodThrottles: [],
    });
    expect(m.stageAllows('GET', '/orders', 0)).toBe(true);
    expect(m.stageAllows('GET', '/orders', 0)).toBe(false);
    expect(m.stageAllows('POST', '/orders', 0)).toBe(true);
    expect(m.stageAllows('GET', '/profile', 0)).toBe(true);
    expect(m.stageAllows('GET', '/orders', 1000)).toBe(true);
  });

  it('stage method throttle applies to everyone on that route', () => {
    const m = meter();
    expect(m.stageAllows('GET', '/health', 0)).toBe(true);
    expect(m.stageAllows('GET', '/health', 0)).toBe(false);
    expect(m.stageAllows('GET', '/orders', 0)).toBe(true);
  });
});
