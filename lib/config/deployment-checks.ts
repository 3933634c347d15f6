import type { ConfigIssue } from '../../lambdas/shared/config/config-error';
import { loggableUrl } from '../../lambdas/shared/logging/loggable-url';

/** The parts of the `auth` section the deployment checks read. */
export interface DeploymentAuthCheckInput {
  readonly issuers: readonly { readonly issuer: string; readonly jwksUri?: string | undefined }[];
}

/** An IPv4 address in 127.0.0.0/8 or 0.0.0.0, as the WHATWG URL parser normalizes it. */
const LOOPBACK_IPV4 = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0)$/;
/** `::1`, `::`, and IPv4-mapped 127.0.0.0/8 (`::ffff:7fxx:xxxx`), as the URL parser normalizes them. */
const LOOPBACK_IPV6 = /^\[(?:::1|::|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4})\]$/;

/**
 * Whether a URL points at this machine: `localhost` and any `*.localhost` name (RFC 6761),
 * 127.0.0.0/8, `::1`, IPv4-mapped 127.0.0.0/8, and the unspecified addresses `0.0.0.0` / `::`,
 * in any spelling the URL parser normalizes (`127.1`, `2130706433`, `[0:0:0:0:0:0:0:1]`).
 * Not a URL → false (the schema reports that).
 */
export function isLoopbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const host = new URL(value).hostname.toLowerCase().replace(/\.$/, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    LOOPBACK_IPV4.test(host) ||
    LOOPBACK_IPV6.test(host)
  );
}

/**
 * Checks that hold only for a deployment, not for the local edge: every `issuers[i].issuer` and
 * `issuers[i].jwksUri` must be reachable from AWS, so none may be a loopback URL. The authorizer's
 * schema allows plain http on loopback for the local identity provider (`npm start` builds that
 * configuration in memory and never synthesizes); deployed, the authorizer could not fetch the
 * keys and would deny every request. `prefix` is the path of the `auth` section in the caller's
 * terms (`auth` in the edge config, `authConfig` for the construct).
 */
export function deploymentAuthIssues(auth: DeploymentAuthCheckInput, prefix = 'auth'): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [i, issuer] of auth.issuers.entries()) {
    if (isLoopbackUrl(issuer.issuer)) {
      issues.push({
        path: `${prefix}.issuers[${i}].issuer`,
        message:
          `is a loopback URL (${loggableUrl(issuer.issuer)}), which only the local edge can reach; ` +
          "deploy with your identity provider's https issuer",
      });
    }
    if (issuer.jwksUri !== undefined && isLoopbackUrl(issuer.jwksUri)) {
      issues.push({
        path: `${prefix}.issuers[${i}].jwksUri`,
        message:
          `is a loopback URL (${loggableUrl(issuer.jwksUri)}), which only the local edge can reach; ` +
          'deploy with your identity provider\'s https JWKS URL (or "discovery": true)',
      });
    }
  }
  return issues;
}
