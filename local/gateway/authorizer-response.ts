import { z } from 'zod';
import { setOwn } from '../own-property';

/**
 * What API Gateway accepts back from a TOKEN authorizer, and how it flattens the context.
 * Anything else (no principalId, no policy, a context value that is an object, array or null)
 * is a malformed response: API Gateway answers 500 and the backend is never called.
 */

/** The authorizer returned something API Gateway would reject (→ 500). */
export class MalformedAuthorizerResponseError extends Error {
  override readonly name = 'MalformedAuthorizerResponseError';
  constructor(
    /** Reason code, e.g. `context_not_flat`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`malformed authorizer response: ${reason}`, options);
  }
}

const responseSchema = z.looseObject({
  principalId: z.string().min(1),
  policyDocument: z.looseObject({
    Statement: z.union([z.array(z.unknown()), z.looseObject({})]),
  }),
  context: z.unknown().optional(),
  usageIdentifierKey: z.string().min(1).optional(),
});

/** A well-formed authorizer answer: the policy is kept as data for re-evaluation per route. */
export interface AuthorizerAnswer {
  readonly principalId: string;
  readonly policyDocument: unknown;
  /** The context flattened to strings, as backends see it (without principalId). */
  readonly context: Readonly<Record<string, string>>;
  readonly usageIdentifierKey: string | undefined;
}

/**
 * Flattens an authorizer context the way API Gateway does: string, number and boolean values
 * become strings; an object, array or null value makes the whole response malformed.
 */
export function flattenAuthorizerContext(context: unknown): Record<string, string> {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context))
    throw new MalformedAuthorizerResponseError('context_not_object');
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key === 'principalId') continue;
    if (typeof value === 'string') setOwn(flat, key, value);
    else if (typeof value === 'number' && Number.isFinite(value)) setOwn(flat, key, String(value));
    else if (typeof value === 'boolean') setOwn(flat, key, value ? 'true' : 'false');
    else throw new MalformedAuthorizerResponseError('context_not_flat');
  }
  return flat;
}

/** Validates an authorizer's return value; throws {@link MalformedAuthorizerResponseError}. */
export function parseAuthorizerAnswer(raw: unknown): AuthorizerAnswer {
  const parsed = responseSchema.safeParse(raw);
  if (!parsed.success) throw new MalformedAuthorizerResponseError('bad_shape', { cause: parsed.error });
  return {
    principalId: parsed.data.principalId,
    policyDocument: parsed.data.policyDocument,
    context: flattenAuthorizerContext(parsed.data.context),
    usageIdentifierKey: parsed.data.usageIdentifierKey,
  };
}
