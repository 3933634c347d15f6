import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { PeerAuthorizer } from './jose-authorizer';
import type { PeerOptions } from './peer-options';
import { bearerToken, buildPeerPolicy, UNAUTHORIZED } from './peer-policy';

/**
 * A peer authorizer built on `jsonwebtoken`: one prebuilt KeyObject per `kid`, the header decoded
 * to pick the key and check `typ`, then `jwt.verify` with algorithms, issuer, audience, clock
 * tolerance and maximum age, then the same role check and policy as ours.
 */
export function createJsonwebtokenAuthorizer(
  options: PeerOptions,
  jwks: { readonly keys: readonly JsonWebKey[] },
): PeerAuthorizer {
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks.keys) {
    if (typeof jwk.kid === 'string') keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
  }
  const verifyOptions: jwt.VerifyOptions & { complete?: false } = {
    algorithms: options.algorithms as jwt.Algorithm[],
    issuer: options.issuer,
    audience: [...options.audience] as [string, ...string[]],
    clockTolerance: options.clockSkewSeconds,
    maxAge: options.maxLifetimeSeconds,
  };
  const requiredTyp = options.requiredTyp?.toLowerCase();
  // eslint-disable-next-line @typescript-eslint/require-await -- same async shape as a Lambda handler
  return async (event) => {
    const token = bearerToken(event.authorizationToken);
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded?.header.kid;
    const key = kid === undefined ? undefined : keys.get(kid);
    if (decoded === null || key === undefined) throw new Error(UNAUTHORIZED);
    if (requiredTyp !== undefined && decoded.header.typ?.toLowerCase() !== requiredTyp) {
      throw new Error(UNAUTHORIZED);
    }
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, key, verifyOptions);
    } catch {
      throw new Error(UNAUTHORIZED);
    }
    if (typeof claims === 'string' || claims.exp === undefined || claims.iat === undefined) {
      throw new Error(UNAUTHORIZED);
    }
    return buildPeerPolicy(claims, event.methodArn, options);
  };
}
