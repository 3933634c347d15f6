import { readFile } from 'node:fs/promises';
import type { IssuerConfig } from '../lambdas/shared/config/authorizer-config';
import { parseEdgeConfig, parseEdgeConfigJson, type EdgeConfig } from '../lib/config/edge-config';
import { LocalUsageError } from './errors';
import { LOCAL_IDP_ALGORITHMS } from './idp/signing-keys';

/** The example configuration `npm start` runs with unless told otherwise. */
export const DEFAULT_EDGE_CONFIG_PATH = 'config/edge.config.json';

/** Reads and validates an edge configuration document (the same one `cdk synth` uses). */
export async function loadEdgeConfigFile(path: string): Promise<EdgeConfig> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file
  const text = await readFile(path, 'utf8');
  return parseEdgeConfigJson(text, path);
}

/**
 * The configuration the local edge runs: the given document with its trusted issuers replaced by
 * the local identity provider. The first issuer is the template (audience, typ, claim paths,
 * algorithms the local keys can sign), so the authorizer trusts local tokens through the normal
 * configuration path, with OIDC discovery against the local issuer. Everything else is unchanged.
 * Pure: the result is validated with the same schema as the original.
 */
export function buildLocalEdgeConfig(base: EdgeConfig, idp: { readonly issuer: string }): EdgeConfig {
  const template = base.auth.issuers[0];
  if (template === undefined)
    throw new LocalUsageError('the configuration names no issuer to model the local one on');
  const algorithms = template.algorithms.filter((alg) =>
    (LOCAL_IDP_ALGORITHMS as readonly string[]).includes(alg),
  );
  const { jwksUri: _jwksUri, jwks: _jwks, ...rest } = template;
  const local: IssuerConfig = {
    ...rest,
    issuer: idp.issuer,
    discovery: true,
    algorithms: algorithms.length > 0 ? algorithms : [...LOCAL_IDP_ALGORITHMS],
  };
  // Revocations and the client registry live in the local dynalite table (REVOCATION_TABLE_NAME),
  // never in a named AWS table.
  const revocation =
    base.auth.revocation === undefined ? undefined : { ...base.auth.revocation, tableName: undefined };
  const clients =
    base.auth.clients === undefined ? undefined : { ...base.auth.clients, tableName: undefined };
  return parseEdgeConfig(
    {
      ...base,
      auth: {
        ...base.auth,
        issuers: [local],
        ...(revocation === undefined ? {} : { revocation }),
        ...(clients === undefined ? {} : { clients }),
      },
    },
    'local edge config',
  );
}

/** The audience the local identity provider puts in tokens by default: the issuer's first one. */
export function defaultLocalAudience(config: EdgeConfig): string {
  const audience = config.auth.issuers[0]?.audience;
  if (audience === undefined || audience === null) return 'local';
  return typeof audience === 'string' ? audience : (audience[0] ?? 'local');
}
