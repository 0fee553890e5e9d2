/**
 * The failed-attempt window kept per username, as pure functions: the memory store applies them in one
 * synchronous step, the table store between a read and a conditional write, so both follow one rule.
 */
import { randomBytes } from 'node:crypto';

export interface FailureEntry {
  /** Epoch ms of the attempt. */
  readonly at: number;
  /** The reservation's id, so exactly this entry can be released; absent in rows written before reservations. */
  readonly id?: string;
}

export type ReserveStep =
  | { readonly granted: true; readonly failures: number; readonly entries: FailureEntry[] }
  | { readonly granted: false; readonly failures: number };

/** Failures kept per user by default: the largest LockoutThreshold allowed, so the cap never changes a decision. */
export const DEFAULT_MAX_TRACKED_FAILURES = 1000;

/** 48 random bits: unique among one user's reservations in a window, even within one millisecond. */
export function newReservationId(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * The entries in the window that ends at `now`. Entries stamped after `now` count too: another
 * instance's clock may run slightly ahead, and lockout should err towards counting.
 */
export function inWindow(entries: readonly FailureEntry[], now: number, windowMs: number): FailureEntry[] {
  return entries.filter((e) => e.at > now - windowMs);
}

/**
 * Adds the entry `id` at `now` only if fewer than `threshold` entries are in the window; drops those that
 * left it and keeps the newest `maxTracked`. `failures` counts the window, the new entry included.
 */
export function reserveIn(entries: readonly FailureEntry[], now: number, windowMs: number, threshold: number, maxTracked: number, id: string): ReserveStep {
  const current = inWindow(entries, now, windowMs);
  if (current.length >= threshold) return { granted: false, failures: current.length };
  const next = [...current, { at: now, id }].sort((a, b) => a.at - b.at).slice(-maxTracked);
  return { granted: true, failures: next.length, entries: next };
}

/** The entries without reservation `id`, or undefined when it is not there (already released, or expired). */
export function releaseFrom(entries: readonly FailureEntry[], id: string): FailureEntry[] | undefined {
  const index = entries.findIndex((e) => e.id === id);
  return index < 0 ? undefined : entries.filter((_, i) => i !== index);
}
