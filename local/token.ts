/**
 * `npm run -s token -- --sub alice --roles orders:read`: prints an access token of the local
 * identity provider. Asks the running IdP (`npm start` writes its address to .local/state.json);
 * when none runs, signs with the keys in .local/ for the issuer `http://127.0.0.1:$IDP_PORT`.
 * Only the token goes to stdout, so `TOKEN=$(npm run -s token -- …)` works.
 */
import { LocalEdgeError } from './errors';
import { mintAccessToken } from './idp/mint-token';
import { loadOrCreateSigningKeys } from './idp/signing-keys';
import { parseTokenRequest } from './idp/token-request';
import { defaultLocalAudience, DEFAULT_EDGE_CONFIG_PATH, loadEdgeConfigFile } from './local-config';
import { DEFAULT_PORTS } from './start-options';
import { readLocalState } from './state-file';
import { parseTokenArgs, TOKEN_USAGE } from './token-args';

async function fromRunningIdp(tokenEndpoint: string, body: unknown): Promise<unknown> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(3000),
  });
  const answer: unknown = await res.json();
  if (!res.ok) {
    const errors = (answer as { errors?: unknown }).errors;
    throw new Error(`the identity provider refused the request: ${JSON.stringify(errors ?? answer)}`);
  }
  return answer;
}

async function main(): Promise<void> {
  const args = parseTokenArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(TOKEN_USAGE);
    return;
  }
  const request = parseTokenRequest(args.request);
  const state = await readLocalState(args.stateDir);
  if (state !== undefined) {
    try {
      const answer = (await fromRunningIdp(state.tokenEndpoint, request)) as { access_token: string };
      console.log(args.json ? JSON.stringify(answer) : answer.access_token);
      return;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the identity provider refused')) throw error;
      // Not running any more: sign with the keys on disk below.
    }
  }
  const port = process.env.IDP_PORT ?? String(DEFAULT_PORTS.idp);
  const issuer = state?.issuer ?? `http://127.0.0.1:${port}`;
  const audience =
    state?.audience ??
    defaultLocalAudience(await loadEdgeConfigFile(process.env.EDGE_CONFIG ?? DEFAULT_EDGE_CONFIG_PATH));
  const keys = await loadOrCreateSigningKeys(args.stateDir);
  const minted = mintAccessToken(keys, { issuer, audience }, request);
  console.log(
    args.json
      ? JSON.stringify({
          access_token: minted.accessToken,
          token_type: 'Bearer',
          expires_in: minted.expiresIn,
        })
      : minted.accessToken,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof LocalEdgeError || error instanceof Error ? error.message : String(error);
  console.error(`token: ${message}`);
  process.exitCode = 1;
});
