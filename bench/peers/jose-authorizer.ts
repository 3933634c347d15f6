import type { JsonWebKey } from 'node:crypto';
import type { PeerOptions } from './peer-options';
import { bearerToken, buildPeerPolicy, UNAUTHORIZED, type PeerPolicy } from './peer-policy';

/**
 * A peer authorizer built on `jose` the way its documentation suggests: `jwtVerify` with a local
 * JWKS (`createLocalJWKSet`), issuer, audience, algorithms, `typ`, clock tolerance, maximum token age,
 * required `exp`/`iat`, then the same role check and policy as ours. jose is ESM-only, hence the
 * dynamic import (fine under tsx and in an esbuild bundle).
 */
export type PeerAuthorizer = (event: {
  readonly authorizationToken?: string;
  readonly methodArn: string;
}) => Promise<PeerPolicy>;

export async function createJoseAuthorizer(
  options: PeerOptions,
  jwks: { readonly keys: readonly JsonWebKey[] },
): Promise<PeerAuthorizer> {
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const keySet = createLocalJWKSet({ keys: jwks.keys.map((k) => ({ ...k })) });
  const verifyOptions = {
    issuer: options.issuer,
    audience: [...options.audience],
    algorithms: [...options.algorithms],
    clockTolerance: options.clockSkewSeconds,
    maxTokenAge: options.maxLifetimeSeconds,
    requiredClaims: ['exp', 'iat', 'sub'],
    ...(options.requiredTyp === undefined ? {} : { typ: options.requiredTyp }),
  };
  return async (event) => {
    const token = bearerToken(event.authorizationToken);
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, keySet, verifyOptions));
    } catch {
      throw new Error(UNAUTHORIZED);
    }
    return buildPeerPolicy(claims, event.methodArn, options);
  };
}
