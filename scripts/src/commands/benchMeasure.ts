/**
 * How `npm run bench` measures one row (bench.ts, benchB2c.ts): handler latency at concurrency 1, each request's
 * overhead (its handler time minus its own look-up and verify, from its telemetry), the hashing floor, and
 * throughput at a concurrency against the floor's with the event loop's longest stall. One copy for the
 * External ID callout's rows and the B2C endpoints'.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { HashRegistry } from '../../../function/src/hashing';
import type { LogSink } from '../../../function/src/telemetry';

/** The per-request events that carry the handler's own timings: the External ID callout's and the B2C endpoints'. */
const TIMED_EVENTS = new Set(['jit.passwordSubmit', 'jit.b2cRequest']);

export const silent: LogSink = { write: () => undefined };

/** Keeps the answer and timings of a request's jit.passwordSubmit or jit.b2cRequest event. */
export class SubmitTimesSink implements LogSink {
  /** The callout's `action`, or the B2C endpoint's `outcome`. */
  answer?: string;
  /** The request's own look-up and verify; absent from a replayed answer (the first answer again, nothing verified). */
  verifyMs?: number;
  /** The handler's own timing of the Graph read; absent when the check did not run. */
  entraMs?: number;
  write(_level: string, line: string): void {
    const event = JSON.parse(line) as { event?: string; action?: string; outcome?: string; verifyMs?: number; entraMs?: number };
    if (event.event === undefined || !TIMED_EVENTS.has(event.event)) return;
    this.answer = event.action ?? event.outcome;
    if (typeof event.verifyMs === 'number') this.verifyMs = event.verifyMs;
    if (typeof event.entraMs === 'number') this.entraMs = event.entraMs;
  }
}

/** One endpoint's entry point: `PasswordSubmitEndpoint.handle`, or `handleB2c` bound to a route. */
export type Send = (request: HttpRequest, sink: LogSink) => Promise<HttpResponseInit>;

export interface Stats {
  p50: number;
  p99: number;
}

export function percentiles(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/**
 * Sends the requests one at a time (concurrency 1): each one's start (performance.now()), handler time and own
 * telemetry. `idleBetweenMs` leaves the process idle before each request, outside its timing.
 */
export async function timeEach(
  send: Send,
  requests: readonly HttpRequest[],
  options: { idleBetweenMs?: number } = {},
): Promise<Array<{ startedAt: number; ms: number; status: number | undefined; sink: SubmitTimesSink }>> {
  const results: Array<{ startedAt: number; ms: number; status: number | undefined; sink: SubmitTimesSink }> = [];
  for (const request of requests) {
    if (options.idleBetweenMs) await new Promise((resolve) => setTimeout(resolve, options.idleBetweenMs));
    const sink = new SubmitTimesSink();
    const startedAt = performance.now();
    const response = await send(request, sink);
    results.push({ startedAt, ms: performance.now() - startedAt, status: response.status, sink });
  }
  return results;
}

export function markdownTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

/** The hash-row table's columns after the row's name. */
export function rowHeader(firstColumn: string, concurrency: number): string[] {
  return [firstColumn, 'handler p50 ms', 'handler p99 ms', 'floor p50 ms', 'floor p99 ms', 'overhead p50 ms', 'overhead p99 ms', `handler req/s (c=${concurrency})`, 'floor verifies/s', 'vs floor', 'max loop stall ms', 'longest GC ms'];
}

/** How many requests a row's throughput run sends (a row sends `iterations` more at concurrency 1 before it). */
export function loadRequestCount(iterations: number, concurrency: number): number {
  return Math.max(concurrency * 4, iterations);
}

export interface RowMeasure {
  readonly name: string;
  readonly hash: string;
  readonly password: string;
  /** The answer every request must get (`action` or `outcome`): any other would measure another path. */
  readonly expectedAnswer: string;
  readonly send: Send;
  /** A new request; all are built before timing starts. */
  readonly makeRequest: () => Promise<HttpRequest>;
}

export interface RowResult {
  readonly cells: string[];
  readonly overheadP99: number;
  /** Handler throughput over the floor's. */
  readonly ratio: number;
  /** The event loop's longest stall during the throughput run, ms. */
  readonly stall: number;
}

/** One table row: `iterations` requests at concurrency 1, then `loadRequestCount` at `concurrency`. */
export async function measureRow(row: RowMeasure, registry: HashRegistry, iterations: number, concurrency: number): Promise<RowResult> {
  const { name, hash, password, send, makeRequest } = row;
  const floorSamples: number[] = [];
  for (let n = 0; n < iterations; n++) {
    const t = performance.now();
    const r = await registry.verify(password, hash);
    floorSamples.push(performance.now() - t);
    if (!r.ok) throw new Error(`bench: ${name} did not verify`);
  }
  const requests = await Promise.all(Array.from({ length: iterations }, () => makeRequest()));
  const handlerSamples: number[] = [];
  const overheadSamples: number[] = [];
  for (const { ms, status, sink } of await timeEach(send, requests)) {
    if (status !== 200 || sink.answer !== row.expectedAnswer) throw new Error(`bench: ${name}: handler answered ${status} ${sink.answer ?? ''}`);
    if (sink.verifyMs === undefined) throw new Error(`bench: ${name}: a request was answered without a look-up and verify (a replayed answer): each request must be new`);
    handlerSamples.push(ms);
    // The same request's own look-up and verification, from its telemetry: what the handler adds to it.
    overheadSamples.push(ms - sink.verifyMs);
  }
  const overhead = percentiles(overheadSamples);
  const floor = percentiles(floorSamples);
  const handler = percentiles(handlerSamples);

  const total = loadRequestCount(iterations, concurrency);
  const floorRate = await runConcurrent(total, concurrency, async () => void (await registry.verify(password, hash)));
  const loadRequests = await Promise.all(Array.from({ length: total }, () => makeRequest()));
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  // The longest garbage-collection pause of the main thread: the part of a stall that is not hashing's.
  let longestGc = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  histogram.enable();
  const handlerRate = await runConcurrent(total, concurrency, async (n) => void (await send(loadRequests[n]!, silent)));
  histogram.disable();
  gcObserver.disconnect();
  const stall = histogram.max / 1e6;
  return {
    overheadP99: overhead.p99,
    ratio: handlerRate / floorRate,
    stall,
    cells: [
      name,
      handler.p50.toFixed(1),
      handler.p99.toFixed(1),
      floor.p50.toFixed(1),
      floor.p99.toFixed(1),
      overhead.p50.toFixed(1),
      overhead.p99.toFixed(1),
      handlerRate.toFixed(1),
      floorRate.toFixed(1),
      `${((handlerRate / floorRate) * 100).toFixed(0)} %`,
      stall.toFixed(1),
      longestGc.toFixed(1),
    ],
  };
}
