/**
 * The AWS Lambda service cannot run on this machine, so these tests replace the LambdaClient with a
 * fake whose `send` records the command and answers with a chosen InvokeCommand output. Everything
 * else — command construction, payload encoding, error mapping, result validation — is the real code.
 */
import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LambdaBackendInvoker } from '../../../lambdas/guard/backend-invoker';
import { BackendFailureError } from '../../../lambdas/guard/errors';

const ORDERS_FN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';
/** The parts of an InvokeCommand output the invoker reads (the SDK wraps Payload in a blob adapter). */
interface FakeOutput {
  readonly StatusCode?: number;
  readonly FunctionError?: string;
  readonly Payload?: Uint8Array;
}

const event = { httpMethod: 'POST', path: '/orders', body: '{"item":"book"}' } as APIGatewayProxyEvent;

function fakeLambda(answer: () => Promise<FakeOutput>): {
  client: LambdaClient;
  sent: InvokeCommand[];
} {
  const sent: InvokeCommand[] = [];
  const client = {
    send: (command: InvokeCommand) => {
      sent.push(command);
      return answer();
    },
  } as unknown as LambdaClient;
  return { client, sent };
}

const payloadOf = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

describe('LambdaBackendInvoker', () => {
  it('happy flow: invokes the route backend synchronously with the unchanged proxy event', async () => {
    const result = { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"o-1"}' };
    const { client, sent } = fakeLambda(() =>
      Promise.resolve({ StatusCode: 200, Payload: payloadOf(result) }),
    );
    const invoker = new LambdaBackendInvoker(client, { 'POST /orders': ORDERS_FN });

    await expect(invoker.invoke('POST /orders', event)).resolves.toEqual(result);

    expect(sent).toHaveLength(1);
    const input = sent[0]!.input;
    expect(input.FunctionName).toBe(ORDERS_FN);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual(event);
  });

  it('error flow: a route without a backend is never invoked', async () => {
    const { client, sent } = fakeLambda(() => Promise.resolve({ Payload: payloadOf({}) }));
    const invoker = new LambdaBackendInvoker(client, { 'POST /orders': ORDERS_FN });
    await expect(invoker.invoke('GET /profile', event)).rejects.toBeInstanceOf(BackendFailureError);
    expect(sent).toHaveLength(0);
  });

  it.each<[string, () => Promise<FakeOutput>]>([
    ['the invocation fails', () => Promise.reject(new Error('throttled'))],
    [
      'the function reports an error',
      () => Promise.resolve({ FunctionError: 'Unhandled', Payload: payloadOf({ errorMessage: 'boom' }) }),
    ],
    ['no payload comes back', () => Promise.resolve({ StatusCode: 200 })],
    ['the payload is not JSON', () => Promise.resolve({ Payload: Buffer.from('<html>') })],
    [
      'the payload is not a proxy result',
      () => Promise.resolve({ Payload: payloadOf({ statusCode: 'ok' }) }),
    ],
    [
      'the status code is out of range',
      () => Promise.resolve({ Payload: payloadOf({ statusCode: 700, body: '' }) }),
    ],
  ])('error flow: %s → BackendFailureError (the guard answers 502)', async (_name, answer) => {
    const { client } = fakeLambda(answer);
    const invoker = new LambdaBackendInvoker(client, { 'POST /orders': ORDERS_FN });
    await expect(invoker.invoke('POST /orders', event)).rejects.toBeInstanceOf(BackendFailureError);
  });
});
