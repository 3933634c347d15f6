import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { setOwn } from '../own-property';
import type { SigningKeys } from './signing-keys';
import type { TokenRequest } from './token-request';

/** Who the local identity provider is: its issuer URL and the default audience. */
export interface IssuerIdentity {
  readonly issuer: string;
  readonly audience: string;
}

/** A minted access token and its lifetime. */
export interface MintedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly jti: string;
}

/** Reserved claims `extraClaims` may never override. */
const RESERVED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'roles',
  'scope',
  'client_id',
  'tenant',
]);

/**
 * Mints an RFC 9068 style access token (`typ: at+jwt`) with the local identity provider's key.
 * Signing is jsonwebtoken over a node:crypto KeyObject; nothing is hand-encoded.
 * @param nowSeconds the clock, seconds since the epoch (injectable for tests)
 */
export function mintAccessToken(
  keys: SigningKeys,
  identity: IssuerIdentity,
  request: TokenRequest,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): MintedToken {
  const key = keys[request.alg];
  const jti = randomUUID();
  const claims: Record<string, unknown> = {};
  for (const [claim, value] of Object.entries(request.extraClaims ?? {})) {
    if (!RESERVED.has(claim)) setOwn(claims, claim, value);
  }
  Object.assign(claims, {
    iss: identity.issuer,
    sub: request.sub,
    aud: request.audience ?? identity.audience,
    iat: nowSeconds,
    exp: nowSeconds + request.ttl,
    jti,
    roles: request.roles,
    scope: request.scopes.join(' '),
    client_id: request.clientId,
  });
  if (request.tenant !== undefined) claims.tenant = request.tenant;
  const accessToken = jwt.sign(claims, key.privateKey, {
    algorithm: request.alg,
    keyid: key.kid,
    header: { alg: request.alg, typ: 'at+jwt', kid: key.kid },
  });
  return { accessToken, expiresIn: request.ttl, jti };
}
