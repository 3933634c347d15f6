/** The parts of an API Gateway method ARN: `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`. */
export interface MethodArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  /** The request path with its leading `/` (`/` for the root). */
  readonly path: string;
}

const ID = /^[A-Za-z0-9_.$-]+$/;
const REGION = /^[a-z0-9-]+$/;
const ACCOUNT = /^\d{12}$/;

/**
 * Parses a method ARN. Only the first five colons separate fields: a request path may contain `:`.
 * Returns `undefined` for anything that is not a well-formed execute-api method ARN.
 */
export function parseMethodArn(arn: unknown): MethodArn | undefined {
  if (typeof arn !== 'string' || arn.length > 4096) return undefined;
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    fields.push(arn.slice(start, colon));
    start = colon + 1;
  }
  const [arnLiteral, partition, service, region, account] = fields;
  if (arnLiteral !== 'arn' || service !== 'execute-api') return undefined;
  if (partition === undefined || !/^aws[a-z-]*$/.test(partition)) return undefined;
  if (region === undefined || !REGION.test(region) || account === undefined || !ACCOUNT.test(account)) {
    return undefined;
  }
  const resource = arn.slice(start);
  const firstSlash = resource.indexOf('/');
  const secondSlash = resource.indexOf('/', firstSlash + 1);
  const thirdSlash = resource.indexOf('/', secondSlash + 1);
  if (firstSlash < 0 || secondSlash < 0) return undefined;
  const apiId = resource.slice(0, firstSlash);
  const stage = resource.slice(firstSlash + 1, secondSlash);
  const method =
    thirdSlash < 0 ? resource.slice(secondSlash + 1) : resource.slice(secondSlash + 1, thirdSlash);
  const path = thirdSlash < 0 ? '/' : resource.slice(thirdSlash);
  if (!ID.test(apiId) || !ID.test(stage) || !/^[A-Z]+$/.test(method)) return undefined;
  return { partition, region, account, apiId, stage, method, path };
}

/** `arn:{partition}:execute-api:{region}:{account}:{apiId}/` — the part every policy resource shares. */
export function apiArnPrefix(arn: MethodArn): string {
  return `arn:${arn.partition}:execute-api:${arn.region}:${arn.account}:${arn.apiId}/`;
}
