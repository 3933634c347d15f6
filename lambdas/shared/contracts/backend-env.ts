/**
 * Environment variables the stack sets on the sample backends (and the request guard). The stack
 * and the Lambdas import the names from here.
 */

/** JSON `{ allowOrigins, exposeHeaders, allowCredentials }`: the CORS allowlist of `api.cors`. */
export const CORS_CONFIG_ENV = 'CORS_CONFIG';
