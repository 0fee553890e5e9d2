/**
 * The B2C-tenant rows of `npm run bench` (LegacyStore=b2c, README "From Azure AD B2C to External ID"): the
 * External ID callout verifying each password by ROPC against the stand-in (test/emulators/b2c/ropc.ts) on
 * loopback, with and without a simulated B2C latency. The stand-in times its own part of every request (from
 * the request's arrival to its answer, the simulated latency included); the callout's overhead is each
 * request's handler time minus that: decryption, lockout, idempotency, the adapter and the loopback hop.
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

export const ROPC_HEADER = ['B2C ROPC stand-in', 'handler p50 ms', 'handler p99 ms', "stand-in's own p50 ms", "stand-in's own p99 ms", 'callout overhead p50 ms', 'callout overhead p99 ms'];

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
  readonly worstOverheadP99: number;
}

export async function measureB2cRopc(options: RopcBenchOptions): Promise<RopcBenchResult> {
  const rows: string[][] = [];
  let worstOverheadP99 = -Infinity;
  for (const latencyMs of [0, SIMULATED_B2C_LATENCY_MS]) {
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
      const requests = await Promise.all(Array.from({ length: options.iterations }, () => options.makeRequest(USERNAME)));
      const first = standIn.latencies.length;
      const timed = await timeEach((request, sink) => endpoint.handle(request, sink), requests);
      const own = standIn.latencies.slice(first);
      if (own.length !== timed.length) throw new Error(`bench: the stand-in answered ${own.length} of ${timed.length} requests`);
      const handler: number[] = [];
      const overhead: number[] = [];
      timed.forEach(({ ms, status, sink }, i) => {
        if (status !== 200 || sink.answer !== 'MigratePassword') throw new Error(`bench: the B2C ROPC row answered ${status} ${sink.answer ?? ''}: see the function's log`);
        handler.push(ms);
        overhead.push(ms - own[i]!);
      });
      const h = percentiles(handler);
      const s = percentiles(own);
      const o = percentiles(overhead);
      worstOverheadP99 = Math.max(worstOverheadP99, o.p99);
      const label = latencyMs === 0 ? 'on loopback' : `+ ${latencyMs} ms (simulated B2C)`;
      rows.push([label, h.p50.toFixed(1), h.p99.toFixed(1), s.p50.toFixed(1), s.p99.toFixed(1), o.p50.toFixed(1), o.p99.toFixed(1)]);
    } finally {
      await endpoint.close();
      await standIn.stop();
    }
  }
  return { rows, worstOverheadP99 };
}
