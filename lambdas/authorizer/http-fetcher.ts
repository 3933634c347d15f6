import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Fetcher } from 'aws-jwt-verify/https';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { loggableUrl } from '../shared/logging/loggable-url';

/** Hosts for which plain http is tolerated (the local identity provider and tests). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a URL may be fetched: https anywhere, http only on loopback. */
export function isFetchableUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Whether a `jwks_uri` found in an issuer's OIDC discovery metadata may be fetched: https only.
 * Plain http is left to an issuer that is itself plain http on loopback (the local identity provider,
 * tests), and then only on the issuer's own origin (scheme, host and port). Tampered metadata can
 * therefore never steer the authorizer to a plain-http service on its host, such as the Lambda
 * Runtime API on http://127.0.0.1:9001.
 */
export function isFetchableDiscoveredJwksUri(jwksUri: string, issuer: string): boolean {
  if (!isFetchableUrl(jwksUri)) return false;
  const url = new URL(jwksUri);
  if (url.protocol === 'https:') return true;
  if (!isFetchableUrl(issuer)) return false;
  const issuerUrl = new URL(issuer);
  return issuerUrl.protocol === 'http:' && issuerUrl.origin === url.origin;
}

export interface HttpFetcherOptions {
  /** Whole-request timeout in milliseconds (connect + response). */
  readonly timeoutMs: number;
  /** Largest accepted response body. @default 512 KiB */
  readonly maxBodyBytes?: number;
}

/**
 * The library's `Fetcher` contract over node:http/https: GET only, no redirects, no keep-alive
 * (nothing outlives the request), a hard timeout and a body size cap. Unlike the library's
 * `SimpleFetcher` it also speaks plain http, but only to loopback hosts.
 */
export class HttpFetcher implements Fetcher {
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(options: HttpFetcherOptions) {
    this.timeoutMs = options.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? 512 * 1024;
  }

  fetch(uri: string): Promise<ArrayBuffer> {
    // Errors name the URL without query, fragment or user info: their messages may reach a log line.
    const shown = loggableUrl(uri);
    if (!isFetchableUrl(uri)) {
      return Promise.reject(
        new NonRetryableFetchError(shown, 'only https (or http on loopback), without user info, is fetched'),
      );
    }
    const send = uri.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise<ArrayBuffer>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, body?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== undefined) {
          req.destroy();
          reject(error);
        } else if (body !== undefined) {
          resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
        }
      };
      const req = send(
        uri,
        { method: 'GET', agent: false, headers: { accept: 'application/json' } },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            finish(new NonRetryableFetchError(shown, `status code ${String(res.statusCode)}, expected 200`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBodyBytes) {
              finish(new NonRetryableFetchError(shown, `response larger than ${this.maxBodyBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            finish(undefined, Buffer.concat(chunks));
          });
          res.on('error', (error) => {
            finish(new FetchError(shown, error.message));
          });
        },
      );
      const timer = setTimeout(() => {
        finish(new FetchError(shown, `timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      req.on('error', (error) => {
        finish(new FetchError(shown, error.message));
      });
      req.end();
    });
  }
}
