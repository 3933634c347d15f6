import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { middy } from '../shared/middy';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readCaller } from '../shared/contracts/authorizer-context';
import { signatureChallengeHeaders } from '../shared/http-signatures/accept-signature';
import type { GuardConfig } from '../shared/config/guard-config';
import { toProxyResult, type BackendInvoker } from './backend-invoker';
import { BackendFailureError, GuardError, RouteNotGuardedError, SignatureRejectedError } from './errors';
import { errorMapper, type GuardLogContext } from './error-mapper';
import type { GuardLogger } from './guard-logger';
import { DynamoClientKeyStore } from './key-store';
import { DynamoNonceStore } from './nonce-store';
import { bodyBytes, multiValueQuery, requestPartsFromEvent } from './proxy-request';
import { checkBodyEnvelope, validateRequest } from './request-validation';
import type { ResponseSigner } from './response-signer';
import { signProxyResponse } from './response-signing';
import { resolveRoute } from './route-table';
import { checkRequestSignature, type VerifiedRequestSignature } from './signature-check';

/** What the guard needs from outside; every part is injectable so tests and the local edge use real parts. */
export interface GuardDeps {
  /** DynamoDB client (AWS, or dynalite locally). Nonces and client keys live there. */
  readonly dynamo: DynamoDBClient;
  /**
   * Client for the nonce PutItem only. It must make a single attempt (`maxAttempts: 1`): when a
   * written nonce's response is lost, a retry finds that very item and would reject a legitimate
   * first request as a replay; with one attempt it is a 503 and the client signs again.
   * @default dynamo (give a separate client when `dynamo` retries)
   */
  readonly nonceDynamo?: DynamoDBClient;
  readonly tables: {
    /** Nonce table name (NONCE_TABLE_NAME). */
    readonly nonces: string;
    /** Client-key table name (CLIENT_KEY_TABLE_NAME). */
    readonly clientKeys: string;
  };
  /** Calls the backend of an accepted request. */
  readonly backend: BackendInvoker;
  /** Signs responses of `signResponse` routes and publishes the JWKS. */
  readonly responseSigner: ResponseSigner;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
  /** @default a Powertools Logger with service name `guard` */
  readonly logger?: GuardLogger;
}

/** The guard as a REST proxy handler. `context` is optional for in-process callers. */
export type GuardHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

function jwksResponse(jwks: unknown): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'application/jwk-set+json',
      'Cache-Control': 'public, max-age=300',
      'X-Content-Type-Options': 'nosniff',
    },
    body: JSON.stringify(jwks),
  };
}

/**
 * Builds the request guard: route lookup → body size (413) → media type (415) → RFC 9421 signature,
 * Content-Digest, freshness, key ownership and nonce (401 / 503) → schema validation (400 / 422) →
 * backend → signed response. Errors are mapped to problem+json by one middleware at the edge.
 */
export function createGuard(config: GuardConfig, deps: GuardDeps): GuardHandler {
  const clock = deps.clock ?? Date.now;
  const nowSeconds = (): number => Math.floor(clock() / 1000);
  const logger: GuardLogger = deps.logger ?? new Logger({ serviceName: 'guard' });
  const keys = new DynamoClientKeyStore(
    deps.dynamo,
    deps.tables.clientKeys,
    config.signatures.keyCacheTtlSeconds,
    clock,
  );
  const nonces = new DynamoNonceStore(deps.nonceDynamo ?? deps.dynamo, deps.tables.nonces, nowSeconds);
  const contexts = new WeakMap<APIGatewayProxyEvent, GuardLogContext>();

  async function guard(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const context: GuardLogContext = {
      requestId: event.requestContext.requestId,
      method: event.httpMethod,
      resource: event.resource,
    };
    contexts.set(event, context);

    if (event.httpMethod === 'GET' && event.resource === config.jwksPath) {
      return jwksResponse(await deps.responseSigner.jwks());
    }
    const resolved = resolveRoute(config, event.httpMethod, event.resource);
    if (resolved === undefined) throw new RouteNotGuardedError('no guard route');
    const { key, route } = resolved;
    context.route = key;

    const body = bodyBytes(event);
    const request = requestPartsFromEvent(event);
    const mediaType = checkBodyEnvelope(route, request.headers, body);
    const caller = readCaller(event.requestContext.authorizer);
    if (caller !== undefined) {
      context.sub = caller.sub;
      context.clientId = caller.clientId;
    }

    let verified: VerifiedRequestSignature | undefined;
    if (route.signed) {
      try {
        verified = await checkRequestSignature({
          request,
          body,
          caller,
          settings: config.signatures,
          nowSeconds: nowSeconds(),
          keys,
          nonces,
          onKeyId: (keyId) => {
            context.keyId = keyId;
          },
        });
      } catch (error) {
        if (error instanceof SignatureRejectedError) {
          error.challenge = signatureChallengeHeaders(
            { hasBody: body.length > 0, hasAuthorization: request.headers.has('authorization') },
            config.signatures.digestAlgorithms,
          );
        }
        throw error;
      }
    }

    validateRequest(route.validation, {
      pathParameters: event.pathParameters,
      multiValueQuery: multiValueQuery(event),
      headers: request.headers,
      body,
      mediaType,
    });

    let result: APIGatewayProxyResult;
    try {
      result = toProxyResult(await deps.backend.invoke(key, event));
    } catch (cause) {
      if (cause instanceof GuardError) throw cause;
      throw new BackendFailureError('backend failed', { cause });
    }
    // The backend has run: a later failure (response signing) is logged with its status.
    context.backendStatus = result.statusCode;
    if (route.signResponse && verified !== undefined) {
      result = await signProxyResponse(result, request, verified, deps.responseSigner, nowSeconds());
    }
    logger.info('guard accepted request', { ...context, status: result.statusCode, signed: route.signed });
    return result;
  }

  const wrapped = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(errorMapper(logger, (event) => contexts.get(event)))
    .handler(guard);
  return (event, context) => wrapped(event, context ?? ({} as Context));
}
