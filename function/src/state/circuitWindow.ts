/**
 * The circuit breaker's rule as a pure function (port.ts LegacyCircuit): the memory store applies it in one
 * synchronous step, the table store between a read and a conditional write, so both follow one rule.
 */
import type { CircuitRule, CircuitState } from './port';

export interface CircuitTrip {
  /** Opaque per-user key. */
  readonly subject: string;
  /** Epoch ms of the user's latest trip. */
  readonly at: number;
}

export interface CircuitRecord extends CircuitState {
  readonly trips: readonly CircuitTrip[];
}

/** Distinct subjects kept at most: the threshold's ceiling in the settings, so the cap never changes a decision. */
export const MAX_CIRCUIT_SUBJECTS = 1000;

/**
 * Adds (or refreshes) `subject`'s trip at `now`, drops trips older than the window, and opens the circuit for the
 * cool-down when `threshold` distinct subjects are in the window. An open circuit is not extended by trips while
 * it is open; once it closes, the window starts empty so one late trip does not reopen it.
 */
export function tripIn(record: CircuitRecord, subject: string, now: number, rule: CircuitRule): CircuitRecord {
  if (record.openUntil !== undefined && record.openUntil > now) return record;
  const since = Math.max(now - rule.windowMs, record.openUntil ?? -Infinity);
  const trips = [...record.trips.filter((t) => t.at > since && t.subject !== subject), { subject, at: now }].slice(-MAX_CIRCUIT_SUBJECTS);
  if (trips.length >= rule.threshold) return { trips: [], openUntil: now + rule.cooldownMs };
  return { trips, ...(record.openUntil !== undefined ? { openUntil: record.openUntil } : {}) };
}
