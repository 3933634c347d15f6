import { JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { silentLogger, silentMetrics } from '../lambdas/shared/logging/powertools';
import { parseAuthorizerConfig } from '../lambdas/shared/config/parse-authorizer-config';
import { benchAuthorizerConfig, tokenEvent, type TokenEvent } from './bench-config';
import { createFloorVerifier } from './floor';
import { startJwksServer } from './jwks-server';
import {
  BENCH_ALGORITHMS,
  BENCH_CLAIMS,
  fixtureJwks,
  type BenchAlgorithm,
  type JwtFixture,
} from './jwt-fixture';
import { buildOurAuthorizer, ourAuthorizerExists, type OurAuthorizerHandler } from './our-authorizer';
import { createJoseAuthorizer, type PeerAuthorizer } from './peers/jose-authorizer';
import { createJsonwebtokenAuthorizer } from './peers/jsonwebtoken-authorizer';
import { peerOptionsFromAuthConfig } from './peers/peer-options';
import {
  setUpRevocationVariants,
  type RevocationChecks,
  type RevocationVariants,
} from './revocation-variants';
import { discardStdout, type StdoutSink } from './stdout-sink';
import { measure, measureInterleaved, type Budget, type Measured } from './throughput';
import { countVerifications } from './verify-counter';

/**
 * Warm authorizer path, measured inside one process: the floor, our handler (cache miss, cache
 * hit, two refusals, and the miss path with logging and/or metrics switched off for attribution), the
 * aws-jwt-verify library alone, and the jose and jsonwebtoken peers — interleaved in short turns
 * within every run, so that ratios compare figures taken moments apart. For the first algorithm
 * (RS256) also our handler with the revocation check on (bench/revocation-variants.ts): its
 * in-Lambda cache answering, and a store lookup on every decision (in memory; and against dynalite,
 * per wall-clock second, paired with the check off measured the same way).
 */

export const WARM_VARIANTS = [
  'floor',
  'awsJwtVerify',
  'oursMiss',
  'oursHit',
  'oursRefusedSignature',
  'oursRefusedMalformed',
  'oursMissNoLog',
  'oursMissNoMetrics',
  'oursMissSilent',
  'oursMissRevocationCached',
  'oursHitRevocationCached',
  'oursMissRevocationLookup',
  'jose',
  'jsonwebtoken',
] as const;
export type WarmVariant = (typeof WARM_VARIANTS)[number];

export interface WarmOptions {
  readonly fixture: JwtFixture;
  readonly runs: number;
  /** CPU time per variant per run, and a call cap. */
  readonly budget: Budget;
  /** Turns per run (each variant gets budget.maxMs / slices per turn). */
  readonly slices: number;
}

/** Facts checked once per algorithm before the clock starts. */
export interface WarmChecks {
  /** stdout lines (log + EMF) our handler writes per decision. */
  readonly linesPerDecision: number;
  /** stdout bytes our handler writes per decision. */
  readonly bytesPerDecision: number;
  /** JWKS requests made while the handler was built and `ready()` awaited. */
  readonly jwksFetchesDuringInit: number;
  /** JWKS requests made by the first decision (the budget says none). */
  readonly jwksFetchesByFirstRequest: number;
  /** Our policy's Allow and Deny resources equal the peers' (they do the same job). */
  readonly samePolicyAsPeers: boolean;
  /** A token with one flipped signature bit is refused (the handler really verifies). */
  readonly rejectsTamperedToken: boolean;
  /** node:crypto signature verifications per decision on the miss path (must be 1). */
  readonly verificationsPerMiss: number;
  /** node:crypto signature verifications per decision on the cache-hit path (should be 0). */
  readonly verificationsPerHit: number;
}

/** The miss path with and without a dynalite lookup per decision, per wall-clock second, per run. */
export interface RevocationWallSamples {
  /** Check off (our deployed handler), measured interleaved with `dynalite`. */
  readonly off: number[];
  /** Check on, `cacheStalenessSeconds` 0: one BatchGetItem against dynalite per decision. */
  readonly dynalite: number[];
}

export interface WarmAlgorithmResult {
  readonly alg: BenchAlgorithm;
  /** Decisions per CPU-second per run, per variant; run i of every variant was measured together. */
  readonly samples: Partial<Record<WarmVariant, number[]>>;
  readonly checks: WarmChecks | undefined;
  /** Revocation check on, against dynalite (first algorithm only). */
  readonly revocationWall?: RevocationWallSamples;
  readonly revocationChecks?: RevocationChecks;
}

function tamper(token: string): string {
  const lastDot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
  signature[signature.length - 1]! ^= 0x01;
  return `${token.slice(0, lastDot + 1)}${signature.toString('base64url')}`;
}

/** `Allow arn…` / `Deny arn…` lines of a policy, sorted: what two policies must agree on. */
const policyLines = (policy: unknown): string[] => {
  const statements = (policy as { policyDocument?: { Statement?: unknown } }).policyDocument?.Statement;
  if (!Array.isArray(statements)) return [];
  return (statements as { Effect?: unknown; Resource?: unknown }[])
    .flatMap((s) => {
      const resources = Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource];
      return resources.map((r) => `${String(s.Effect)} ${String(r)}`);
    })
    .sort();
};

async function rejects(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return false;
  } catch (error) {
    return error instanceof Error && error.message === 'Unauthorized';
  }
}

/**
 * Our handler as deployed (twice: the miss path and the hit path each get an instance), and with
 * logging and/or metrics replaced by silent sinks.
 */
interface Ours {
  readonly deployed: OurAuthorizerHandler;
  /** The same configuration in a second instance, for the cache-hit path only. */
  readonly deployedForHits: OurAuthorizerHandler;
  readonly noLog: OurAuthorizerHandler;
  readonly noMetrics: OurAuthorizerHandler;
  readonly silent: OurAuthorizerHandler;
  /** The JWKS endpoint every instance fetched from (127.0.0.1). */
  readonly jwksUri: string;
  checks(alg: BenchAlgorithm, tokens: readonly string[], peer: PeerAuthorizer): Promise<WarmChecks>;
  close(): Promise<void>;
}

async function setUpOurs(fixture: JwtFixture, sink: StdoutSink): Promise<Ours> {
  const server = await startJwksServer(fixtureJwks(fixture));
  const input = benchAuthorizerConfig(server.jwksUri);
  // The handler module builds its module-level handler from AUTH_CONFIG when imported.
  process.env.AUTH_CONFIG = JSON.stringify(input);
  const config = parseAuthorizerConfig(input, 'bench config');
  let fetchesBefore = 0;
  const deployed = await buildOurAuthorizer(config, {
    beforeBuild: () => {
      fetchesBefore = server.fetches();
    },
  });
  const jwksFetchesDuringInit = server.fetches() - fetchesBefore;
  // The hit path gets its own instance: the miss path's token stream would evict the hit token.
  const deployedForHits = await buildOurAuthorizer(config);
  const noLog = await buildOurAuthorizer(config, { deps: { logger: silentLogger } });
  const noMetrics = await buildOurAuthorizer(config, { deps: { metrics: silentMetrics } });
  const silent = await buildOurAuthorizer(config, { deps: { logger: silentLogger, metrics: silentMetrics } });
  let firstRequestChecked = false;
  return {
    deployed,
    deployedForHits,
    noLog,
    noMetrics,
    silent,
    jwksUri: server.jwksUri,
    close: () => server.close(),
    checks: async (alg, tokens, peer) => {
      const before = server.fetches();
      const policy = await deployed(tokenEvent(tokens[0]!));
      const jwksFetchesByFirstRequest = firstRequestChecked ? 0 : server.fetches() - before;
      firstRequestChecked = true;
      const samePolicyAsPeers =
        JSON.stringify(policyLines(policy)) ===
        JSON.stringify(policyLines(await peer(tokenEvent(tokens[0]!))));
      const rejectsTamperedToken = await rejects(() => deployed(tokenEvent(tamper(tokens[1]!))));
      const sample = Math.min(64, tokens.length - 2);
      let missVerifications = 0;
      let hitVerifications = 0;
      const written = await sink.count(async () => {
        missVerifications = await countVerifications(async () => {
          for (let i = 2; i < 2 + sample; i++) await deployed(tokenEvent(tokens[i]!));
        });
        hitVerifications = await countVerifications(async () => {
          for (let i = 0; i < sample; i++) await deployed(tokenEvent(tokens[2]!));
        });
      });
      return {
        linesPerDecision: written.lines / (2 * sample),
        bytesPerDecision: written.bytes / (2 * sample),
        jwksFetchesDuringInit: alg === BENCH_ALGORITHMS[0] ? jwksFetchesDuringInit : 0,
        jwksFetchesByFirstRequest,
        samePolicyAsPeers,
        rejectsTamperedToken,
        verificationsPerMiss: missVerifications / sample,
        verificationsPerHit: hitVerifications / sample,
      };
    },
  };
}

/** Runs the warm-path measurements for both algorithms. Replaces process.stdout while it runs. */
export async function measureWarmPath(options: WarmOptions): Promise<WarmAlgorithmResult[]> {
  const { fixture } = options;
  const sink = discardStdout();
  const ours = ourAuthorizerExists() ? await setUpOurs(fixture, sink) : undefined;
  let revocation: RevocationVariants | undefined;
  try {
    if (ours !== undefined) {
      const config = parseAuthorizerConfig(benchAuthorizerConfig(ours.jwksUri), 'bench config');
      revocation = await setUpRevocationVariants(fixture, BENCH_ALGORITHMS[0], config);
    }
    const jwks = fixtureJwks(fixture);
    const peerOptions = peerOptionsFromAuthConfig(benchAuthorizerConfig('http://127.0.0.1:9/unused'));
    const jose = await createJoseAuthorizer(peerOptions, jwks);
    const jsonwebtoken = createJsonwebtokenAuthorizer(peerOptions, jwks);
    const awsJwtVerify = JwtVerifier.create({
      issuer: BENCH_CLAIMS.issuer,
      audience: BENCH_CLAIMS.audience,
      jwksUri: 'http://127.0.0.1:9/unused',
    });
    awsJwtVerify.cacheJwks(jwks as Jwks);

    const results: WarmAlgorithmResult[] = [];
    for (const alg of BENCH_ALGORITHMS) {
      const tokens = fixture.tokens[alg];
      const events = tokens.map((t) => tokenEvent(t));
      const next = (i: number): ReturnType<typeof tokenEvent> => events[i % events.length]!;
      const hitEvent = events[0]!;
      const floor = createFloorVerifier(alg, fixture.keys[alg].publicJwk, tokens);
      const miss = (handler: OurAuthorizerHandler): Measured => ({
        kind: 'async',
        call: (i) => handler(next(i)),
      });
      const hit = (handler: OurAuthorizerHandler): Measured => ({
        kind: 'async',
        call: () => handler(hitEvent),
      });
      // Refusals (401), distinct tokens: a flipped signature bit (the signature check runs and
      // fails), and a header that is not JSON (refused before any signature check).
      const tamperedEvents = tokens.map((t) => tokenEvent(tamper(t)));
      const malformedEvents = tokens.map((t) => tokenEvent(`x${t.slice(1)}`));
      const refused = (handler: OurAuthorizerHandler, pool: readonly TokenEvent[]): Measured => ({
        kind: 'async',
        call: (i) =>
          handler(pool[i % pool.length]!).then(
            () => {
              throw new Error('a refusal variant was allowed: the bench tokens are not what it assumes');
            },
            (error: unknown) => {
              // A refusal is exactly `Unauthorized` (401); anything else is a bench or handler bug.
              if (!(error instanceof Error) || error.message !== 'Unauthorized') throw error;
            },
          ),
      });
      const withRevocation = alg === BENCH_ALGORITHMS[0] ? revocation : undefined;
      const measured: Partial<Record<WarmVariant, Measured>> = {
        floor: { kind: 'sync', call: floor },
        awsJwtVerify: { kind: 'sync', call: (i) => awsJwtVerify.verifySync(tokens[i % tokens.length]!) },
        jose: { kind: 'async', call: (i) => jose(next(i)) },
        jsonwebtoken: { kind: 'async', call: (i) => jsonwebtoken(next(i)) },
        ...(ours === undefined
          ? {}
          : {
              oursMiss: miss(ours.deployed),
              oursHit: hit(ours.deployedForHits),
              oursRefusedSignature: refused(ours.deployed, tamperedEvents),
              oursRefusedMalformed: refused(ours.deployed, malformedEvents),
              oursMissNoLog: miss(ours.noLog),
              oursMissNoMetrics: miss(ours.noMetrics),
              oursMissSilent: miss(ours.silent),
            }),
        ...(withRevocation === undefined
          ? {}
          : {
              oursMissRevocationCached: miss(withRevocation.cached),
              oursHitRevocationCached: hit(withRevocation.cached),
              oursMissRevocationLookup: miss(withRevocation.lookupMemory),
            }),
      };
      const variants = WARM_VARIANTS.filter((v) => measured[v] !== undefined);
      const checks = ours === undefined ? undefined : await ours.checks(alg, tokens, jose);
      // Warm-up: let the JIT settle every code path before anything is recorded.
      for (const v of variants)
        await measure(measured[v]!, { ...options.budget, maxMs: options.budget.maxMs / 2 });
      const samples: Partial<Record<WarmVariant, number[]>> = {};
      for (let run = 0; run < options.runs; run++) {
        const ops = await measureInterleaved(
          variants.map((v) => measured[v]!),
          options.budget,
          options.slices,
        );
        variants.forEach((v, k) => (samples[v] ??= []).push(ops[k]!));
      }
      const revocationWall =
        withRevocation === undefined || ours === undefined
          ? undefined
          : await measureRevocationWall([miss(ours.deployed), miss(withRevocation.lookupDynalite)], options);
      results.push({
        alg,
        samples,
        checks,
        ...(revocationWall === undefined ? {} : { revocationWall }),
        ...(withRevocation === undefined ? {} : { revocationChecks: withRevocation.checks }),
      });
    }
    return results;
  } finally {
    sink.restore();
    await revocation?.close();
    await ours?.close();
  }
}

/** The check off and a dynalite lookup per decision, interleaved, per wall-clock second. */
async function measureRevocationWall(
  [off, dynalite]: [Measured, Measured],
  options: WarmOptions,
): Promise<RevocationWallSamples> {
  await measureInterleaved(
    [off, dynalite],
    { ...options.budget, maxMs: options.budget.maxMs / 2 },
    2,
    'wall',
  );
  const result: RevocationWallSamples = { off: [], dynalite: [] };
  for (let run = 0; run < options.runs; run++) {
    const [offOps, dynaliteOps] = await measureInterleaved(
      [off, dynalite],
      options.budget,
      options.slices,
      'wall',
    );
    result.off.push(offOps!);
    result.dynalite.push(dynaliteOps!);
  }
  return result;
}
