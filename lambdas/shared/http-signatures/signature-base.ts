import { deriveComponentValue, serializeComponentIdentifier, type ComponentIdentifier } from './components';
import { ComponentError } from './errors';
import type { SignatureSubject } from './message';
import { serializeSignatureParams } from './signature-fields';
import type { Parameters } from 'structured-headers';

/**
 * The signature base of RFC 9421 §2.5: one line per covered component, then `@signature-params`.
 * Throws {@link ComponentError} when a component cannot be derived or a value contains a newline.
 */
export function createSignatureBase(
  subject: SignatureSubject,
  components: readonly ComponentIdentifier[],
  rawParams: Parameters,
): string {
  const lines = components.map((id) => {
    const value = deriveComponentValue(id, subject);
    if (/[\r\n]/.test(value)) throw new ComponentError('component values cannot contain line breaks');
    return `${serializeComponentIdentifier(id)}: ${value}`;
  });
  lines.push(`"@signature-params": ${serializeSignatureParams(components, rawParams)}`);
  return lines.join('\n');
}
