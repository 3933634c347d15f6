import { createHmac, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { TestAlgorithm, TestKey } from './keys';

/**
 * Token minting for tests: well-formed tokens through `jsonwebtoken` (an independent, widely used
 * implementation), hostile ones byte by byte with node:crypto and Buffer base64url.
 */

export const b64url = (value: string | Buffer): string =>
  (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64url');

/** Registered claims for a token valid now for 5 minutes; override or remove (`undefined`) any of them. */
export function standardClaims(
  issuer: string,
  audience: string | string[],
  nowSeconds: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: issuer,
    aud: audience,
    sub: 'user-123',
    iat: nowSeconds,
    exp: nowSeconds + 300,
    jti: randomUUID(),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

/** Signs claims with `jsonwebtoken` (RS*, ES*). The header carries the key's `kid` and `typ: JWT` unless overridden. */
export function mintJwt(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  if (key.alg === 'EdDSA')
    return craftJwt({ header: { alg: 'EdDSA', kid: key.kid, ...header }, payload: claims, key });
  return jwt.sign(claims, key.privateKey, {
    algorithm: key.alg,
    keyid: key.kid,
    noTimestamp: !('iat' in claims),
    header: { alg: key.alg, typ: 'JWT', kid: key.kid, ...header },
  });
}

const HASH: Record<string, string> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  PS256: 'sha256',
};

/** A raw JWS signature over `input` with a private key, for the given algorithm. */
export function signInput(input: string, alg: TestAlgorithm, privateKey: KeyObject): Buffer {
  const data = Buffer.from(input, 'ascii');
  if (alg === 'EdDSA') return cryptoSign(null, data, privateKey);
  const hash = HASH[alg] ?? 'sha256';
  if (alg.startsWith('ES')) return cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return cryptoSign(hash, data, privateKey);
}

/** An HS256 MAC over `input` with an arbitrary secret (the classic RSA-public-key-as-HMAC-secret attack). */
export function hmacInput(input: string, secret: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export interface CraftOptions {
  /** Header object (JSON-encoded) or an exact header segment text (`rawHeader`). */
  readonly header?: Record<string, unknown> | unknown[];
  readonly rawHeader?: string;
  readonly payload?: Record<string, unknown> | unknown[];
  readonly rawPayload?: string;
  /** Sign with this key using `alg` (defaults to the key's alg); the header's `alg` is not consulted. */
  readonly key?: TestKey;
  readonly alg?: TestAlgorithm;
  /** Or a custom signer over the signing input. */
  readonly signer?: (input: string) => Buffer;
  /** Or an exact signature segment (possibly empty). */
  readonly signature?: string;
}

/** Builds a compact JWS by hand: any header, any payload, any (or no) signature. */
export function craftJwt(options: CraftOptions): string {
  const header = options.rawHeader ?? b64url(JSON.stringify(options.header ?? {}));
  const payload = options.rawPayload ?? b64url(JSON.stringify(options.payload ?? {}));
  const input = `${header}.${payload}`;
  let signature = options.signature;
  if (signature === undefined && options.signer !== undefined) signature = b64url(options.signer(input));
  if (signature === undefined && options.key !== undefined) {
    signature = b64url(signInput(input, options.alg ?? options.key.alg, options.key.privateKey));
  }
  return `${input}.${signature ?? ''}`;
}

/** The three segments of a compact token. */
export function segments(token: string): { header: string; payload: string; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return { header, payload, signature };
}
