/**
 * Errors the constructs raise at synth time. Each names the construct path and the property, so a
 * failing `cdk synth` points at the line to fix.
 */
export abstract class EdgeSynthError extends Error {}

/** A construct property is out of range or contradicts another. */
export class InvalidPropertyError extends EdgeSynthError {
  override readonly name = 'InvalidPropertyError';
  /** Construct path, e.g. `Edge/Authorizer`. */
  readonly constructPath: string;
  /** Property name, e.g. `resultsCacheTtl`. */
  readonly property: string;

  constructor(constructPath: string, property: string, message: string) {
    super(`${constructPath}: ${property} ${message}`);
    this.constructPath = constructPath;
    this.property = property;
  }
}
