/** Telemetry's public entry: the allow-listed events and their sinks. */
export * from './telemetry';
