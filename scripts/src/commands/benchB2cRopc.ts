/**
 * The B2C-tenant rows of `npm run bench` (LegacyStore=b2c, README "From Azure AD B2C to External ID"): the
 * External ID callout verifying each password by ROPC against the stand-in (test/emulators/b2c/ropc.ts). The
 * stand-in notes when each request arrived and was answered; its own time is the difference, and the callout's
 * overhead is each request's handler time minus that: decryption, lockout, idempotency, the adapter and the
 * loopback hop. The target's row is the stand-in as it is, on loopback. Two rows show the same work after the
 * machine idles, as it does through a real B2C's round trip: idle between requests (no simulated latency), and
 * a simulated B2C latency. "Before B2C" (handler start to the stand-in's arrival) is the same work in every row.
 */
import type { HttpRequest } from '@azure/functions';
import { PasswordSubmitEndpoint } from '../../../function/src/app';
import { RopcStandIn } from '../../../test/emulators/b2c/ropc';
import { percentiles, silent, timeEach } from './benchMeasure';

const TENANT = 'benchb2c.onmicrosoft.com';
const ROPC_APP = '7b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const USERNAME = 'ropc-user@bench.test';
/** A realistic B2C ROPC round trip from an Azure region (our assumption, not a measurement). */
export const SIMULATED_B2C_LATENCY_MS = 50;
const WARM_UP = 10;
/**
 * Each row times this many times the bench's iterations: a p99 of 200 requests is the third-worst one, which
 * on a shared VM swings from under 2 to over 5 ms between runs of the same row.
 */
export const ROPC_SAMPLES_PER_ITERATION = 5;

interface RopcRow {
  readonly label: string;
  /** The stand-in's simulated B2C latency. */
  readonly latencyMs: number;
  /** Idle time before each request, outside its timing. */
  readonly idleBetweenMs: number;
}

const ROWS: readonly RopcRow[] = [
  { label: 'on loopback', latencyMs: 0, idleBetweenMs: 0 },
  { label: `on loopback, machine idle ${SIMULATED_B2C_LATENCY_MS} ms between requests`, latencyMs: 0, idleBetweenMs: SIMULATED_B2C_LATENCY_MS },
  { label: `+ ${SIMULATED_B2C_LATENCY_MS} ms (simulated B2C)`, latencyMs: SIMULATED_B2C_LATENCY_MS, idleBetweenMs: 0 },
];

export const ROPC_HEADER = ['B2C ROPC stand-in', 'handler p50 ms', 'handler p99 ms', "stand-in's own p50 ms", "stand-in's own p99 ms", 'before B2C p50 ms', 'callout overhead p50 ms', 'callout overhead p99 ms'];

export interface RopcBenchOptions {
  /** The External ID settings the other rows use (key, tenant, metadata, budget, PasswordChangeCheck=off). */
  readonly env: Record<string, string>;
  readonly password: string;
  readonly iterations: number;
  /** An Entra-shaped request for this user and the password (built before timing starts). */
  readonly makeRequest: (username: string) => Promise<HttpRequest>;
}

export interface RopcBenchResult {
  readonly rows: string[][];
  /** The target's row: the callout over the stand-in's own latency, on loopback. */
  readonly overheadP99: number;
  /** The explanatory rows': the machine idle between requests, and the simulated B2C latency. */
  readonly idleOverheadP99: number;
  readonly simulatedOverheadP99: number;
}

export async function measureB2cRopc(options: RopcBenchOptions): Promise<RopcBenchResult> {
  const rows: string[][] = [];
  const overheadP99: number[] = [];
  for (const { label, latencyMs, idleBetweenMs } of ROWS) {
    const standIn = await RopcStandIn.start({ tenant: TENANT, clientId: ROPC_APP, latencyMs });
    standIn.addUser(USERNAME, { password: options.password });
    const endpoint = new PasswordSubmitEndpoint({
      ...options.env,
      LegacyStore: 'b2c',
      LegacyB2cTenant: TENANT,
      LegacyB2cClientId: ROPC_APP,
      LegacyB2cTokenUrl: standIn.b2cloginUrl,
      StateStore: 'memory',
    });
    try {
      for (let n = 0; n < WARM_UP; n++) {
        const { status } = await endpoint.handle(await options.makeRequest(USERNAME), silent);
        if (status !== 200) throw new Error(`bench: the B2C ROPC row answered ${status} while warming up`);
      }
      const requests = await Promise.all(Array.from({ length: options.iterations * ROPC_SAMPLES_PER_ITERATION }, () => options.makeRequest(USERNAME)));
      const first = standIn.answered.length;
      const timed = await timeEach((request, sink) => endpoint.handle(request, sink), requests, { idleBetweenMs });
      const answered = standIn.answered.slice(first);
      if (answered.length !== timed.length) throw new Error(`bench: the stand-in answered ${answered.length} of ${timed.length} requests`);
      const handler: number[] = [];
      const own: number[] = [];
      const beforeB2c: number[] = [];
      const overhead: number[] = [];
      timed.forEach(({ startedAt, ms, status, sink }, i) => {
        if (status !== 200 || sink.answer !== 'MigratePassword') throw new Error(`bench: the B2C ROPC row answered ${status} ${sink.answer ?? ''}: see the function's log`);
        const { arrivedAt, answeredAt } = answered[i]!;
        handler.push(ms);
        own.push(answeredAt - arrivedAt);
        beforeB2c.push(arrivedAt - startedAt);
        overhead.push(ms - (answeredAt - arrivedAt));
      });
      const h = percentiles(handler);
      const s = percentiles(own);
      const o = percentiles(overhead);
      overheadP99.push(o.p99);
      rows.push([label, h.p50.toFixed(1), h.p99.toFixed(1), s.p50.toFixed(1), s.p99.toFixed(1), percentiles(beforeB2c).p50.toFixed(1), o.p50.toFixed(1), o.p99.toFixed(1)]);
    } finally {
      await endpoint.close();
      await standIn.stop();
    }
  }
  const [target, idle, simulated] = overheadP99 as [number, number, number];
  return { rows, overheadP99: target, idleOverheadP99: idle, simulatedOverheadP99: simulated };
}
