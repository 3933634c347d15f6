/** Where the emulated API lives, for method ARNs and the request context. */
export interface ApiIdentity {
  /** e.g. `local` */
  readonly region: string;
  /** 12 digits, e.g. `000000000000` */
  readonly accountId: string;
  /** API id, e.g. `edgelocal1` */
  readonly apiId: string;
  /** Stage name, e.g. `local` */
  readonly stage: string;
}

/** The identity the local gateway uses unless told otherwise. */
export const LOCAL_API: ApiIdentity = {
  region: 'local',
  accountId: '000000000000',
  apiId: 'edgelocal1',
  stage: 'local',
};

/**
 * The `methodArn` API Gateway passes to a TOKEN authorizer:
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` where path is the
 * request path without its leading slash (the concrete path, not the resource template).
 */
export function buildMethodArn(api: ApiIdentity, httpMethod: string, path: string): string {
  const resource = path.startsWith('/') ? path.slice(1) : path;
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${httpMethod.toUpperCase()}/${resource}`;
}
