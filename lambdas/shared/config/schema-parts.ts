import * as z from 'zod/mini';

/**
 * Schema pieces the authorizer's config sections share (zod/mini). Each call builds a new schema, so
 * registering a description on it never touches another field's.
 */

/** An integer setting with bounds, a default and a description (the shape most settings have). */
export function boundedInt(min: number, max: number, defaultValue: number, description: string) {
  return z
    ._default(z.int().check(z.minimum(min), z.maximum(max)), defaultValue)
    .register(z.globalRegistry, { description });
}

/** An optional DynamoDB table name, with a description. */
export function optionalTableName(description: string) {
  return z
    .optional(
      z
        .string()
        .check(
          z.minLength(3),
          z.maxLength(255),
          z.regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a DynamoDB table name (letters, digits, _ . -)' }),
        ),
    )
    .register(z.globalRegistry, { description });
}
