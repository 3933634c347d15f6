import { apiArnPrefix, parseMethodArn, type MethodArn } from './method-arn';
import { matchRoute, type CompiledRoute } from './route-matcher';

/** A REST API method ARN, resolved: its parts, the prefix of every policy resource, and its route rule. */
export interface RestTarget {
  readonly arn: MethodArn;
  /** `arn:{partition}:execute-api:{region}:{account}:{apiId}/` */
  readonly arnPrefix: string;
  /** The rule API Gateway would select for the ARN's method and path, or `undefined` (deny by default). */
  readonly route: CompiledRoute | undefined;
}

/**
 * Resolves method ARNs (parse, policy prefix, route match) and remembers the answers: API Gateway
 * sends the same few ARNs over and over, and resolving one costs more than a decision-cache hit's
 * own work. Paths with ids make many distinct ARNs, so the memo is bounded: it is simply emptied when
 * full. The answer for an ARN never changes (routes are fixed at construction), so a remembered one
 * is always the one `resolve` would compute again.
 */
export class RestTargetResolver {
  private readonly memo = new Map<string, RestTarget | null>();

  constructor(
    private readonly routes: readonly CompiledRoute[],
    private readonly maxEntries = 512,
  ) {}

  /** The resolved target, or `undefined` when the string is not an execute-api method ARN. */
  resolve(methodArn: string): RestTarget | undefined {
    const known = this.memo.get(methodArn);
    if (known !== undefined) return known ?? undefined;
    const arn = parseMethodArn(methodArn);
    const target =
      arn === undefined
        ? null
        : { arn, arnPrefix: apiArnPrefix(arn), route: matchRoute(this.routes, arn.method, arn.path) };
    if (this.memo.size >= this.maxEntries) this.memo.clear();
    this.memo.set(methodArn, target);
    return target ?? undefined;
  }
}
