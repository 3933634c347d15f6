import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { IConstruct } from 'constructs';
import { isPublicMethod, type AuthRouteLike } from './config/api-config';

/** A method found on a protected API that has no authorization and is not public in config. */
export interface UnprotectedMethod {
  readonly constructPath: string;
  readonly httpMethod: string;
  readonly path: string;
}

/** Whether a method has any authorization (a Lambda, Cognito or IAM authorizer). */
function isAuthorized(method: apigateway.Method): boolean {
  const cfn = method.node.defaultChild;
  if (!(cfn instanceof apigateway.CfnMethod)) return false;
  const type = cfn.authorizationType;
  return type !== undefined && type !== 'NONE';
}

/**
 * Every method under `scope` (a `RestApi`, or an imported one to which methods were added) that has
 * no authorization and whose route is not public in `auth.routes`. CORS preflight (`OPTIONS`) is public.
 */
export function findUnprotectedMethods(
  scope: IConstruct,
  rules: readonly AuthRouteLike[],
): UnprotectedMethod[] {
  const found: UnprotectedMethod[] = [];
  for (const child of scope.node.findAll()) {
    if (!(child instanceof apigateway.Method)) continue;
    if (isAuthorized(child)) continue;
    if (isPublicMethod(rules, child.httpMethod, child.resource.path)) continue;
    found.push({ constructPath: child.node.path, httpMethod: child.httpMethod, path: child.resource.path });
  }
  return found;
}

/** The synth error text of an unprotected method. */
export function describeUnprotected(m: UnprotectedMethod): string {
  return (
    `${m.httpMethod} ${m.path} (${m.constructPath}) has no authorizer and is not listed public in auth.routes; ` +
    'attach the JWT authorizer or add a rule with "public": true'
  );
}
