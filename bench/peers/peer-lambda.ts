import type { JsonWebKey } from 'node:crypto';
import type { PeerAuthorizer } from './jose-authorizer';
import { peerOptionsFromEnv, type PeerOptions } from './peer-options';
import type { PeerPolicy } from './peer-policy';

/**
 * The Lambda shape of a peer authorizer, for the cold-start bench: options from AUTH_CONFIG, the
 * JWKS fetched once during init (like ours), a handler with `ready()` to await that pre-load.
 */
export type PeerLambdaHandler = PeerAuthorizer & { ready(): Promise<void> };

export function createPeerLambda(
  build: (options: PeerOptions, jwks: { keys: JsonWebKey[] }) => PeerAuthorizer | Promise<PeerAuthorizer>,
): PeerLambdaHandler {
  const options = peerOptionsFromEnv();
  const jwksUri = options.jwksUri;
  if (jwksUri === undefined) throw new Error('peer authorizers fetch their JWKS from jwksUri');
  const authorizer = (async () => {
    const response = await fetch(jwksUri, { signal: AbortSignal.timeout(1500) });
    if (!response.ok) throw new Error(`JWKS fetch failed: HTTP ${response.status}`);
    return build(options, (await response.json()) as { keys: JsonWebKey[] });
  })();
  // Surface an init failure on the first invocation, not as an unhandled rejection.
  authorizer.catch(() => undefined);
  const handler = async (event: Parameters<PeerAuthorizer>[0]): Promise<PeerPolicy> =>
    (await authorizer)(event);
  return Object.assign(handler, {
    ready: async () => {
      await authorizer;
    },
  });
}
