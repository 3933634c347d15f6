import type { ConfigIssue } from '../../lambdas/shared/config/config-error';

/** The parts of the edge configuration the client-registry checks read. */
export interface ClientRegistryCheckInput {
  readonly auth: { readonly clients?: object | undefined };
  readonly api?:
    | {
        readonly apiKeys: { readonly source: 'HEADER' | 'AUTHORIZER'; readonly required: boolean };
        readonly usagePlans: readonly unknown[];
      }
    | undefined;
}

/**
 * Cross-section errors between `auth.clients` (the client registry) and `api.apiKeys`/`api.usagePlans`.
 * The `api` checks apply only when the document has an `api` section (the attach-only mode may have
 * none: then the existing API's key source must be set to AUTHORIZER by hand, see docs/stack.md).
 */
export function clientRegistryIssues(config: ClientRegistryCheckInput): ConfigIssue[] {
  const api = config.api;
  if (!api) return [];
  const issues: ConfigIssue[] = [];
  const clients = config.auth.clients !== undefined;
  if (clients && api.apiKeys.source !== 'AUTHORIZER') {
    issues.push({
      path: 'api.apiKeys.source',
      message:
        'must be "AUTHORIZER" when auth.clients is set: with "HEADER" API Gateway ignores the usageIdentifierKey ' +
        'the client registry returns and takes the key from x-api-key instead; set api.apiKeys.source to ' +
        '"AUTHORIZER" (or remove auth.clients)',
    });
  }
  if (clients && api.usagePlans.length === 0) {
    issues.push({
      path: 'api.usagePlans',
      message:
        'needs at least one tier when auth.clients is set: every client is registered to a usage plan tier ' +
        '(npm run clients -- register --client-id ID --tier NAME)',
    });
  }
  if (!clients && api.apiKeys.source === 'AUTHORIZER' && api.apiKeys.required) {
    issues.push({
      path: 'auth.clients',
      message:
        'is required when api.apiKeys.source is "AUTHORIZER" and api.apiKeys.required is true: only the client ' +
        'registry gives the authorizer a usageIdentifierKey to return, so every protected call would get 403; ' +
        'add "clients": {} to auth and register clients (npm run clients), or set api.apiKeys.source to "HEADER"',
    });
  }
  return issues;
}

/** Cross-section warnings: legal configurations that probably do not do what was meant. */
export function clientRegistryWarnings(config: ClientRegistryCheckInput): string[] {
  const api = config.api;
  if (!api || config.auth.clients === undefined || api.apiKeys.required) return [];
  return [
    'auth.clients is set but api.apiKeys.required is false: API Gateway applies usage plans only to methods ' +
      'that require an API key, so clients are not metered per tier (the registry still refuses unknown ' +
      'clients and passes clientTier to backends). Set api.apiKeys.required to true to meter them.',
  ];
}
