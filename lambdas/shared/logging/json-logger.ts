/**
 * A lean structured JSON logger that writes the same lines as Powertools Logger — one JSON object per
 * line with `level`, `message`, `timestamp`, `service`, `sampling_rate`, `xray_trace_id` (in Lambda
 * with tracing on), then the caller's fields — for the paths where a log line is written on every
 * request. Powertools Logger's per-line machinery (attribute merging, formatter, console) costs
 * about as much as an RSA signature check; this costs one object, one `JSON.stringify` and one write.
 *
 * Like Powertools: INFO lines go to stdout, WARN and ERROR lines to stderr; fields whose value is
 * `undefined` are left out; the reserved keys above cannot be overwritten by fields (they are dropped).
 * The same rule applies to every caller: never log a token, a signature, a secret or a request body.
 */

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

const LEVEL_RANK: ReadonlyMap<LogLevelName, number> = new Map([
  ['DEBUG', 8],
  ['INFO', 12],
  ['WARN', 16],
  ['ERROR', 20],
  ['SILENT', 28],
]);

/** Keys every line carries; a field of the same name is dropped (Powertools drops it with a warning). */
const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
]);

export interface JsonLoggerOptions {
  /** `service` of every line. */
  readonly serviceName: string;
  /** @default the Powertools environment: `POWERTOOLS_LOG_LEVEL`, else `LOG_LEVEL`, else INFO */
  readonly logLevel?: LogLevelName;
  /** The environment to read the level, sample rate and X-Ray trace id from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function levelName(value: string | undefined): LogLevelName | undefined {
  const upper = value?.toUpperCase() as LogLevelName | undefined;
  return upper !== undefined && LEVEL_RANK.has(upper) ? upper : undefined;
}

const rank = (level: LogLevelName | undefined): number =>
  level === undefined ? 0 : (LEVEL_RANK.get(level) ?? 0);

/** `Root=1-abc-def;Parent=…;Sampled=1` → `1-abc-def`, as Powertools reports it. */
export function xrayTraceId(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const root = header.split(';').find((part) => part.startsWith('Root='));
  return root === undefined ? undefined : root.slice('Root='.length);
}

/** Errors become `{ name, message, stack }` (JSON.stringify would turn them into `{}`). */
function fieldValue(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

/** The fields without reserved keys, Errors expanded. */
function copyFields(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes)
      .filter(([key]) => !RESERVED_KEYS.has(key))
      .map(([key, value]) => [key, fieldValue(value)]),
  );
}

/**
 * `new Date(ms).toISOString()`, computed once per millisecond: a busy authorizer writes several lines
 * in the same millisecond.
 */
class IsoTimestamp {
  private ms = Number.NaN;
  private iso = '';

  now(): string {
    const ms = Date.now();
    if (ms !== this.ms) {
      this.ms = ms;
      this.iso = new Date(ms).toISOString();
    }
    return this.iso;
  }
}

/** Whether the fields must be copied before serializing: a reserved key to drop, or an Error to expand. */
function needsCopy(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) {
    // eslint-disable-next-line security/detect-object-injection -- key comes from the object itself
    if (RESERVED_KEYS.has(key) || attributes[key] instanceof Error) return true;
  }
  return false;
}

/** Structured JSON lines on stdout/stderr, in the Powertools Logger format. */
export class JsonLogger {
  private readonly infoEnabled: boolean;
  private readonly warnEnabled: boolean;
  private readonly errorEnabled: boolean;
  /** `"service":…,"sampling_rate":…`: the same on every line, serialized once. */
  private readonly serviceFields: string;
  private readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * `process.stdout`, opened here: opening it costs 1–3 ms, which belongs to the cold start (run
   * ahead of traffic under proactive initialization), not to the first request's log line.
   */
  private readonly stdout: NodeJS.WriteStream = process.stdout;
  private readonly clock = new IsoTimestamp();
  /** The last message and its JSON text: a logger writes the same few messages over and over. */
  private lastMessage = '';
  private lastMessageJson = '""';
  /** The last `_X_AMZN_TRACE_ID` header and its `,"xray_trace_id":…` member (or ''). */
  private lastTraceHeader: string | undefined;
  private lastTraceMember = '';

  constructor(options: JsonLoggerOptions) {
    this.env = options.env ?? process.env;
    const configured =
      options.logLevel ?? levelName(this.env.POWERTOOLS_LOG_LEVEL) ?? levelName(this.env.LOG_LEVEL) ?? 'INFO';
    // Lambda's advanced logging controls filter out anything below their level anyway (as in Powertools).
    const lambdaLevel = levelName(this.env.AWS_LAMBDA_LOG_LEVEL);
    const threshold = Math.max(rank(configured), rank(lambdaLevel));
    this.infoEnabled = threshold <= rank('INFO');
    this.warnEnabled = threshold <= rank('WARN');
    this.errorEnabled = threshold <= rank('ERROR');
    const rate = Number(this.env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? '0');
    const samplingRate = Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0;
    this.serviceFields = `"service":${JSON.stringify(options.serviceName)},"sampling_rate":${JSON.stringify(samplingRate)}`;
  }

  info(message: string, attributes: Record<string, unknown>): void {
    if (this.infoEnabled) this.stdout.write(this.line('INFO', message, attributes));
  }

  warn(message: string, attributes: Record<string, unknown>): void {
    if (this.warnEnabled) process.stderr.write(this.line('WARN', message, attributes));
  }

  error(message: string, attributes: Record<string, unknown>): void {
    if (this.errorEnabled) process.stderr.write(this.line('ERROR', message, attributes));
  }

  /**
   * One line: the standard fields in Powertools' order, then the caller's fields. The standard part
   * is assembled from JSON-serialized pieces; the fields are one `JSON.stringify` of the caller's
   * object (copied first only when it holds a reserved key or an Error).
   */
  private line(level: LogLevelName, message: string, attributes: Record<string, unknown>): string {
    if (message !== this.lastMessage) {
      this.lastMessage = message;
      this.lastMessageJson = JSON.stringify(message);
    }
    const head =
      `{"level":"${level}","message":${this.lastMessageJson},"timestamp":"${this.clock.now()}",` +
      this.serviceFields +
      this.traceMember();
    const fields = JSON.stringify(needsCopy(attributes) ? copyFields(attributes) : attributes);
    // `fields` is `{}` or `{"key":…}`: drop its braces and append its members.
    return fields.length > 2 ? `${head},${fields.slice(1)}\n` : `${head}}\n`;
  }

  /** `,"xray_trace_id":"1-…"`, or '' without tracing. */
  private traceMember(): string {
    // Read per line: the Lambda runtime sets it for each invocation.
    const header = this.env._X_AMZN_TRACE_ID;
    if (header !== this.lastTraceHeader) {
      this.lastTraceHeader = header;
      const traceId = xrayTraceId(header);
      this.lastTraceMember = traceId === undefined ? '' : `,"xray_trace_id":${JSON.stringify(traceId)}`;
    }
    return this.lastTraceMember;
  }
}
