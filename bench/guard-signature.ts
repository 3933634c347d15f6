import { createPublicKey, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { generateClientKeyPair } from '../client/keys';
import { signRequest } from '../client/sign-request';
import { guardSignatureSchema } from '../lambdas/shared/config/guard-config';
import type { Caller } from '../lambdas/shared/contracts/authorizer-context';
import type { SignatureAlgorithm } from '../lambdas/shared/http-signatures/algorithms';
import {
  headerMap,
  requestPartsFromUrl,
  type HttpRequestParts,
} from '../lambdas/shared/http-signatures/message';
import { combinedField } from '../lambdas/shared/http-signatures/message-signature';
import { createSignatureBase } from '../lambdas/shared/http-signatures/signature-base';
import { parseSignatureField, parseSignatureInput } from '../lambdas/shared/http-signatures/signature-fields';
import type { ClientKey, ClientKeyLookup } from '../lambdas/guard/key-store';
import type { NonceStore } from '../lambdas/guard/nonce-store';
import { checkRequestSignature } from '../lambdas/guard/signature-check';
import type { RateRow } from './results';
import { measure, measureInterleaved, type Budget, type Measured } from './throughput';

/**
 * Request guard, per request: the guard's RFC 9421 check (parse Signature-Input and Signature,
 * parameters, coverage, time window, key status and owner, Content-Digest recomputed over the body,
 * signature base, verify) against the floor — node:crypto `verify` on the same signature base with
 * a prebuilt KeyObject. The client key comes from memory (the guard caches keys) and the nonce
 * claim from a store that accepts every nonce: the DynamoDB round trip of that claim is measured
 * on its own (bench/guard-nonce-store.ts). The clock is frozen at the signing time. Figures are
 * operations per CPU-second, floor and guard interleaved within each run (bench/throughput.ts).
 */

export const GUARD_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256'];

const CLIENT_ID = 'bench-client';
const BODY = JSON.stringify({
  sku: 'ABC-12345',
  quantity: 3,
  note: 'benchmark order with a body of a typical size',
  items: [1, 2, 3, 4, 5].map((n) => ({ line: n, sku: `SKU-${n}`, qty: n })),
});

interface PreparedRequest {
  readonly request: HttpRequestParts;
  readonly body: Buffer;
  readonly base: Buffer;
  readonly signature: Buffer;
}

/** Accepts every nonce: the bench measures the DynamoDB claim separately. */
const acceptEveryNonce: NonceStore = { claim: () => Promise.resolve(true) };

async function prepare(
  algorithm: SignatureAlgorithm,
  count: number,
): Promise<{ requests: PreparedRequest[]; key: ClientKey; created: number }> {
  const pair = generateClientKeyPair(algorithm);
  const keyId = `bench-${algorithm}`;
  const created = Math.floor(Date.now() / 1000);
  const requests: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const signed = await signRequest({
      method: 'POST',
      url: 'https://api.bench.example/prod/orders',
      headers: { Authorization: 'Bearer bench.token.value', 'Content-Type': 'application/json' },
      body: BODY,
      key: { keyId, privateKey: pair.privateJwk },
      created,
    });
    const request = requestPartsFromUrl(signed.method, new URL(signed.url), headerMap(signed.headers));
    const entry = [...parseSignatureInput(combinedField(request.headers, 'signature-input')!).values()][0]!;
    const signature = parseSignatureField(combinedField(request.headers, 'signature')!).get(entry.label)!;
    const base = createSignatureBase({ kind: 'request', request }, entry.components, entry.rawParams);
    requests.push({
      request,
      body: signed.body ?? Buffer.alloc(0),
      base: Buffer.from(base, 'utf8'),
      signature,
    });
  }
  const publicKey = createPublicKey({ key: pair.publicJwk, format: 'jwk' });
  const key: ClientKey = {
    record: {
      keyId,
      ownerClientId: CLIENT_ID,
      status: 'active',
      algorithm,
      publicJwk: pair.publicJwk,
      createdAt: created,
    },
    publicKey,
  };
  return { requests, key, created };
}

function floorVerifier(algorithm: SignatureAlgorithm, publicKey: KeyObject): (p: PreparedRequest) => boolean {
  if (algorithm === 'ed25519') return (p) => verify(null, p.base, publicKey, p.signature);
  const key: VerifyKeyObjectInput = { key: publicKey, dsaEncoding: 'ieee-p1363' };
  return (p) => verify('sha256', p.base, key, p.signature);
}

export async function measureGuardSignatures(
  runs: number,
  budget: Budget,
  slices: number,
  requestsPerAlgorithm: number,
): Promise<RateRow[]> {
  const settings = guardSignatureSchema.parse({});
  const caller: Caller = {
    sub: 'user-1',
    iss: 'https://idp.bench.example',
    roles: [],
    scopes: [],
    clientId: CLIENT_ID,
    jti: '',
    tenant: '',
  };
  const rows: RateRow[] = [];
  for (const algorithm of GUARD_ALGORITHMS) {
    const { requests, key, created } = await prepare(algorithm, requestsPerAlgorithm);
    const keys: ClientKeyLookup = {
      find: (id) => Promise.resolve(id === key.record.keyId ? key : undefined),
    };
    const floorVerify = floorVerifier(algorithm, key.publicKey);
    const check = (i: number): Promise<unknown> => {
      const p = requests[i % requests.length]!;
      return checkRequestSignature({
        request: p.request,
        body: p.body,
        caller,
        settings,
        nowSeconds: created,
        keys,
        nonces: acceptEveryNonce,
      });
    };
    // Before timing: every prepared request passes the floor and the guard.
    for (const [i, p] of requests.entries()) {
      if (!floorVerify(p)) throw new Error(`guard floor: request ${i} does not verify`);
      await check(i);
    }
    const measured: Measured[] = [
      { kind: 'sync', call: (i) => floorVerify(requests[i % requests.length]!) },
      { kind: 'async', call: check },
    ];
    for (const m of measured) await measure(m, { ...budget, maxMs: budget.maxMs / 2 });
    const floor: number[] = [];
    const guard: number[] = [];
    for (let run = 0; run < runs; run++) {
      const [floorOps, guardOps] = await measureInterleaved(measured, budget, slices);
      floor.push(floorOps!);
      guard.push(guardOps!);
    }
    rows.push(
      { label: `${algorithm}: floor, node:crypto \`verify\` on the signature base`, samples: floor, floor },
      {
        label: `${algorithm}: guard signature check (parse, digest, base, verify; nonce claim excluded)`,
        samples: guard,
        floor,
      },
    );
  }
  return rows;
}
