/**
 * The lean JSON logger writes the lines Powertools Logger writes: same keys, same order, same values
 * (the timestamp aside), on the same stream. Checked against the real Powertools Logger.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { JsonLogger, xrayTraceId } from '../../../../lambdas/shared/logging/json-logger';
import { createLogger } from '../../../../lambdas/shared/logging/powertools';

type Stream = 'stdout' | 'stderr';

/** Captures what is written to stdout and stderr while `fn` runs. */
function capture(fn: () => void): { stream: Stream; line: string }[] {
  const written: { stream: Stream; line: string }[] = [];
  const spies = (['stdout', 'stderr'] as const).map((stream) =>
    jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') written.push({ stream, line });
      return true;
    }),
  );
  try {
    fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written;
}

/** Parsed line with its key order kept and the timestamp checked and blanked. */
function normalized(line: string): [string, unknown][] {
  const record = JSON.parse(line) as Record<string, unknown>;
  expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  return Object.entries(record).map(([key, value]) => [key, key === 'timestamp' ? 'T' : value]);
}

const ENV_KEYS = [
  'POWERTOOLS_LOG_LEVEL',
  'LOG_LEVEL',
  'AWS_LAMBDA_LOG_LEVEL',
  '_X_AMZN_TRACE_ID',
  'POWERTOOLS_DEV',
];

describe('JsonLogger', () => {
  const saved = new Map<string, string | undefined>();

  beforeEach(() => {
    for (const key of ENV_KEYS) {
      saved.set(key, process.env[key]);
      Reflect.deleteProperty(process.env, key);
    }
  });

  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  });

  const decision = {
    outcome: 'deny',
    reason: 'missing_role',
    sub: 'user-1',
    iss: 'https://idp.example.com',
    kid: undefined,
    jti: 'id "quoted" \u2028 ü',
    latencyMs: 0.125,
    route: 'GET /orders/{id}',
    cached: false,
    nested: { a: [1, 'two', null] },
  };

  it.each([
    ['without X-Ray', undefined],
    [
      'with an X-Ray trace header',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    ],
  ])('writes the same lines as Powertools Logger, %s', (_label, traceHeader) => {
    if (traceHeader !== undefined) process.env._X_AMZN_TRACE_ID = traceHeader;
    const ours = new JsonLogger({ serviceName: 'authorizer' });
    const powertools = new Logger({ serviceName: 'authorizer' });
    const write = (logger: Pick<Logger, 'info' | 'warn' | 'error'>): void => {
      logger.info('authorizer decision', decision);
      logger.warn('JWKS pre-load failed', { reason: 'jwks_unavailable', jwksSource: 'https://idp/jwks' });
      logger.error('authorizer decision', { outcome: 'error', errorName: 'TypeError' });
      logger.info('no fields', {});
    };
    const expected = capture(() => {
      write(powertools);
    });
    const actual = capture(() => {
      write(ours);
    });
    expect(actual.map((w) => w.stream)).toEqual(['stdout', 'stderr', 'stderr', 'stdout']);
    expect(actual.map((w) => w.stream)).toEqual(expected.map((w) => w.stream));
    expect(actual.map((w) => normalized(w.line))).toEqual(expected.map((w) => normalized(w.line)));
    if (traceHeader !== undefined) {
      expect(JSON.parse(actual[0]?.line ?? '{}')).toMatchObject({
        xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      });
    }
  });

  it('honours POWERTOOLS_LOG_LEVEL, LOG_LEVEL, an explicit level and Lambda log level controls', () => {
    const levelsWritten = (make: () => JsonLogger): string[] =>
      capture(() => {
        const logger = make();
        logger.info('i', {});
        logger.warn('w', {});
        logger.error('e', {});
      }).map((w) => (JSON.parse(w.line) as { level: string }).level);

    expect(levelsWritten(() => new JsonLogger({ serviceName: 's' }))).toEqual(['INFO', 'WARN', 'ERROR']);
    process.env.POWERTOOLS_LOG_LEVEL = 'warn';
    expect(levelsWritten(() => new JsonLogger({ serviceName: 's' }))).toEqual(['WARN', 'ERROR']);
    Reflect.deleteProperty(process.env, 'POWERTOOLS_LOG_LEVEL');
    process.env.LOG_LEVEL = 'ERROR';
    expect(levelsWritten(() => new JsonLogger({ serviceName: 's' }))).toEqual(['ERROR']);
    expect(levelsWritten(() => new JsonLogger({ serviceName: 's', logLevel: 'INFO' }))).toEqual([
      'INFO',
      'WARN',
      'ERROR',
    ]);
    expect(levelsWritten(() => new JsonLogger({ serviceName: 's', logLevel: 'SILENT' }))).toEqual([]);
    expect(
      levelsWritten(
        () => new JsonLogger({ serviceName: 's', logLevel: 'DEBUG', env: { AWS_LAMBDA_LOG_LEVEL: 'WARN' } }),
      ),
    ).toEqual(['WARN', 'ERROR']);
  });

  it('drops fields named like a standard key and writes errors as name and message', () => {
    const [line] = capture(() => {
      new JsonLogger({ serviceName: 'svc', env: {} }).error('m', {
        level: 'forged',
        message: 'forged',
        timestamp: 0,
        service: 'forged',
        errorName: 'X',
        cause: new RangeError('boom'),
      });
    });
    const record = JSON.parse(line?.line ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'ERROR', message: 'm', service: 'svc', errorName: 'X' });
    expect(record.cause).toMatchObject({ name: 'RangeError', message: 'boom' });
    expect(Object.keys(record).slice(0, 5)).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'sampling_rate',
    ]);
  });

  it('createLogger builds one (the authorizer decision line)', () => {
    const written = capture(() => {
      createLogger({ serviceName: 'authorizer' }).info('authorizer decision', { outcome: 'allow' });
    });
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]?.line ?? '{}')).toMatchObject({
      level: 'INFO',
      service: 'authorizer',
      outcome: 'allow',
    });
  });

  it('reads the X-Ray trace id from the Root member only', () => {
    expect(xrayTraceId(undefined)).toBeUndefined();
    expect(xrayTraceId('Parent=1;Sampled=0')).toBeUndefined();
    expect(xrayTraceId('Root=1-a-b;Parent=2')).toBe('1-a-b');
  });

  it('each line carries the trace id of the invocation it is written in (the runtime resets it per invocation)', () => {
    const logger = new JsonLogger({ serviceName: 'authorizer' });
    const traceIds: unknown[] = [];
    for (const header of ['Root=1-a-1;Sampled=1', 'Root=1-a-2;Sampled=1', undefined, 'Root=1-a-2']) {
      if (header === undefined) Reflect.deleteProperty(process.env, '_X_AMZN_TRACE_ID');
      else process.env._X_AMZN_TRACE_ID = header;
      const [written] = capture(() => {
        logger.info('authorizer decision', { outcome: 'allow' });
        logger.info('authorizer decision', { outcome: 'allow' });
      });
      traceIds.push((JSON.parse(written?.line ?? '{}') as { xray_trace_id?: unknown }).xray_trace_id);
    }
    expect(traceIds).toEqual(['1-a-1', '1-a-2', undefined, '1-a-2']);
  });

  it('writes each message of a sequence under its own text', () => {
    const logger = new JsonLogger({ serviceName: 'authorizer' });
    const written = capture(() => {
      for (const message of ['first', 'second', 'second', 'first "quoted"']) logger.info(message, {});
    });
    expect(written.map((w) => (JSON.parse(w.line) as { message: unknown }).message)).toEqual([
      'first',
      'second',
      'second',
      'first "quoted"',
    ]);
  });
});
