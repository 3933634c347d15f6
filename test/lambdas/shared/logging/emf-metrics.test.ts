/**
 * The lean EMF emitter writes the documents Powertools Metrics writes: same keys, same order, same
 * values (the timestamp aside), on stdout. Checked against the real Powertools Metrics, which stays
 * a dev dependency for exactly this.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetrics, metricsDisabled } from '../../../../lambdas/shared/logging/emf-metrics';
import type { MetricsSink } from '../../../../lambdas/shared/logging/powertools';

type Call = ['dim', string, string] | ['metric', string, 'Count' | 'Milliseconds', number] | ['publish'];

const SWITCHES = ['POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV'] as const;

/** Runs `calls` on a sink built under `env` (set in process.env for Powertools), capturing stdout. */
function run(
  build: (env: Record<string, string | undefined>) => MetricsSink,
  env: Partial<Record<(typeof SWITCHES)[number], string>>,
  calls: readonly Call[],
): string[] {
  const saved = SWITCHES.map((key) => [key, process.env[key]] as const);
  for (const key of SWITCHES) {
    if (env[key] === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = env[key];
  }
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  // Powertools' warnings (on its own console's stderr, or the global one in dev mode) are dropped.
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  // In dev mode Powertools writes through the global console instead of stdout.
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(`${args.map(String).join(' ')}\n`);
  });
  try {
    const sink = build({ ...process.env });
    for (const call of calls) {
      if (call[0] === 'dim') sink.addDimension(call[1], call[2]);
      else if (call[0] === 'metric') sink.addMetric(call[1], call[2], call[3]);
      else sink.publishStoredMetrics();
    }
  } finally {
    write.mockRestore();
    warn.mockRestore();
    log.mockRestore();
    stderr.mockRestore();
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
  // Every document is one line; the timestamp is the only field that may differ.
  return lines
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .map((line) => line.replace(/"Timestamp":\d+/, '"Timestamp":0'));
}

const powertools = () => new Metrics({ namespace: 'ApiSecurityEdge', serviceName: 'authorizer' });
const lean = (env: Record<string, string | undefined>) =>
  new EmfMetrics({ namespace: 'ApiSecurityEdge', serviceName: 'authorizer', env });

const SEQUENCES: [string, Call[]][] = [
  [
    'a decision count with outcome and reason',
    [
      ['dim', 'outcome', 'allow'],
      ['dim', 'reason', 'ok'],
      ['metric', 'AuthorizerDecision', 'Count', 3],
      ['publish'],
    ],
  ],
  ['a metric without dimensions', [['metric', 'RevocationStoreErrorAccepted', 'Count', 1], ['publish']]],
  [
    'two values of one metric and a second metric',
    [
      ['dim', 'outcome', 'deny'],
      ['metric', 'AuthorizerDecision', 'Count', 1],
      ['metric', 'AuthorizerDecision', 'Count', 2],
      ['metric', 'Latency', 'Milliseconds', 12.5],
      ['publish'],
    ],
  ],
  [
    'values that need JSON escaping',
    [['dim', 'reason', 'a"b\\c\u2028é'], ['metric', 'Odd "name"', 'Count', 1], ['publish']],
  ],
  [
    'dimensions are cleared by a publish',
    [
      ['dim', 'outcome', 'allow'],
      ['metric', 'AuthorizerDecision', 'Count', 1],
      ['publish'],
      ['metric', 'AuthorizerDecision', 'Count', 1],
      ['publish'],
    ],
  ],
  [
    'a dimension set twice keeps its last value',
    [['dim', 'outcome', 'allow'], ['dim', 'outcome', 'deny'], ['metric', 'M', 'Count', 1], ['publish']],
  ],
  ['an empty dimension value is ignored', [['dim', 'reason', ''], ['metric', 'M', 'Count', 1], ['publish']]],
  [
    '100 values of one metric publish on their own',
    [
      ['dim', 'outcome', 'allow'],
      ...Array.from({ length: 101 }, (_, i): Call => ['metric', 'M', 'Count', i]),
      ['publish'],
    ],
  ],
  [
    'a 101st metric publishes the first 100',
    [
      ['dim', 'outcome', 'allow'],
      ...Array.from({ length: 101 }, (_, i): Call => ['metric', `M${i}`, 'Count', i]),
      ['publish'],
    ],
  ],
];

describe('EmfMetrics writes what Powertools Metrics writes', () => {
  it.each(SEQUENCES)('%s', (_label, calls) => {
    const expected = run(powertools, {}, calls);
    expect(expected.length).toBeGreaterThan(0);
    expect(run(lean, {}, calls)).toEqual(expected);
  });

  it.each([
    [{}],
    [{ POWERTOOLS_METRICS_DISABLED: 'true' }],
    [{ POWERTOOLS_METRICS_DISABLED: '1' }],
    [{ POWERTOOLS_METRICS_DISABLED: 'false' }],
    [{ POWERTOOLS_METRICS_DISABLED: ' Off ' }],
    [{ POWERTOOLS_DEV: 'true' }],
    [{ POWERTOOLS_DEV: 'yes', POWERTOOLS_METRICS_DISABLED: 'false' }],
    [{ POWERTOOLS_DEV: 'false' }],
    [{ POWERTOOLS_DEV: 'maybe' }],
  ])('is on or off as Powertools is, in the environment %j', (env) => {
    const calls: Call[] = [['metric', 'M', 'Count', 1], ['publish']];
    const expected = run(powertools, env, calls);
    expect(run(lean, env, calls)).toEqual(expected);
  });

  it('refuses an unparsable POWERTOOLS_METRICS_DISABLED at construction, as Powertools does', () => {
    const env = { POWERTOOLS_METRICS_DISABLED: 'maybe' };
    expect(() => run(powertools, env, [])).toThrow(/POWERTOOLS_METRICS_DISABLED/);
    expect(() => run(lean, env, [])).toThrow(/POWERTOOLS_METRICS_DISABLED/);
  });

  it.each([28, 29])(
    'with %d dimensions of its own: refuses the last one exactly when Powertools does',
    (count) => {
      const calls: Call[] = [
        ...Array.from({ length: count }, (_, i): Call => ['dim', `d${i}`, 'v']),
        ['metric', 'M', 'Count', 1],
        ['publish'],
      ];
      let expected: string[] | Error;
      try {
        expected = run(powertools, {}, calls);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) {
        expect(() => run(lean, {}, calls)).toThrow(RangeError);
      } else {
        expect(run(lean, {}, calls)).toEqual(expected);
      }
      expect(expected instanceof Error).toBe(count === 29);
    },
  );

  it('refuses a second unit for one metric, as Powertools does', () => {
    const calls: Call[] = [
      ['metric', 'M', 'Count', 1],
      ['metric', 'M', 'Milliseconds', 1],
    ];
    expect(() => run(powertools, {}, calls)).toThrow(/unit/);
    expect(() => run(lean, {}, calls)).toThrow(/unit/);
  });
});

describe('EmfMetrics', () => {
  it('writes nothing when asked to publish no metrics (Powertools would print a warning)', () => {
    expect(run(lean, {}, [['dim', 'outcome', 'allow'], ['publish']])).toEqual([]);
  });

  it('stamps each document with its clock', () => {
    const lines: string[] = [];
    const metrics = new EmfMetrics({
      namespace: 'N',
      serviceName: 's',
      env: {},
      write: (line) => lines.push(line),
      clock: () => 1_795_000_000_123,
    });
    metrics.addMetric('M', 'Count', 1);
    metrics.publishStoredMetrics();
    expect(JSON.parse(lines[0]!)).toMatchObject({ _aws: { Timestamp: 1_795_000_000_123 } });
  });

  it('metricsDisabled: POWERTOOLS_METRICS_DISABLED wins over POWERTOOLS_DEV', () => {
    expect(metricsDisabled({ POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false' })).toBe(false);
    expect(metricsDisabled({ POWERTOOLS_DEV: 'true' })).toBe(true);
    expect(metricsDisabled({})).toBe(false);
  });
});
