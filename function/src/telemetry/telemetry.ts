/**
 * Structured, App Insights-ready telemetry. Each record is one JSON line whose fields come from an
 * allow-list, so a password, token, JWE or key can never be emitted by accident: unknown fields are dropped.
 * In Azure the Functions host forwards these lines to Application Insights `traces`
 * (query with `traces | extend e = parse_json(message) | where e.event == "jit.passwordSubmit"`).
 */

export type LogLevel = 'info' | 'warn' | 'error';

/** Where lines go: InvocationContext in Azure, a stream in `serve`, an array in tests. */
export interface LogSink {
  write(level: LogLevel, line: string): void;
}

/**
 * Every event the function emits. `Telemetry` accepts no other name, so queries over these names (the
 * dashboard, alerts, README) can be checked against this list.
 */
export const TELEMETRY_EVENTS = [
  'jit.passwordSubmit',
  'jit.unauthorized',
  'jit.badRequest',
  'jit.legacyError',
  /** The B2C tenant's answer shows a misconfiguration (`detail` names the setting and the fix); the health check says the same. */
  'jit.legacyMisconfigured',
  /** A callout answered LegacyErrorAction without calling B2C: the circuit breaker is open (too many throttled or locked answers). */
  'jit.legacyCircuitOpen',
  'jit.stateStoreUnavailable',
  'jit.markMigratedFailed',
  'jit.markSupersededFailed',
  'jit.entraCheckFailed',
  'jit.passwordChangedInEntra',
  'jit.notReady',
  /** One per B2C REST call (README "B2C mode"): `endpoint`, `outcome` and, for a 409, `reason`. */
  'jit.b2cRequest',
] as const;
export type TelemetryEvent = (typeof TELEMETRY_EVENTS)[number];

const ALLOWED_FIELDS = new Set([
  'event',
  'action',
  'reason',
  'scheme',
  'latencyMs',
  'verifyMs',
  /** Time spent on the Entra password check (Graph read), when it ran. */
  'entraMs',
  /** The Entra object id of the user (jit.passwordChangedInEntra): an id, never the sign-in name. */
  'userId',
  'correlationId',
  'invocationId',
  'keyLabel',
  'replayed',
  'legacyStore',
  'stateStore',
  'status',
  'stage',
  'errorName',
  'detail',
  'problems',
  'recentFailures',
  'failedClosed',
  /** B2C mode: which endpoint (signin, signup, password-reset) and its answer (migrated, notLegacy, refused, allowed). */
  'endpoint',
  'outcome',
]);

/** The only fields a record can carry, besides `event`. */
export const TELEMETRY_FIELDS: ReadonlySet<string> = ALLOWED_FIELDS;

export type TelemetryFields = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export class Telemetry {
  constructor(private readonly sink: LogSink) {}

  event(event: TelemetryEvent, fields: TelemetryFields = {}): void {
    this.emit('info', event, fields);
  }

  warn(event: TelemetryEvent, fields: TelemetryFields = {}): void {
    this.emit('warn', event, fields);
  }

  error(event: TelemetryEvent, fields: TelemetryFields = {}): void {
    this.emit('error', event, fields);
  }

  private emit(level: LogLevel, event: TelemetryEvent, fields: TelemetryFields): void {
    const record: Record<string, unknown> = { event };
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined && ALLOWED_FIELDS.has(name)) record[name] = value;
    }
    this.sink.write(level, JSON.stringify(record));
  }
}

/** Describes an error for logs by its class name and a fixed, already-safe message; never a stack. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export const consoleSink: LogSink = {
  write(level, line) {
    (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
  },
};

export function contextSink(context: { log(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void }): LogSink {
  return {
    write(level, line) {
      if (level === 'error') context.error(line);
      else if (level === 'warn') context.warn(line);
      else context.log(line);
    },
  };
}
