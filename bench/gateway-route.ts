/** The route the gateway load test calls, and what the server worker tells the load generator. */
export const BENCH_ROUTE = { method: 'GET', path: '/profile' } as const;

export interface GatewayServers {
  /** URL of the benchmarked, authorized route on the local gateway. */
  readonly gatewayUrl: string;
  /** URL of the bare server. */
  readonly bareUrl: string;
  /** `Bearer …` header value for the route. */
  readonly authorization: string;
  /** Status the gateway answered the route with before the load test (must be 200). */
  readonly status: number;
}
