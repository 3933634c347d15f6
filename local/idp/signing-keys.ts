import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalKeyError } from '../errors';
import { setOwn } from '../own-property';

/** Algorithms the local identity provider signs with: one RSA and one EC P-256 key. */
export const LOCAL_IDP_ALGORITHMS = ['RS256', 'ES256'] as const;
export type LocalIdpAlgorithm = (typeof LOCAL_IDP_ALGORITHMS)[number];

/** A public JWK as the JWKS publishes it. */
export interface PublicJwk {
  readonly kty: string;
  readonly kid: string;
  readonly alg: LocalIdpAlgorithm;
  readonly use: 'sig';
  readonly [member: string]: unknown;
}

/** One signing key of the local identity provider. */
export interface SigningKey {
  readonly alg: LocalIdpAlgorithm;
  /** RFC 7638 JWK thumbprint of the public key. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicJwk;
}

/** The local identity provider's key set, one key per algorithm. */
export type SigningKeys = Readonly<Record<LocalIdpAlgorithm, SigningKey>>;

const KEY_FILES: Readonly<Record<LocalIdpAlgorithm, string>> = {
  RS256: 'idp-rs256.pem',
  ES256: 'idp-es256.pem',
};

/** RFC 7638 thumbprint members, in lexicographic order, per key type. */
const THUMBPRINT_MEMBERS = new Map<string, readonly string[]>([
  ['RSA', ['e', 'kty', 'n']],
  ['EC', ['crv', 'kty', 'x', 'y']],
]);

/** Computes the RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK. */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? THUMBPRINT_MEMBERS.get(kty) : undefined;
  if (members === undefined) throw new LocalKeyError(`unsupported key type for a thumbprint`);
  const present = new Map(Object.entries(jwk));
  const canonical: Record<string, unknown> = {};
  for (const member of members) {
    const value = present.get(member);
    if (typeof value !== 'string') throw new LocalKeyError(`JWK member ${member} is missing`);
    setOwn(canonical, member, value);
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/** Builds the signing key (kid, public JWK) for a private key object. */
export function toSigningKey(alg: LocalIdpAlgorithm, privateKey: KeyObject): SigningKey {
  const expectedType = alg === 'RS256' ? 'rsa' : 'ec';
  if (privateKey.asymmetricKeyType !== expectedType) {
    throw new LocalKeyError(`the ${alg} key file holds a ${String(privateKey.asymmetricKeyType)} key`);
  }
  if (alg === 'ES256' && privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new LocalKeyError('the ES256 key file must hold a P-256 key');
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = jwkThumbprint(jwk);
  const publicJwk: PublicJwk = { ...jwk, kty: String(jwk.kty), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

/** Generates a fresh key set in memory (RSA-2048 and EC P-256). */
export function generateSigningKeys(): SigningKeys {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return { RS256: toSigningKey('RS256', rsa), ES256: toSigningKey('ES256', ec) };
}

async function readKeyFile(path: string): Promise<string | undefined> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside the state folder the operator chose
    const info = await stat(path);
    // Private keys must be readable by their owner only; refuse a key others could have read.
    if ((info.mode & 0o077) !== 0) {
      throw new LocalKeyError(
        `${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run "chmod 600 ${path}" or delete it to generate a new key`,
      );
    }
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside the state folder the operator chose
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Loads the local identity provider's keys from `dir` (e.g. `.local/`), generating and saving any
 * that are missing. Files are PKCS#8 PEM, mode 0600, in a 0700 folder; the folder is git-ignored.
 */
export async function loadOrCreateSigningKeys(dir: string): Promise<SigningKeys> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside the state folder the operator chose
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside the state folder the operator chose
  await chmod(dir, 0o700);
  const keys: Partial<Record<LocalIdpAlgorithm, SigningKey>> = {};
  for (const alg of LOCAL_IDP_ALGORITHMS) {
    // eslint-disable-next-line security/detect-object-injection -- alg iterates a constant tuple
    const path = join(dir, KEY_FILES[alg]);
    const pem = await readKeyFile(path);
    let privateKey: KeyObject;
    if (pem === undefined) {
      privateKey =
        alg === 'RS256'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
          : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const out = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      // 'wx': never overwrite a key another process wrote in the meantime.
      try {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside the state folder the operator chose
        await writeFile(path, out, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const raced = await readKeyFile(path);
        if (raced === undefined) throw error;
        privateKey = parsePrivateKey(raced, path);
      }
    } else {
      privateKey = parsePrivateKey(pem, path);
    }
    // eslint-disable-next-line security/detect-object-injection -- alg iterates a constant tuple
    keys[alg] = toSigningKey(alg, privateKey);
  }
  const { RS256, ES256 } = keys;
  if (RS256 === undefined || ES256 === undefined) throw new LocalKeyError('key set incomplete');
  return { RS256, ES256 };
}

function parsePrivateKey(pem: string, path: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new LocalKeyError(`${path} is not a PEM private key; delete it to generate a new one`, { cause });
  }
}

/** The public JWKS of a key set. */
export function publicJwks(keys: SigningKeys): { keys: PublicJwk[] } {
  return { keys: [keys.RS256.publicJwk, keys.ES256.publicJwk] };
}
