import { serializeDictionary, type BareItem, type InnerList, type Item } from 'structured-headers';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../config/guard-config';

/** What the guard's coverage policy depends on in a request. */
export interface CoverageNeeds {
  /** The request has a body: `content-digest` and `content-type` must be covered. */
  readonly hasBody: boolean;
  /** The request carries `Authorization`: it must be covered, so the signature binds the token. */
  readonly hasAuthorization: boolean;
}

/**
 * The components a signature must cover, in the canonical form the guard asks for: `@method`,
 * `@target-uri`, and `content-digest` + `content-type` with a body, `authorization` when present.
 * (The guard also accepts `@authority` + `@path` + `@query` in place of `@target-uri`.)
 */
export function requestedComponents(needs: CoverageNeeds): string[] {
  const names = ['@method', '@target-uri'];
  if (needs.hasBody) names.push('content-digest', 'content-type');
  if (needs.hasAuthorization) names.push('authorization');
  return names;
}

/** The label the guard asks clients to sign under; any label is accepted. */
export const ACCEPT_SIGNATURE_LABEL = 'sig1';

/**
 * An `Accept-Signature` field value (RFC 9421 §5.1) telling a client how to sign its next request:
 * the components {@link requestedComponents} lists, with `created` and `nonce` requested (the guard
 * requires both), e.g. `sig1=("@method" "@target-uri" "content-digest" "content-type");created;nonce`.
 */
export function acceptSignatureField(needs: CoverageNeeds): string {
  const member: InnerList = [
    requestedComponents(needs).map((name): Item => [name, new Map<string, BareItem>()]),
    new Map<string, BareItem>([
      ['created', true],
      ['nonce', true],
    ]),
  ];
  return serializeDictionary(new Map([[ACCEPT_SIGNATURE_LABEL, member]]));
}

/**
 * A `Want-Content-Digest` field value (RFC 9530 §4) listing the digest algorithms the guard accepts,
 * preferred first: `sha-256=10, sha-512=5`.
 */
export function wantContentDigestField(accepted: readonly DigestAlgorithm[] = DIGEST_ALGORITHMS): string {
  const ordered = DIGEST_ALGORITHMS.filter((alg) => accepted.includes(alg));
  return serializeDictionary(
    new Map(
      ordered.map((alg, i) => [alg, [Math.max(1, 10 - i * 5), new Map()] as [number, Map<string, never>]]),
    ),
  );
}

/** The headers of a guard 401 for a signed route: how to sign, and which digests are accepted. */
export function signatureChallengeHeaders(
  needs: CoverageNeeds,
  acceptedDigests: readonly DigestAlgorithm[],
): Record<string, string> {
  const headers: Record<string, string> = { 'Accept-Signature': acceptSignatureField(needs) };
  if (needs.hasBody) headers['Want-Content-Digest'] = wantContentDigestField(acceptedDigests);
  return headers;
}
