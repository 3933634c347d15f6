import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeDictionary } from 'structured-headers';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../config/guard-config';
import { isInnerList } from './components';
import { SignatureSyntaxError } from './errors';

export { DIGEST_ALGORITHMS, type DigestAlgorithm };

const HASHES: Record<DigestAlgorithm, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

function digest(algorithm: DigestAlgorithm, body: Uint8Array): Buffer {
  // eslint-disable-next-line security/detect-object-injection -- algorithm is a typed constant tuple member
  return createHash(HASHES[algorithm]).update(body).digest();
}

/** A `Content-Digest` field value (RFC 9530) for a body: `sha-256=:…:`. */
export function contentDigestHeader(
  body: Uint8Array,
  algorithms: readonly DigestAlgorithm[] = ['sha-256'],
): string {
  return serializeDictionary(new Map(algorithms.map((alg) => [alg, [digest(alg, body), new Map()]])));
}

/** Outcome of {@link checkContentDigest}. */
export type DigestCheck = 'match' | 'mismatch' | 'no_accepted_algorithm';

/**
 * Recomputes the digest of the received body for every accepted algorithm the field carries and
 * compares in constant time. Every accepted algorithm present must match; unknown algorithms are
 * ignored; at least one accepted algorithm must be present. Throws {@link SignatureSyntaxError}
 * when the field is not a dictionary of byte sequences.
 */
export function checkContentDigest(
  fieldValue: string,
  body: Uint8Array,
  accepted: readonly DigestAlgorithm[],
): DigestCheck {
  let dictionary;
  try {
    dictionary = parseDictionary(fieldValue);
  } catch (cause) {
    throw new SignatureSyntaxError('Content-Digest is not a structured dictionary', { cause });
  }
  let checked = 0;
  for (const algorithm of accepted) {
    const member = dictionary.get(algorithm);
    if (member === undefined) continue;
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer)) {
      throw new SignatureSyntaxError('a Content-Digest member must be a byte sequence');
    }
    const claimed = Buffer.from(member[0]);
    const actual = digest(algorithm, body);
    if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) return 'mismatch';
    checked += 1;
  }
  return checked === 0 ? 'no_accepted_algorithm' : 'match';
}
