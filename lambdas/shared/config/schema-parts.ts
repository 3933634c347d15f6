import * as z from 'zod/mini';

/**
 * Schema pieces the authorizer's config sections share (zod/mini). Each call returns a new outer
 * schema (the default or optional wrapper) that carries the field's description, so registering it
 * never touches another field's. The inner schema, which carries no description, is built once and
 * shared by every field with the same rules: the whole config schema is built at every cold start,
 * at roughly 10 µs per zod schema object there, and zod schemas are immutable, so sharing changes
 * neither the validation, the messages nor the JSON Schema.
 */

/** A safe integer: the base of every bounded integer setting. */
const safeInt = z.int();

function intBetween(min: number, max: number) {
  return safeInt.check(z.minimum(min), z.maximum(max));
}

/** The inner schemas of `boundedInt`, one per (min, max). */
const intsBetween = new Map<string, ReturnType<typeof intBetween>>();

/** An integer setting with bounds, a default and a description (the shape most settings have). */
export function boundedInt(min: number, max: number, defaultValue: number, description: string) {
  const key = `${min}..${max}`;
  let int = intsBetween.get(key);
  if (int === undefined) {
    int = intBetween(min, max);
    intsBetween.set(key, int);
  }
  return z._default(int, defaultValue).register(z.globalRegistry, { description });
}

/** A DynamoDB table name: the inner schema of `optionalTableName`. */
const tableName = z
  .string()
  .check(
    z.minLength(3),
    z.maxLength(255),
    z.regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a DynamoDB table name (letters, digits, _ . -)' }),
  );

/** An optional DynamoDB table name, with a description. */
export function optionalTableName(description: string) {
  return z.optional(tableName).register(z.globalRegistry, { description });
}
