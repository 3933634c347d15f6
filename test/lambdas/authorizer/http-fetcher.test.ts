import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpFetcher,
  isFetchableDiscoveredJwksUri,
  isFetchableUrl,
} from '../../../lambdas/authorizer/http-fetcher';
import { toAuthorizerError } from '../../../lambdas/authorizer/library-errors';
import { FetchError, JwtExpiredError, JwtInvalidSignatureError, JwtParseError } from 'aws-jwt-verify/error';

describe('isFetchableUrl', () => {
  it.each<[string, boolean]>([
    ['https://idp.example.com/jwks', true],
    ['http://127.0.0.1:8080/jwks', true],
    ['http://localhost/jwks', true],
    ['http://[::1]:9/jwks', true],
    ['http://idp.example.com/jwks', false],
    ['http://127.0.0.1.nip.io/jwks', false],
    ['https://user:pass@idp.example.com/jwks', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isFetchableUrl(url)).toBe(expected);
  });
});

describe('isFetchableDiscoveredJwksUri (a jwks_uri from discovery metadata)', () => {
  it.each<[string, string, boolean]>([
    ['https://idp.example.com/jwks', 'https://idp.example.com', true],
    ['https://keys.example.net/jwks', 'https://idp.example.com', true],
    ['https://idp.example.com/jwks', 'http://127.0.0.1:8080', true],
    ['http://127.0.0.1:8080/jwks', 'http://127.0.0.1:8080/realms/x', true],
    ['http://localhost:8080/jwks', 'http://localhost:8080', true],
    ['http://[::1]:8080/jwks', 'http://[::1]:8080', true],
    ['http://127.0.0.1:9001/2018-06-01/runtime/invocation/next', 'https://idp.example.com', false],
    ['http://localhost:9001/jwks', 'https://idp.example.com', false],
    ['http://[::1]:9001/jwks', 'https://idp.example.com', false],
    ['http://127.0.0.1:9001/jwks', 'http://127.0.0.1:8080', false],
    ['http://127.0.0.1:8080/jwks', 'http://localhost:8080', false],
    ['http://idp.example.com/jwks', 'http://idp.example.com', false],
    ['https://user:pass@idp.example.com/jwks', 'https://idp.example.com', false],
    ['not a url', 'https://idp.example.com', false],
  ])('%s for issuer %s → %s', (jwksUri, issuer, expected) => {
    expect(isFetchableDiscoveredJwksUri(jwksUri, issuer)).toBe(expected);
  });
});

describe('HttpFetcher (servers on 127.0.0.1)', () => {
  let server: Server;
  let origin: string;
  let hits: string[];

  beforeAll(async () => {
    hits = [];
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/ok') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"keys":[]}');
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/ok' });
        res.end();
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.end('x'.repeat(600 * 1024));
      } else if (req.url === '/hang') {
        // never answers; the fetcher's timeout must fire
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  const fetcher = new HttpFetcher({ timeoutMs: 300 });

  it('happy flow: returns the body of a 200', async () => {
    const body = await fetcher.fetch(`${origin}/ok`);
    expect(Buffer.from(body).toString()).toBe('{"keys":[]}');
  });

  it.each(['/redirect', '/big', '/hang', '/error'])('error flow: %s is refused', async (path) => {
    await expect(fetcher.fetch(`${origin}${path}`)).rejects.toBeInstanceOf(FetchError);
  });

  it('error flow: a redirect is not followed', async () => {
    hits.length = 0;
    await fetcher.fetch(`${origin}/redirect`).catch(() => undefined);
    expect(hits).toEqual(['/redirect']);
  });

  it('error flow: plain http to a non-loopback host is refused before any connection', async () => {
    await expect(fetcher.fetch('http://idp.example.com/jwks')).rejects.toBeInstanceOf(FetchError);
  });
});

describe('toAuthorizerError (library errors → reason codes)', () => {
  it.each<[string, Error, string]>([
    ['parse', new JwtParseError('x'), 'malformed'],
    ['signature', new JwtInvalidSignatureError('x'), 'bad_signature'],
    ['expired', new JwtExpiredError('x', 1), 'expired'],
    ['fetch', new FetchError('https://x', 'down'), 'jwks_unavailable'],
    ['anything else', new TypeError('boom'), 'internal_error'],
  ])('%s → %s', (_name, error, reason) => {
    expect(toAuthorizerError(error).reason).toBe(reason);
  });
});
