import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TokenRequestError } from '../errors';
import {
  closeServer,
  listenOnLoopback,
  LOOPBACK,
  misdirectedDetail,
  requestAddressedToLoopback,
} from '../listen';
import { BodyTooLargeError, readBody } from '../read-body';
import { mintAccessToken } from './mint-token';
import { publicJwks, type SigningKeys } from './signing-keys';
import { parseTokenRequest } from './token-request';

/** Paths the local identity provider serves. */
export const IDP_PATHS = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/.well-known/jwks.json',
  token: '/token',
} as const;

const MAX_TOKEN_REQUEST_BYTES = 16_384;

export interface LocalIdpOptions {
  readonly keys: SigningKeys;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Audience put in tokens when the request names none. */
  readonly audience: string;
  /** Clock in seconds since the epoch (tests inject one). */
  readonly nowSeconds?: () => number;
  /** Called for every token minted: sub and jti only, never the token. */
  readonly onTokenMinted?: (info: { sub: string; jti: string; alg: string }) => void;
}

/** A running local identity provider. */
export interface LocalIdp {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens and the base of its discovery document. */
  readonly issuer: string;
  readonly port: number;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  close(): Promise<void>;
}

/** The OIDC discovery document of an issuer URL. */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}${IDP_PATHS.jwks}`,
    token_endpoint: `${issuer}${IDP_PATHS.token}`,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    token_endpoint_auth_methods_supported: ['none'],
    grant_types_supported: ['urn:local:mint'],
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(text);
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    { type: 'about:blank', title, status, ...(detail === undefined ? {} : { detail }) },
    extra,
  );
}

/**
 * Starts the local identity provider on 127.0.0.1: OIDC discovery, a JWKS with its RSA and EC keys,
 * and `POST /token` (JSON {sub, roles, scopes, clientId, tenant, ttl, alg}) for scripts.
 * Local only; it has no client authentication and must never be exposed beyond loopback: it
 * listens on 127.0.0.1 and answers 421 to any request not addressed to `127.0.0.1:<port>`,
 * `localhost:<port>` or `[::1]:<port>` (DNS rebinding; see {@link requestAddressedToLoopback}).
 */
export async function startLocalIdp(options: LocalIdpOptions): Promise<LocalIdp> {
  let issuer = '';
  let port = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding: a browser page whose name now points at 127.0.0.1 must not mint tokens.
    if (!requestAddressedToLoopback(req.rawHeaders, req.url ?? '/', port)) {
      problem(res, 421, 'Misdirected Request', misdirectedDetail(port), { connection: 'close' });
      return;
    }
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path === IDP_PATHS.discovery && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, discoveryDocument(issuer), { 'cache-control': 'max-age=60' });
      return;
    }
    if (path === IDP_PATHS.jwks && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, publicJwks(options.keys), { 'cache-control': 'max-age=60' });
      return;
    }
    if (path === IDP_PATHS.token) {
      if (req.method !== 'POST') {
        problem(res, 405, 'Method Not Allowed');
        return;
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        problem(res, 415, 'Unsupported Media Type', 'send a JSON body');
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse((await readBody(req, MAX_TOKEN_REQUEST_BYTES)).toString('utf8'));
      } catch (error) {
        if (error instanceof BodyTooLargeError) problem(res, 413, 'Content Too Large');
        else problem(res, 400, 'Bad Request', 'the body is not JSON');
        return;
      }
      try {
        const request = parseTokenRequest(raw);
        const now = options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
        const minted = mintAccessToken(options.keys, { issuer, audience: options.audience }, request, now);
        options.onTokenMinted?.({ sub: request.sub, jti: minted.jti, alg: request.alg });
        sendJson(res, 200, {
          access_token: minted.accessToken,
          token_type: 'Bearer',
          expires_in: minted.expiresIn,
        });
      } catch (error) {
        if (error instanceof TokenRequestError) {
          sendJson(res, 400, {
            type: 'about:blank',
            title: 'Bad Request',
            status: 400,
            errors: error.issues,
          });
          return;
        }
        throw error;
      }
      return;
    }
    problem(res, 404, 'Not Found');
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) problem(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  port = await listenOnLoopback(server, options.port, {
    service: 'local identity provider',
    envVar: 'IDP_PORT',
    flag: '--idp-port',
  });
  issuer = `http://${LOOPBACK}:${port}`;
  return {
    issuer,
    port,
    jwksUri: `${issuer}${IDP_PATHS.jwks}`,
    tokenEndpoint: `${issuer}${IDP_PATHS.token}`,
    close: () => closeServer(server),
  };
}
