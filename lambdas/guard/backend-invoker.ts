import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import type { GuardBackends } from '../shared/config/guard-config';
import { BackendFailureError } from './errors';

/** Calls the backend of a guarded route with the (unchanged) proxy event. */
export interface BackendInvoker {
  /** @param route the guard route key, e.g. `"POST /orders"` */
  invoke(route: string, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
}

const headerValue = z.union([z.string(), z.number(), z.boolean()]);

/** What a backend must return: a REST proxy result. */
export const proxyResultSchema = z.looseObject({
  statusCode: z.int().min(100).max(599),
  headers: z.record(z.string(), headerValue).optional(),
  multiValueHeaders: z.record(z.string(), z.array(headerValue)).optional(),
  body: z.string(),
  isBase64Encoded: z.boolean().optional(),
});

/** Checks a backend's answer; anything else becomes a 502. */
export function toProxyResult(value: unknown): APIGatewayProxyResult {
  const parsed = proxyResultSchema.safeParse(value);
  if (!parsed.success)
    throw new BackendFailureError('backend returned no proxy result', { cause: parsed.error });
  return parsed.data;
}

/** AWS: a synchronous Lambda invocation (`RequestResponse`) of the route's backend function. */
export class LambdaBackendInvoker implements BackendInvoker {
  private readonly backends: ReadonlyMap<string, string>;

  constructor(
    private readonly lambda: LambdaClient,
    backends: GuardBackends,
  ) {
    this.backends = new Map(Object.entries(backends));
  }

  async invoke(route: string, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const functionName = this.backends.get(route);
    if (functionName === undefined) throw new BackendFailureError('no backend for route');
    let out;
    try {
      out = await this.lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
    } catch (cause) {
      throw new BackendFailureError('backend invocation failed', { cause });
    }
    if (out.FunctionError !== undefined || out.Payload === undefined) {
      throw new BackendFailureError('backend function error');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(out.Payload).toString('utf8'));
    } catch (cause) {
      throw new BackendFailureError('backend payload is not JSON', { cause });
    }
    return toProxyResult(payload);
  }
}
