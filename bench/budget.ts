import type { Summary } from './stats';

/**
 * The performance budget of issue 6 ("Benchmarks and performance budget"), as data: what each
 * figure must reach. The report puts the measured value next to it; nothing here measures.
 */
export interface BudgetItem {
  readonly id: string;
  /** What is measured, for the table. */
  readonly label: string;
  /** The target, for the table, e.g. "≥ 45 %". */
  readonly target: string;
  /** Whether a measured median meets the target. */
  readonly isMet: (median: number) => boolean;
  /** How to print a measured value. */
  readonly format: (value: number) => string;
}

const percent = (v: number): string => `${(v * 100).toFixed(1)} %`;
const times = (v: number): string => `${v.toFixed(2)}×`;
const kib = (v: number): string => `${(v / 1024).toFixed(1)} KB`;
const ms = (v: number): string => `${v.toFixed(1)} ms`;

export const BUDGET = {
  warmRs256: {
    id: 'warmRs256',
    label: 'Warm authorizer RS256 (whole handler, log line included) as a fraction of the raw-crypto floor',
    target: '≥ 45 %',
    isMet: (m) => m >= 0.45,
    format: percent,
  },
  warmEs256: {
    id: 'warmEs256',
    label: 'Warm authorizer ES256 as a fraction of the raw-crypto floor',
    target: '≥ 65 %',
    isMet: (m) => m >= 0.65,
    format: percent,
  },
  joseRs256: {
    id: 'joseRs256',
    label: 'Ours vs the jose-based authorizer, RS256',
    target: '≥ 3×',
    isMet: (m) => m >= 3,
    format: times,
  },
  joseEs256: {
    id: 'joseEs256',
    label: 'Ours vs the jose-based authorizer, ES256',
    target: '≥ 3×',
    isMet: (m) => m >= 3,
    format: times,
  },
  cacheRs256: {
    id: 'cacheRs256',
    label: 'Decision-cache hit vs miss, RS256',
    target: '≥ 10×',
    isMet: (m) => m >= 10,
    format: times,
  },
  cacheEs256: {
    id: 'cacheEs256',
    label: 'Decision-cache hit vs miss, ES256',
    target: '≥ 10×',
    isMet: (m) => m >= 10,
    format: times,
  },
  bundleSize: {
    id: 'bundleSize',
    label: 'Authorizer bundle, minified, AWS SDK external',
    target: '< 150 KB',
    isMet: (m) => m < 150 * 1024,
    format: kib,
  },
  coldStart: {
    id: 'coldStart',
    label:
      'Authorizer module load + handler construction, above an empty Node start (wall; JWKS pre-load listed apart)',
    target: '< 30 ms',
    isMet: (m) => m < 30,
    format: ms,
  },
  coldStartExampleConfig: {
    id: 'coldStartExampleConfig',
    label: 'The same with the example config (auth.revocation on: the AWS SDK DynamoDB client loads at init)',
    target: '< 30 ms',
    isMet: (m) => m < 30,
    format: ms,
  },
  firstRequestNoFetch: {
    id: 'firstRequestNoFetch',
    label: 'JWKS requests made by the first request after init',
    target: '0',
    isMet: (m) => m === 0,
    format: (v) => v.toFixed(0),
  },
} as const satisfies Record<string, BudgetItem>;

export type BudgetId = keyof typeof BUDGET;

/** A budget item with its measurement (or the reason there is none). */
export interface BudgetLine {
  readonly item: BudgetItem;
  readonly measured: Summary | undefined;
  /** Why there is no measurement, e.g. "pending: lambdas/authorizer/handler.ts not present". */
  readonly missing?: string;
}

export type BudgetVerdict = 'met' | 'NOT MET' | 'pending';

export function verdict(line: BudgetLine): BudgetVerdict {
  if (line.measured === undefined) return 'pending';
  return line.item.isMet(line.measured.median) ? 'met' : 'NOT MET';
}
