import { z } from 'zod';
import { MAX_PREVIOUS_SIGNING_KEYS } from '../../lambdas/shared/config/guard-config';

/**
 * `api.responseSigning`: which KMS keys the request guard signs responses with and publishes in its
 * JWKS (deploy-time settings of the stack; the guard Lambda receives them as
 * `GUARD_SIGNING_KEY_ID` and `GUARD_PREVIOUS_SIGNING_KEY_IDS`). See docs/guard.md, "Rotating the
 * response-signing key".
 */

/** A KMS key ARN (not an alias: IAM grants on an alias ARN do not cover the key's use). */
const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:mrk-)?[A-Za-z0-9-]{1,64}$/, {
    error: 'must be a KMS key ARN such as "arn:aws:kms:eu-west-1:123456789012:key/…" (not an alias)',
  });

export const responseSigningSchema = z
  .strictObject({
    keyArn: kmsKeyArn
      .optional()
      .describe(
        'An existing asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs responses. When unset the ' +
          'stack creates one (kept when the stack is deleted); its ARN is the ResponseSigningKeyArn output.',
      ),
    previousKeyArns: z
      .array(kmsKeyArn)
      .max(MAX_PREVIOUS_SIGNING_KEYS, {
        error: `at most ${MAX_PREVIOUS_SIGNING_KEYS} previous keys; drop keys whose signatures no client still verifies`,
      })
      .default([])
      .describe(
        'Earlier signing keys, newest first: published in the JWKS after the current key so clients can ' +
          'verify responses signed before a rotation; they never sign (kms:GetPublicKey only).',
      ),
  })
  .superRefine((signing, ctx) => {
    const seen = new Set<string>();
    for (const [i, arn] of signing.previousKeyArns.entries()) {
      if (arn === signing.keyArn) {
        ctx.addIssue({
          code: 'custom',
          message: 'is the current keyArn; a previous key must be an older key that no longer signs',
          path: ['previousKeyArns', i],
        });
      } else if (seen.has(arn)) {
        ctx.addIssue({ code: 'custom', message: 'is listed twice', path: ['previousKeyArns', i] });
      }
      seen.add(arn);
    }
  });

export type ResponseSigningConfig = z.infer<typeof responseSigningSchema>;
