import type { LocalApiKey } from './gateway/usage-plans';

/** The first line of the banner; tests and scripts wait for it. */
export const READY_LINE = 'Local edge is ready';

/** What the banner shows. */
export interface BannerInput {
  readonly gatewayUrl: string;
  readonly issuer: string;
  readonly dynamoEndpoint: string;
  readonly stateDir: string;
  readonly startedInMs: number;
  /** An API key to send with `x-api-key`, when protected routes require one. */
  readonly apiKey: LocalApiKey | undefined;
  /** A ready-to-paste signed-request command, when the guard and a demo client key are set up. */
  readonly signedRequestCommand: string | undefined;
}

/** The start-up banner with ready-to-paste commands (pure). */
export function renderBanner(input: BannerInput): string {
  const key = input.apiKey === undefined ? '' : ` -H "x-api-key: ${input.apiKey.value}"`;
  const stateFlag = input.stateDir === '.local' ? '' : ` --state-dir ${input.stateDir}`;
  const url = input.gatewayUrl;
  const lines = [
    '',
    `${READY_LINE} (${(input.startedInMs / 1000).toFixed(1)} s)`,
    '',
    `  gateway             ${url}`,
    `  identity provider   ${input.issuer}  (discovery: ${input.issuer}/.well-known/openid-configuration)`,
    `  DynamoDB (dynalite) ${input.dynamoEndpoint}`,
    `  keys and state      ${input.stateDir}/ (git-ignored)`,
    ...(input.apiKey === undefined ? [] : [`  API key (plan ${input.apiKey.plan}) ${input.apiKey.value}`]),
    '',
    'Try it (in another terminal):',
    '',
    '  # mint a token for alice, who may read orders',
    `  TOKEN=$(npm run -s token -- --sub alice --roles orders:read${stateFlag})`,
    '',
    '  # allowed: 200 with the orders alice may see',
    `  curl -i${key} -H "Authorization: Bearer $TOKEN" ${url}/orders`,
    '',
    '  # forbidden: 403, POST /orders needs the orders:write role',
    `  curl -i${key} -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"item":"book","quantity":1}' ${url}/orders`,
    '',
    '  # unauthenticated: 401 with WWW-Authenticate, the authorizer is not even called',
    `  curl -i${key} ${url}/orders`,
    '',
    '  # public: no token needed',
    `  curl -i ${url}/health`,
    ...(input.signedRequestCommand === undefined
      ? []
      : [
          '',
          '  # signed request (RFC 9421) through the request guard, then the same bytes again: the replay gets 401',
          `  ${input.signedRequestCommand}`,
        ]),
    '',
    'Access-log lines follow (JSON, one per request). Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}
