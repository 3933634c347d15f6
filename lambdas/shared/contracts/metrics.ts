/**
 * CloudWatch metric names shared by the Lambdas that emit them (EMF) and the stack that builds
 * alarms and the dashboard on them. Change a name here and both sides follow.
 */

/** Namespace of every custom metric of the edge. */
export const METRICS_NAMESPACE = 'ApiSecurityEdge';

/** Powertools' `service` dimension on every metric the authorizer emits. */
export const AUTHORIZER_SERVICE_NAME = 'authorizer';

/** One authorizer decision (count 1 per decision), with dimensions {@link DECISION_DIMENSIONS}. */
export const AUTHORIZER_DECISION_METRIC = 'AuthorizerDecision';

/** Dimensions of {@link AUTHORIZER_DECISION_METRIC}. */
export const DECISION_DIMENSIONS = {
  /** `allow`, `deny` (403) or `unauthorized` (401); `error` for a fail-closed internal failure. */
  outcome: 'outcome',
  /** Reason code, e.g. `ok`, `expired`, `bad_signature`, `unknown_kid`, `no_matching_rule`. */
  reason: 'reason',
} as const;

/** Outcomes of an authorizer decision, the values of the `outcome` dimension. */
export const DECISION_OUTCOMES = ['allow', 'deny', 'unauthorized', 'error'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/**
 * The decisions that mean the authorizer itself is failing, not a caller: the fail-closed errors
 * (`outcome: error`: an internal error, or the revocation store or client registry unreadable) and
 * an unreachable JWKS (`jwks_unavailable`, a 401 for tokens signed with keys it could not fetch).
 * The stack alarms on their sum; the authorizer publishes their counts at once, not aggregated.
 */
export const AUTHORIZER_FAILURE_DECISIONS: readonly {
  readonly outcome: DecisionOutcome;
  readonly reason: string;
}[] = [
  { outcome: 'error', reason: 'internal_error' },
  { outcome: 'error', reason: 'revocation_unavailable' },
  { outcome: 'error', reason: 'client_registry_unavailable' },
  { outcome: 'unauthorized', reason: 'jwks_unavailable' },
];

/** `outcome|reason` of each of {@link AUTHORIZER_FAILURE_DECISIONS}: one Set lookup per decision. */
const FAILURE_KEYS: ReadonlySet<string> = new Set(
  AUTHORIZER_FAILURE_DECISIONS.map(({ outcome, reason }) => decisionKey(outcome, reason)),
);

/** The key a decision is counted under: `outcome|reason`. */
export function decisionKey(outcome: string, reason: string): string {
  return `${outcome}|${reason}`;
}

/** Whether a decision, by its {@link decisionKey}, is one of {@link AUTHORIZER_FAILURE_DECISIONS}. */
export function isAuthorizerFailure(key: string): boolean {
  return FAILURE_KEYS.has(key);
}

/** Count of 429 responses, from a metric filter on the access log (API Gateway has no such metric). */
export const THROTTLED_REQUESTS_METRIC = 'ThrottledRequests';

/**
 * One token accepted although the revocation store could not be read, under the loudly named
 * `onStoreError: "ALLOW_ON_STORE_ERROR_INSECURE"` opt-in (count 1 per event). Alarm on any value.
 */
export const REVOCATION_STORE_ERROR_ACCEPTED_METRIC = 'RevocationStoreErrorAccepted';
