/** The health document of `GET /health` (a public route: no caller, no secrets, no versions of dependencies). */
export interface Health {
  readonly status: 'ok';
  readonly service: string;
  /** Seconds since this Lambda instance started. */
  readonly uptimeSeconds: number;
  readonly time: string;
}

/** Builds the health document. */
export function health(service: string, startedAt: Date, now: Date): Health {
  return {
    status: 'ok',
    service,
    uptimeSeconds: Math.max(0, Math.floor((now.getTime() - startedAt.getTime()) / 1000)),
    time: now.toISOString(),
  };
}
