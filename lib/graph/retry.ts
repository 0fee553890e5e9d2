/**
 * When to try a Graph request again, and how long to wait first.
 * Graph throttling guidance (learn.microsoft.com/graph/throttling): on 429 wait the `Retry-After` seconds;
 * without it, back off exponentially. The same applies to 503/504 from the directory service.
 */

/** Status codes worth another attempt: throttled or a server-side failure. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * `Retry-After` as milliseconds: delta-seconds (what Graph sends) or an HTTP-date (RFC 9110 10.2.3).
 * Undefined when absent or unparseable, so the caller falls back to a computed back-off.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP-date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone accepts "-3".
  const date = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Exponential back-off with "equal jitter": half the window is fixed, half random, so concurrent
 * callers spread out without ever retrying immediately. `attempt` starts at 0.
 */
export function backoffDelay(attempt: number, { baseMs, capMs, random = Math.random }: BackoffOptions): number {
  const window = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(window / 2 + random() * (window / 2));
}

/** Waits for a 429/5xx without Retry-After: 1 s, 2 s, 4 s … up to 30 s. */
export const THROTTLE_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 30_000 };
/** Waits for a 404 right after a create (directory replication): 0.5 s, 1 s, 2 s … up to 8 s. */
export const REPLICATION_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 8000 };
