/**
 * What the guard logs through. Powertools' Logger satisfies it. Attributes are reason codes and ids
 * (route, keyid, sub, client id, request id) only: never a signature, token or body.
 */
export interface GuardLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}
