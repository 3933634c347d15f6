import type { WarmAlgorithmResult } from '../../bench/authorizer-warm';
import { verdict } from '../../bench/budget';
import { COLD_TARGET_NAMES } from '../../bench/cold-start';
import { budgetLines, readingSection, renderReport, revocationSection } from '../../bench/report';
import type { BenchResults } from '../../bench/results';

const machine = {
  cpuModel: 'Test CPU',
  cores: 2,
  node: 'v20.0.0',
  os: 'Linux',
  memoryGiB: 4,
  loadAverage: 0.5,
  date: '2026-01-01T00:00:00.000Z',
};

function warm(alg: 'RS256' | 'ES256', oursFraction: number): WarmAlgorithmResult {
  const floor = [1000, 2000, 1500];
  const oursMiss = floor.map((f) => f * oursFraction);
  return {
    alg,
    samples: {
      floor,
      awsJwtVerify: floor.map((f) => f * 0.6),
      oursMiss,
      oursHit: oursMiss.map((m) => m * 12),
      oursMissNoLog: oursMiss.map((m) => m * 1.1),
      oursMissNoMetrics: oursMiss.map((m) => m * 1.05),
      oursMissSilent: oursMiss.map((m) => m * 1.2),
      jose: oursMiss.map((m) => m / 4),
      jsonwebtoken: oursMiss.map((m) => m / 1.5),
    },
    checks: {
      linesPerDecision: 2,
      bytesPerDecision: 600,
      jwksFetchesDuringInit: 1,
      jwksFetchesByFirstRequest: 0,
      samePolicyAsPeers: true,
      rejectsTamperedToken: true,
      verificationsPerMiss: 1,
      verificationsPerHit: 0,
    },
  };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    machine,
    profile: 'full',
    runs: 3,
    elapsedSeconds: 90,
    warm: [warm('RS256', 0.5), warm('ES256', 0.5)],
    cold: {
      emptyNodeMs: [20, 21, 22],
      targets: [
        {
          name: COLD_TARGET_NAMES.authorizer,
          timedFirstDecision: true,
          bundleBytes: 200 * 1024,
          byPackage: [{ name: 'zod', bytes: 100 * 1024 }],
          samples: [10, 20, 40].map((ms) => ({
            loadedAboveEmptyMs: ms,
            aboveEmptyMs: ms + 5,
            cpuAboveEmptyMs: ms + 5,
            requireMs: ms - 5,
            readyMs: 5,
            firstDecisionMs: 1,
          })),
        },
        {
          name: COLD_TARGET_NAMES.authorizerExampleConfig,
          timedFirstDecision: false,
          bundleBytes: 200 * 1024,
          byPackage: [{ name: 'zod', bytes: 100 * 1024 }],
          samples: [60, 70, 90].map((ms) => ({
            loadedAboveEmptyMs: ms,
            aboveEmptyMs: ms + 5,
            cpuAboveEmptyMs: ms + 5,
            requireMs: ms - 5,
            readyMs: 5,
            firstDecisionMs: 0,
          })),
        },
      ],
    },
    guard: undefined,
    gateway: undefined,
    pending: [{ section: 'Local gateway', reason: 'not present' }],
    ...overrides,
  };
}

describe('bench report', () => {
  it('judges every budget item against the median of paired ratios', () => {
    const byId = Object.fromEntries(budgetLines(results()).map((l) => [l.item.id, l]));
    expect(byId.warmRs256?.measured?.median).toBeCloseTo(0.5, 10);
    expect(verdict(byId.warmRs256!)).toBe('met'); // ≥ 45 %
    expect(verdict(byId.warmEs256!)).toBe('NOT MET'); // ≥ 65 %
    expect(byId.joseRs256?.measured?.median).toBeCloseTo(4, 10);
    expect(verdict(byId.joseRs256!)).toBe('met');
    expect(verdict(byId.cacheRs256!)).toBe('met');
    expect(verdict(byId.bundleSize!)).toBe('NOT MET'); // 200 KB
    expect(byId.coldStart?.measured?.median).toBe(20);
    expect(verdict(byId.coldStart!)).toBe('met');
    // The example config (revocation on) is judged on its own target, against the same budget.
    expect(byId.coldStartExampleConfig?.measured?.median).toBe(70);
    expect(verdict(byId.coldStartExampleConfig!)).toBe('NOT MET');
    expect(verdict(byId.firstRequestNoFetch!)).toBe('met');
  });

  it('marks budget items pending, never met, when a section did not run', () => {
    const lines = budgetLines(
      results({
        warm: undefined,
        cold: undefined,
        pending: [{ section: 'Authorizer (warm path)', reason: 'handler missing' }],
      }),
    );
    expect(lines.map(verdict)).toEqual(lines.map(() => 'pending'));
    expect(lines[0]?.missing).toBe('handler missing');
  });

  it('renders the machine, the budget table, every section and the pending list', () => {
    const text = renderReport(results());
    expect(text).toContain('Test CPU, 2 cores');
    expect(text).toContain('| Warm authorizer ES256');
    expect(text).toContain('NOT MET');
    expect(text).toMatch(/## 3\. Cold start[\s\S]*200\.0 KB/);
    expect(text).toContain('- **Local gateway**: not present');
  });

  it('reports the revocation check next to the check off: relative figures, µs added, checks', () => {
    const rs = warm('RS256', 0.5);
    const floor = rs.samples.floor!;
    const withRevocation: WarmAlgorithmResult = {
      ...rs,
      samples: {
        ...rs.samples,
        oursMissRevocationCached: rs.samples.oursMiss!.map((m) => m * 0.8),
        oursHitRevocationCached: rs.samples.oursHit!.map((m) => m / 2),
        oursMissRevocationLookup: rs.samples.oursMiss!.map((m) => m / 2),
      },
      // 1000/s and 500/s: 1000 µs and 2000 µs per decision, so the lookup adds 1000 µs.
      revocationWall: { off: floor.map(() => 1000), dynalite: floor.map(() => 500) },
      revocationChecks: {
        revokedTokenRefused: true,
        lookupsPerDecisionCached: 0,
        lookupsPerDecisionUncached: 1,
        keysPerLookup: 4,
        itemsInTable: 201,
      },
    };
    const text = revocationSection(results({ warm: [withRevocation, warm('ES256', 0.5)] }));
    expect(text).toMatch(/revocation check on, answered by its in-Lambda cache \| [^|]+ \| 80\.0 %/);
    expect(text).toMatch(/decision-cache hit, revocation check on[^|]+\| [^|]+ \| 50\.0 %/);
    expect(text).toMatch(/store in memory \| [^|]+ \| 50\.0 %/);
    expect(text).toMatch(/BatchGetItem against dynalite[^|]+\| 500\/s [^|]*\| 50\.0 %[^|]*\| 1000\.0 µs/);
    expect(text).toContain('refused by every variant');
    expect(revocationSection(results())).toBe('_Not measured in this run._');
  });

  it('explains a missed jose target with the fraction of the floor it would take', () => {
    const es = warm('ES256', 0.5);
    const slowJose: WarmAlgorithmResult = {
      ...es,
      samples: { ...es.samples, jose: es.samples.oursMiss!.map((m) => m / 2) },
    };
    const text = readingSection(results({ warm: [warm('RS256', 0.5), slowJose] }));
    // jose at 25 % of the floor: 3× jose is 75 % of the floor; the library alone reaches 60 %.
    expect(text).toMatch(
      /ES256 against jose\*\*: the jose peer reaches 25\.0 % [^\n]*75\.0 % of the floor[^\n]*60\.0 %/,
    );
    expect(text).not.toMatch(/RS256 against jose/);
  });

  it('attributes the overhead above the floor in µs per decision', () => {
    // floor 1500/s median → 666.7 µs; ours at half the floor → as much again above it.
    expect(readingSection(results())).toMatch(/RS256\*\*: the signature check itself costs 666\.7 µs/);
  });
});
