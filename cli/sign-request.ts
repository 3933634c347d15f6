/**
 * Signs an HTTP request for the guard (RFC 9421 + RFC 9530) and prints curl-ready headers, or sends
 * it and verifies the signed response.
 *
 *   npm run sign -- --key alice.private.jwk.json --key-id alice-1 \
 *     --method POST --url https://api.example.com/prod/orders \
 *     -H "Authorization: Bearer $TOKEN" --data '{"item":"widget","quantity":1}'
 *   # … add --send to perform the request, and --jwks URL|FILE to verify the response signature.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ResponseVerificationError } from '../client/errors';
import { signRequest, type SignedRequest } from '../client/sign-request';
import { verifyResponse, type ResponseJwks } from '../client/verify-response';

export interface SignCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** fetch (injectable for tests). */
  readonly fetch: typeof fetch;
}

const USAGE = `usage: sign --key PRIVATE_JWK_OR_PEM_FILE --key-id ID --url URL [--method M] [-H "Name: value"]...
            [--data TEXT | --data-file FILE] [--coverage target-uri|authority-path-query]
            [--send [--jwks URL|FILE]]`;

class SignUsageError extends Error {
  override readonly name = 'SignUsageError';
}

/** POSIX shell single-quoting, so the printed command can be pasted as is. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/**
 * `curl …` for a signed request. A body read from a file (`dataFile`) is sent from that file
 * (`--data-binary @FILE`, byte for byte, whatever its encoding), so the file must not change before
 * curl runs; an inline body (`--data` text) is printed inline.
 */
export function curlCommand(signed: SignedRequest, options: { readonly dataFile?: string } = {}): string {
  const parts = ['curl', '-sS', '-i', '-X', signed.method, shellQuote(signed.url)];
  for (const [name, value] of Object.entries(signed.headers))
    parts.push('-H', shellQuote(`${name}: ${value}`));
  if (signed.body !== undefined) {
    parts.push(
      '--data-binary',
      shellQuote(options.dataFile === undefined ? signed.body.toString('utf8') : `@${options.dataFile}`),
    );
  }
  return parts.join(' ');
}

function readKey(path: string): string | Record<string, unknown> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('-----BEGIN')) return text;
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      throw new SyntaxError('forbidden key');
    return value;
  }) as Record<string, unknown>;
}

async function loadJwks(source: string, io: SignCliIo): Promise<ResponseJwks> {
  if (/^https?:\/\//.test(source)) {
    const response = await io.fetch(source);
    if (!response.ok) throw new SignUsageError(`JWKS fetch failed with ${response.status}`);
    return (await response.json()) as ResponseJwks;
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
  return JSON.parse(readFileSync(source, 'utf8')) as ResponseJwks;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 request or verification failed, 2 usage). */
export async function runSign(argv: readonly string[], io: SignCliIo): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        key: { type: 'string' },
        'key-id': { type: 'string' },
        method: { type: 'string', default: 'GET' },
        url: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string' },
        'data-file': { type: 'string' },
        coverage: { type: 'string' },
        send: { type: 'boolean' },
        jwks: { type: 'string' },
      },
      strict: true,
    });
    if (values.key === undefined || values['key-id'] === undefined || values.url === undefined) {
      throw new SignUsageError('--key, --key-id and --url are required');
    }
    if (values.data !== undefined && values['data-file'] !== undefined) {
      throw new SignUsageError('use --data or --data-file, not both');
    }
    if (
      values.coverage !== undefined &&
      values.coverage !== 'target-uri' &&
      values.coverage !== 'authority-path-query'
    ) {
      throw new SignUsageError('--coverage must be target-uri or authority-path-query');
    }
    const headers: Record<string, string> = {};
    for (const line of values.header ?? []) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new SignUsageError(`header "${line.slice(0, 40)}" must be "Name: value"`);
      Object.defineProperty(headers, line.slice(0, colon).trim(), {
        value: line.slice(colon + 1).trim(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file on the command line
    const body = values['data-file'] !== undefined ? readFileSync(values['data-file']) : values.data;
    const signed = await signRequest({
      method: values.method,
      url: values.url,
      headers,
      ...(body === undefined ? {} : { body }),
      key: { keyId: values['key-id'], privateKey: readKey(values.key) },
      ...(values.coverage === undefined ? {} : { coverage: values.coverage }),
    });
    if (values.send !== true) {
      const dataFile = values['data-file'];
      io.out(curlCommand(signed, dataFile === undefined ? {} : { dataFile: resolve(dataFile) }));
      return 0;
    }
    const response = await io.fetch(signed.url, {
      method: signed.method,
      headers: signed.headers,
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });
    const responseBody = Buffer.from(await response.arrayBuffer());
    io.out(`HTTP ${response.status}`);
    response.headers.forEach((value, name) => {
      io.out(`${name}: ${value}`);
    });
    io.out('');
    io.out(responseBody.toString('utf8'));
    if (values.jwks !== undefined) {
      try {
        const { keyId } = verifyResponse({
          response: { status: response.status, headers: response.headers, body: responseBody },
          request: signed,
          jwks: await loadJwks(values.jwks, io),
        });
        io.err(`response signature: valid (key ${keyId})`);
      } catch (error) {
        if (error instanceof ResponseVerificationError) {
          io.err(`response signature: INVALID (${error.reason})`);
          return 1;
        }
        throw error;
      }
    }
    return response.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof SignUsageError || (error instanceof TypeError && 'code' in error)) {
      io.err(`sign: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    io.err(`sign: ${error instanceof Error ? `${error.name}: ${error.message}` : 'failed'}`);
    return 1;
  }
}

if (require.main === module) {
  void runSign(process.argv.slice(2), {
    out: (line) => {
      console.log(line);
    },
    err: (line) => {
      console.error(line);
    },
    fetch,
  }).then((code) => {
    process.exitCode = code;
  });
}
