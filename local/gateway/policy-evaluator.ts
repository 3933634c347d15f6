/**
 * Evaluates the IAM policy a Lambda authorizer returned against a method ARN, the way API Gateway
 * does for every request (also for a policy served from its authorizer cache):
 *
 * - an explicit `Deny` whose Action and Resource match wins over everything;
 * - otherwise an `Allow` whose Action and Resource match allows;
 * - otherwise the request is denied (no matching Allow → 403).
 *
 * Resource patterns: `*` matches any run of characters **including `/`**, `?` exactly one
 * character; the rest compares case-sensitively. Action patterns compare case-insensitively
 * (`execute-api:Invoke`, `execute-api:*`, `*`). `Action`/`Resource` may be a string or an array;
 * `NotAction`/`NotResource` invert the match. A policy that does not have this shape is `invalid`
 * (API Gateway answers 500 for it).
 */

export type PolicyDecision = 'allow' | 'deny' | 'invalid';

const INVOKE_ACTION = 'execute-api:invoke';

/** IAM wildcard match: `*` any characters (including `/`), `?` exactly one. Greedy with one backtrack point. */
export function iamWildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < value.length) {
    const pc = pattern.charAt(p);
    if (pc === '*') {
      starP = p++;
      starV = v;
    } else if (pc !== '' && (pc === '?' || pc === value.charAt(v))) {
      p++;
      v++;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (pattern.charAt(p) === '*') p++;
  return p === pattern.length;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string or a non-empty array of strings, as IAM allows; `undefined` for anything else. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return value;
  }
  return undefined;
}

interface ParsedStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly matches: (methodArn: string) => boolean;
}

function parseStatement(statement: unknown): ParsedStatement | undefined {
  if (!isRecord(statement)) return undefined;
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') return undefined;
  if ('Condition' in statement) return undefined; // not supported by API Gateway authorizer policies
  const hasAction = 'Action' in statement;
  const hasNotAction = 'NotAction' in statement;
  const hasResource = 'Resource' in statement;
  const hasNotResource = 'NotResource' in statement;
  if (hasAction === hasNotAction || hasResource === hasNotResource) return undefined;
  const actions = stringList(hasAction ? statement.Action : statement.NotAction);
  const resources = stringList(hasResource ? statement.Resource : statement.NotResource);
  if (actions === undefined || resources === undefined) return undefined;
  const actionMatches = actions.some((a) => iamWildcardMatch(a.toLowerCase(), INVOKE_ACTION));
  const actionApplies = hasAction ? actionMatches : !actionMatches;
  return {
    effect,
    matches: (methodArn) => {
      if (!actionApplies) return false;
      const resourceMatches = resources.some((r) => iamWildcardMatch(r, methodArn));
      return hasResource ? resourceMatches : !resourceMatches;
    },
  };
}

/** Evaluates an authorizer policy document against a method ARN. */
export function evaluatePolicy(policyDocument: unknown, methodArn: string): PolicyDecision {
  if (!isRecord(policyDocument)) return 'invalid';
  if (policyDocument.Version !== '2012-10-17' && policyDocument.Version !== '2008-10-17') return 'invalid';
  const raw = policyDocument.Statement;
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return 'invalid';
  const statements: ParsedStatement[] = [];
  for (const item of list) {
    const parsed = parseStatement(item);
    if (parsed === undefined) return 'invalid';
    statements.push(parsed);
  }
  let allowed = false;
  for (const statement of statements) {
    if (!statement.matches(methodArn)) continue;
    if (statement.effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'deny';
}
