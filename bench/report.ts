import type { WarmAlgorithmResult, WarmVariant } from './authorizer-warm';
import { BUDGET, verdict, type BudgetId, type BudgetLine } from './budget';
import { COLD_TARGET_NAMES, type ColdResult, type ColdSample } from './cold-start';
import { formatCount, markdownTable } from './markdown';
import type { BenchResults, HttpLoadSample, RateRow } from './results';
import { median, pairedRatios, summarize, type Summary } from './stats';

/**
 * Renders a bench run as markdown: the budget table (target, measured, met / NOT MET), one table
 * per section, and a reading of where the authorizer's time goes. Pure: results in, text out.
 */

const VARIANT_LABELS: Readonly<Record<WarmVariant, string>> = {
  floor: 'floor: node:crypto `verify`, prebuilt KeyObject',
  awsJwtVerify: 'aws-jwt-verify `verifySync` alone (library reference)',
  oursMiss: '**ours**, decision-cache miss (distinct tokens)',
  oursHit: '**ours**, decision-cache hit (same token)',
  oursRefusedSignature: 'ours, refusal (401): one flipped signature bit (distinct tokens)',
  oursRefusedMalformed: 'ours, refusal (401): a header that is not JSON, refused before any signature check',
  oursMissNoLog: 'ours, miss, logger replaced by a silent one',
  oursMissNoMetrics: 'ours, miss, metrics replaced by a silent sink',
  oursMissSilent: 'ours, miss, no logging and no metrics',
  oursMissRevocationCached: 'ours, miss, revocation check on, answered by its in-Lambda cache',
  oursHitRevocationCached: 'ours, decision-cache hit, revocation check on, answered by its in-Lambda cache',
  oursMissRevocationLookup:
    'ours, miss, revocation check on, store lookup on every decision (`cacheStalenessSeconds` 0), store in memory',
  jose: 'peer: jose `jwtVerify` + `createLocalJWKSet`',
  jsonwebtoken: 'peer: jsonwebtoken `verify`, KeyObject per kid',
};

/** The main warm-path table; the attribution variants have their own. */
const MAIN_VARIANTS: readonly WarmVariant[] = [
  'floor',
  'awsJwtVerify',
  'oursMiss',
  'oursHit',
  'oursRefusedSignature',
  'oursRefusedMalformed',
  'jose',
  'jsonwebtoken',
];
const ATTRIBUTION_VARIANTS: readonly WarmVariant[] = [
  'oursMiss',
  'oursMissNoLog',
  'oursMissNoMetrics',
  'oursMissSilent',
];

export const fmtSummary = (s: Summary, format: (v: number) => string): string =>
  s.runs === 1 ? format(s.median) : `${format(s.median)} (${format(s.min)} – ${format(s.max)})`;

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const times = (v: number): string => `${v.toFixed(2)}×`;
const ms = (v: number): string => `${v.toFixed(1)} ms`;
const ms2 = (v: number): string => `${v.toFixed(2)} ms`;
const us = (v: number): string => `${v.toFixed(1)} µs`;
const rate = (v: number): string => `${formatCount(v)}/s`;
/** A difference of two measured costs: below 0.5 µs it is not told apart from run-to-run noise. */
const aboutUs = (v: number): string =>
  v < 0.5 ? `nothing measurable (${us(v)}, within the noise)` : `about ${us(v)}`;

function ratioSummary(
  result: WarmAlgorithmResult | undefined,
  numerator: WarmVariant,
  denominator: WarmVariant,
): Summary | undefined {
  const n = result?.samples[numerator];
  const d = result?.samples[denominator];
  if (n === undefined || d === undefined || n.length === 0) return undefined;
  return summarize(pairedRatios(n, d));
}

const byAlg = (
  warm: readonly WarmAlgorithmResult[] | undefined,
  alg: string,
): WarmAlgorithmResult | undefined => warm?.find((r) => r.alg === alg);

const coldTarget = (results: BenchResults, name: string): ColdResult | undefined =>
  results.cold?.targets.find((t) => t.name === name);

/** The budget table's lines, each with its measurement or the reason it is missing. */
export function budgetLines(results: BenchResults): BudgetLine[] {
  const rs = byAlg(results.warm, 'RS256');
  const es = byAlg(results.warm, 'ES256');
  const authorizer = coldTarget(results, COLD_TARGET_NAMES.authorizer);
  const withRevocation = coldTarget(results, COLD_TARGET_NAMES.authorizerExampleConfig);
  const firstFetches = rs?.checks?.jwksFetchesByFirstRequest;
  const measured: Record<BudgetId, Summary | undefined> = {
    warmRs256: ratioSummary(rs, 'oursMiss', 'floor'),
    warmEs256: ratioSummary(es, 'oursMiss', 'floor'),
    joseRs256: ratioSummary(rs, 'oursMiss', 'jose'),
    joseEs256: ratioSummary(es, 'oursMiss', 'jose'),
    cacheRs256: ratioSummary(rs, 'oursHit', 'oursMiss'),
    cacheEs256: ratioSummary(es, 'oursHit', 'oursMiss'),
    bundleSize: authorizer === undefined ? undefined : summarize([authorizer.bundleBytes]),
    coldStart:
      authorizer === undefined ? undefined : summarize(authorizer.samples.map((s) => s.loadedAboveEmptyMs)),
    coldStartExampleConfig:
      withRevocation === undefined
        ? undefined
        : summarize(withRevocation.samples.map((s) => s.loadedAboveEmptyMs)),
    firstRequestNoFetch: firstFetches === undefined ? undefined : summarize([firstFetches]),
  };
  const authorizerPending = results.pending.find((p) => p.section.startsWith('Authorizer'));
  return (Object.keys(BUDGET) as BudgetId[]).map((id) => ({
    item: BUDGET[id],
    measured: measured[id],
    ...(measured[id] === undefined
      ? { missing: authorizerPending?.reason ?? 'not measured in this run' }
      : {}),
  }));
}

function budgetSection(results: BenchResults): string {
  const rows = budgetLines(results).map((line) => [
    line.item.label,
    line.item.target,
    line.measured === undefined
      ? `— (${line.missing ?? 'not measured'})`
      : fmtSummary(line.measured, line.item.format),
    verdict(line),
  ]);
  return markdownTable(['Budget item', 'Target', 'Measured: median (min – max)', 'Status'], rows);
}

function warmSection(result: WarmAlgorithmResult): string {
  const floor = result.samples.floor;
  const rows = MAIN_VARIANTS.filter((v) => result.samples[v] !== undefined).map((v) => {
    const samples = result.samples[v]!;
    return [
      VARIANT_LABELS[v],
      fmtSummary(summarize(samples), rate),
      floor === undefined ? '—' : fmtSummary(summarize(pairedRatios(samples, floor)), pct),
    ];
  });
  const lines = [
    `#### ${result.alg}`,
    '',
    markdownTable(['Implementation', 'Decisions per CPU-second', 'Fraction of the floor (same run)'], rows),
  ];
  const vsJose = ratioSummary(result, 'oursMiss', 'jose');
  const vsJwt = ratioSummary(result, 'oursMiss', 'jsonwebtoken');
  const hit = ratioSummary(result, 'oursHit', 'oursMiss');
  const facts = [
    vsJose && `ours / jose = ${fmtSummary(vsJose, times)}`,
    vsJwt && `ours / jsonwebtoken = ${fmtSummary(vsJwt, times)}`,
    hit && `cache hit / miss = ${fmtSummary(hit, times)}`,
  ].filter((f): f is string => typeof f === 'string');
  if (facts.length > 0) lines.push('', `Ratios (paired per run): ${facts.join('; ')}.`);
  if (result.checks !== undefined) {
    const c = result.checks;
    lines.push(
      '',
      `Checks before timing: our policy's Allow and Deny resources ${c.samePolicyAsPeers ? 'equal' : '**differ from**'} the peers'; ` +
        `a token with one flipped signature bit is ${c.rejectsTamperedToken ? 'refused' : '**not refused**'}; ` +
        `signature verifications per decision: ${c.verificationsPerMiss.toFixed(2)} on the miss path, ${c.verificationsPerHit.toFixed(2)} on a cache hit; ` +
        `stdout per decision: ${c.linesPerDecision.toFixed(2)} lines, ${formatCount(c.bytesPerDecision)} bytes; ` +
        `JWKS requests during init: ${c.jwksFetchesDuringInit}, by the first request: ${c.jwksFetchesByFirstRequest}.`,
    );
  }
  return lines.join('\n');
}

/** Median over runs of the extra µs per decision of `slower` over `faster` (paired per run). */
function extraMicros(
  result: WarmAlgorithmResult | undefined,
  slower: WarmVariant,
  faster: WarmVariant,
): number | undefined {
  const s = result?.samples[slower];
  const f = result?.samples[faster];
  if (s === undefined || f === undefined || s.length !== f.length || s.length === 0) return undefined;
  return median(s.map((ops, i) => 1e6 / ops - 1e6 / f[i]!));
}

function attributionSection(results: BenchResults): string {
  const rows: string[][] = [];
  for (const r of results.warm ?? []) {
    for (const v of ATTRIBUTION_VARIANTS) {
      const fraction = ratioSummary(r, v, 'floor');
      const above = extraMicros(r, v, 'floor');
      if (fraction === undefined || above === undefined) continue;
      rows.push([
        `${r.alg}: ${VARIANT_LABELS[v]}`,
        fmtSummary(summarize(r.samples[v]!), rate),
        fmtSummary(fraction, pct),
        us(above),
      ]);
    }
  }
  if (rows.length === 0) return '_Pending: our authorizer was not measured in this run._';
  return markdownTable(
    [
      'Our handler, cache miss',
      'Decisions per CPU-second',
      'Fraction of the floor',
      'µs per decision above the floor',
    ],
    rows,
  );
}

/** Rows of the revocation table: a variant, the variant it is compared with, and the clock. */
const REVOCATION_ROWS: readonly { readonly variant: WarmVariant; readonly off: WarmVariant }[] = [
  { variant: 'oursMissRevocationCached', off: 'oursMiss' },
  { variant: 'oursHitRevocationCached', off: 'oursHit' },
  { variant: 'oursMissRevocationLookup', off: 'oursMiss' },
];

/** The warm path with the token revocation check on, next to it off (issue 7). */
export function revocationSection(results: BenchResults): string {
  const r = results.warm?.find((w) => REVOCATION_ROWS.some((row) => w.samples[row.variant] !== undefined));
  if (r === undefined) return '_Not measured in this run._';
  const rows: string[][] = [];
  const offRow = (v: WarmVariant): void => {
    const samples = r.samples[v];
    if (samples !== undefined)
      rows.push([`${VARIANT_LABELS[v]} (check off)`, fmtSummary(summarize(samples), rate), '100 %', '—']);
  };
  offRow('oursMiss');
  offRow('oursHit');
  for (const { variant, off } of REVOCATION_ROWS) {
    const fraction = ratioSummary(r, variant, off);
    const added = extraMicros(r, variant, off);
    if (fraction === undefined || added === undefined) continue;
    rows.push([
      VARIANT_LABELS[variant],
      fmtSummary(summarize(r.samples[variant]!), rate),
      fmtSummary(fraction, pct),
      us(added),
    ]);
  }
  const lines = [
    `#### ${r.alg}, per CPU-second`,
    '',
    markdownTable(
      [
        'Our handler',
        'Decisions per CPU-second',
        'Relative to the check off (same run)',
        'µs per decision added by the check',
      ],
      rows,
    ),
  ];
  const wall = r.revocationWall;
  if (wall !== undefined && wall.off.length > 0 && wall.off.length === wall.dynalite.length) {
    const added = median(wall.dynalite.map((ops, i) => 1e6 / ops - 1e6 / wall.off[i]!));
    lines.push(
      '',
      `#### ${r.alg}, against dynalite, per wall-clock second`,
      '',
      markdownTable(
        [
          'Our handler, decision-cache miss',
          'Decisions per wall-clock second',
          'Relative to the check off (same run)',
          'µs per decision added by the check',
        ],
        [
          ['check off', fmtSummary(summarize(wall.off), rate), '100 %', '—'],
          [
            'check on, one BatchGetItem against dynalite on every decision (`cacheStalenessSeconds` 0)',
            fmtSummary(summarize(wall.dynalite), rate),
            fmtSummary(summarize(pairedRatios(wall.dynalite, wall.off)), pct),
            us(added),
          ],
        ],
      ),
    );
  }
  const c = r.revocationChecks;
  if (c !== undefined) {
    lines.push(
      '',
      `Checks before timing: a token whose \`jti\` is revoked in the store is ${c.revokedTokenRefused ? 'refused by every variant' : '**not refused**'}; ` +
        `store lookups per decision: ${c.lookupsPerDecisionCached.toFixed(2)} with the cache answering, ${c.lookupsPerDecisionUncached.toFixed(2)} with \`cacheStalenessSeconds\` 0, ` +
        `${c.keysPerLookup.toFixed(0)} keys per lookup (jti, sub, issuer + sub, client); ${formatCount(c.itemsInTable)} revocation items in the table.`,
    );
  }
  return lines.join('\n');
}

/** Prose: where the time of one decision goes, from the figures of this run. */
export function readingSection(results: BenchResults): string {
  const out: string[] = [];
  for (const r of results.warm ?? []) {
    const floorOps = r.samples.floor;
    const oursAbove = extraMicros(r, 'oursMiss', 'floor');
    if (floorOps === undefined || oursAbove === undefined) continue;
    const parts = [
      `**${r.alg}**: the signature check itself costs ${us(1e6 / median(floorOps))} per decision; our handler adds ${us(oursAbove)} on top`,
    ];
    const logging = extraMicros(r, 'oursMiss', 'oursMissNoLog');
    const metrics = extraMicros(r, 'oursMiss', 'oursMissNoMetrics');
    const both = extraMicros(r, 'oursMiss', 'oursMissSilent');
    if (logging !== undefined && metrics !== undefined && both !== undefined) {
      parts.push(
        `the log line (one JSON line in Powertools Logger's format, written by lambdas/shared/logging/json-logger.ts) accounts for ${aboutUs(logging)}, ` +
          `the decision metric (an EMF document in Powertools Metrics' format, lambdas/shared/logging/emf-metrics.ts, aggregated and published at most once a second) for ${aboutUs(metrics)}, both together ${aboutUs(both)}`,
      );
    }
    const silentAbove = extraMicros(r, 'oursMissSilent', 'floor');
    const libAbove = extraMicros(r, 'awsJwtVerify', 'floor');
    if (silentAbove !== undefined && libAbove !== undefined) {
      parts.push(
        `without logging and metrics the handler adds ${us(silentAbove)}, against ${us(libAbove)} for ` +
          `aws-jwt-verify's \`verifySync\` alone (its JWT decomposition with reviver-based prototype-safe JSON parsing, ` +
          `\`createVerify\` stream, claim checks). The handler runs the library's decomposition, signature and claim checks too, ` +
          `and adds event parsing, Bearer extraction, the token hash of the ` +
          `decision cache, the extra RFC 8725 checks, claims to roles, route match, policy and context, and the async handler`,
      );
    }
    const joseAbove = extraMicros(r, 'jose', 'floor');
    const jwtAbove = extraMicros(r, 'jsonwebtoken', 'floor');
    if (joseAbove !== undefined && jwtAbove !== undefined) {
      parts.push(
        `for comparison, the jose peer adds ${us(joseAbove)} (it verifies through WebCrypto, \`crypto.subtle.verify\`) ` +
          `and the jsonwebtoken peer ${us(jwtAbove)} (fewer checks than ours, no log line, no metric)`,
      );
    }
    const hitOps = r.samples.oursHit;
    if (hitOps !== undefined && hitOps.length > 0) {
      parts.push(
        `a decision-cache hit costs ${us(1e6 / median(hitOps))} (event and method ARN, SHA-256 of the token, ` +
          `cache lookup, cached route and policy, log line, metric)`,
      );
    }
    out.push(`- ${parts.join('; ')}.`);
    const joseFraction = ratioSummary(r, 'jose', 'floor');
    const vsJose = ratioSummary(r, 'oursMiss', 'jose');
    const libFraction = ratioSummary(r, 'awsJwtVerify', 'floor');
    if (
      joseFraction !== undefined &&
      vsJose !== undefined &&
      libFraction !== undefined &&
      vsJose.median < 3
    ) {
      out.push(
        `- **${r.alg} against jose**: the jose peer reaches ${pct(joseFraction.median)} of the floor in this run, ` +
          `so 3× jose would take our whole handler to ${pct(3 * joseFraction.median)} of the floor; ` +
          `aws-jwt-verify's \`verifySync\` alone, without Bearer parsing, our extra checks, policy, log line and metric, ` +
          `reaches ${pct(libFraction.median)}.`,
      );
    }
  }
  const cold = coldTarget(results, COLD_TARGET_NAMES.authorizer);
  if (cold !== undefined && cold.samples.length > 0) {
    const samples = cold.samples;
    const med = (f: (x: ColdSample) => number): number => median(samples.map(f));
    const biggest = cold.byPackage[0];
    out.push(
      `- **Cold start**: of ${ms(med((x) => x.aboveEmptyMs))} above an empty Node start until ready, \`require\` of the ` +
        `${(cold.bundleBytes / 1024).toFixed(0)} KB bundle (compiling it, building the config schema, parsing ` +
        `AUTH_CONFIG, constructing the handler, loading Node built-ins) takes ${ms(med((x) => x.requireMs))} and ` +
        `the JWKS pre-load (\`ready()\`, one HTTP fetch from 127.0.0.1) ${ms(med((x) => x.readyMs))}` +
        (biggest === undefined
          ? '.'
          : `; the largest part of the bundle is ${biggest.name} (${(biggest.bytes / 1024).toFixed(0)} KB).`),
    );
  }
  if (out.length === 0) return '_Pending: our authorizer was not measured in this run._';
  return [
    ...out,
    '',
    'Figures are medians of per-run differences in µs per decision (1/throughput), so they add up only approximately.',
  ].join('\n');
}

function coldSection(results: BenchResults): string {
  const cold = results.cold;
  if (cold === undefined) return '_Not measured in this run._';
  const rows = cold.targets.map((t) => [
    t.name,
    `${(t.bundleBytes / 1024).toFixed(1)} KB`,
    fmtSummary(summarize(t.samples.map((s) => s.loadedAboveEmptyMs)), ms),
    fmtSummary(summarize(t.samples.map((s) => s.aboveEmptyMs)), ms),
    fmtSummary(summarize(t.samples.map((s) => s.cpuAboveEmptyMs)), ms),
    fmtSummary(summarize(t.samples.map((s) => s.requireMs)), ms),
    fmtSummary(summarize(t.samples.map((s) => s.readyMs)), ms),
    t.timedFirstDecision ? fmtSummary(summarize(t.samples.map((s) => s.firstDecisionMs)), ms) : '—',
  ]);
  return [
    markdownTable(
      [
        'Bundle',
        'Minified size',
        'Load + build, above empty Node',
        'Load + build + JWKS pre-load, above empty Node',
        'Same, CPU time',
        '`require` (in process)',
        '`ready()` after require',
        'First decision',
      ],
      rows,
    ),
    '',
    ...cold.targets.map(
      (t) =>
        `- ${t.name}, largest parts: ${t.byPackage.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(1)} KB`).join(', ')}`,
    ),
    '',
    `Empty Node start (spawn to first line of an empty script): ${fmtSummary(summarize(cold.emptyNodeMs), ms)} (${cold.emptyNodeMs.length} starts). ` +
      `Bundles are built as the stack builds them (esbuild, minified, CJS, node24, AWS SDK external); the external SDK resolves from node_modules.`,
  ].join('\n');
}

function rateTable(rows: readonly RateRow[], unit: string): string {
  return markdownTable(
    ['Measured', unit, 'Fraction of the floor (same run)'],
    rows.map((r) => [
      r.label,
      fmtSummary(summarize(r.samples), rate),
      r.floor === undefined ? '—' : fmtSummary(summarize(pairedRatios(r.samples, r.floor)), pct),
    ]),
  );
}

function guardSection(results: BenchResults): string {
  const g = results.guard;
  if (g === undefined) return '_Pending (see below)._';
  const rows = g.nonceStore === undefined ? g.rows : [...g.rows, g.nonceStore];
  return [
    rateTable(rows, 'Operations per CPU-second (nonce row: per wall-clock second)'),
    ...g.notes.map((n) => `\n${n}`),
  ].join('\n');
}

function gatewaySection(results: BenchResults): string {
  const g = results.gateway;
  if (g === undefined) return '_Pending (see below)._';
  const row = (label: string, s: readonly HttpLoadSample[]): string[] => [
    label,
    fmtSummary(summarize(s.map((x) => x.requestsPerSecond)), rate),
    fmtSummary(summarize(s.map((x) => x.meanMs)), ms2),
    fmtSummary(summarize(s.map((x) => x.p50Ms)), ms2),
    fmtSummary(summarize(s.map((x) => x.p99Ms)), ms2),
    formatCount(s.reduce((sum, x) => sum + x.non2xx, 0)),
  ];
  const overhead = summarize(
    pairedRatios(
      g.bare.map((b) => b.requestsPerSecond),
      g.gateway.map((x) => x.requestsPerSecond),
    ),
  );
  return [
    `${g.connections} concurrent connections, ${g.durationSeconds} s per run, route \`${g.route}\`.`,
    '',
    markdownTable(
      ['Server', 'Requests per second', 'mean latency', 'p50 latency', 'p99 latency', 'non-2xx or errors'],
      [row('local gateway (authorized route)', g.gateway), row('bare node:http, same body', g.bare)],
    ),
    '',
    `Gateway overhead: bare / gateway throughput = ${fmtSummary(overhead, times)}. Latencies are autocannon's per-response times (fractional ms), not its whole-ms histogram.`,
    ...g.notes.map((n) => `\n${n}`),
  ].join('\n');
}

export function renderReport(results: BenchResults): string {
  const m = results.machine;
  const out = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run.ts); do not edit by hand. Method and caveats: docs/bench.md.',
    '',
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; 1-min load average at start ${m.loadAverage.toFixed(2)}`,
    `- Node ${m.node}; run ${m.date}; profile \`${results.profile}\`, ${results.runs} runs per figure; took ${results.elapsedSeconds.toFixed(0)} s`,
    '- Every figure is median (min – max) over the runs; ratios are paired run by run (both sides measured in the same round, interleaved in short turns).',
    '- In-process throughput is per CPU-second of the measuring process (user + system), so time lost to other processes on a shared machine is not counted; on an idle machine it equals wall-clock throughput. Cold starts and the gateway load test are wall-clock.',
    '',
    ...(results.profile === 'smoke'
      ? [
          '**Smoke profile**: tiny counts to keep the bench from rotting; these figures and verdicts mean nothing.',
          '',
        ]
      : []),
    '## Budget',
    '',
    budgetSection(results),
    '',
    '## 1–2. Authorizer warm path and decision cache',
    '',
    ...(results.warm === undefined
      ? ['_Pending (see below)._']
      : results.warm.map((r) => `${warmSection(r)}\n`)),
    '',
    '### Token revocation check',
    '',
    'The check (`auth.revocation`, lambdas/authorizer/revocation-check.ts) runs after the signature on every ' +
      'decision, decision-cache hits included. "Answered by its in-Lambda cache": every key of the token pool was ' +
      'looked up once before timing (`cacheStalenessSeconds` 300), as in a Lambda that keeps seeing the same callers. ' +
      '"Store lookup on every decision": `cacheStalenessSeconds` 0; in memory it shows our own cost of the check, ' +
      'against dynalite (an in-process JavaScript emulation reached through the AWS SDK over HTTP) the cost of a ' +
      'BatchGetItem round trip on this machine. A real DynamoDB round trip from Lambda typically takes a few ms.',
    '',
    revocationSection(results),
    '',
    '### Where the time goes',
    '',
    attributionSection(results),
    '',
    readingSection(results),
    '',
    '## 3. Cold start',
    '',
    coldSection(results),
    '',
    '## 4. Request guard',
    '',
    guardSection(results),
    '',
    '## 5. Local gateway',
    '',
    gatewaySection(results),
  ];
  if (results.pending.length > 0) {
    out.push('', '## Pending sections', '', ...results.pending.map((p) => `- **${p.section}**: ${p.reason}`));
  }
  return `${out.join('\n')}\n`;
}
