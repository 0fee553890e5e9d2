/**
 * Several app identities against the emulator's two ceilings (per app and per tenant, scaled down from Graph's
 * 3,000 per 150 s and 18,000 per 5 min: the tenant allows six apps' writes in twice the window). Paced by the
 * two-level WritePacer, a run is never throttled, spreads its batches over every identity, and resumes.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GraphEmulator } from '../../../test/emulators/graph';
import { CheckpointFile } from './checkpoint';
import { AdaptiveConcurrency } from './concurrency';
import { provisionUsers } from './engine';
import { ErrorReportFile } from './errorReport';
import { appIds, compareWithInput, emulatorClientsAs, exportRows, rowsFrom, startTenant, TENANT_DOMAIN } from './testing/fixtures';
import { WritePacer } from './writeBudget';

const APP_LIMIT = { writes: 20, perMs: 500 };
const TENANT_LIMIT = { writes: 120, perMs: 1000 };
const MARGIN_MS = 200;
const emails = (count: number) => Array.from({ length: count }, (_, index) => `user${index + 1}@example.com`);

describe('provisioning with several app identities under both write ceilings', () => {
  let emulator: GraphEmulator;
  let flag: string;
  let dir: string;

  beforeEach(async () => {
    ({ emulator, migrationProperty: flag } = await startTenant({
      token: undefined,
      throttle: { writesPerWindow: APP_LIMIT.writes, windowMs: APP_LIMIT.perMs, tenantWritesPerWindow: TENANT_LIMIT.writes, tenantWindowMs: TENANT_LIMIT.perMs },
    }));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-multi-identity-'));
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function run(identities: number, users: number, signal?: AbortSignal) {
    const concurrency = new AdaptiveConcurrency({ max: 8 });
    const graph = emulatorClientsAs(emulator, appIds(identities), { onThrottle: (info) => concurrency.onThrottle(info) });
    const checkpoint = await CheckpointFile.open(path.join(dir, `run-${identities}.checkpoint.jsonl`), { domain: TENANT_DOMAIN, migrationProperty: flag });
    const errors = await ErrorReportFile.create(path.join(dir, `run-${identities}.errors.jsonl`));
    try {
      return await provisionUsers({
        rows: rowsFrom(exportRows(users)),
        target: { domain: TENANT_DOMAIN, migrationProperty: flag },
        graph,
        checkpoint,
        errors,
        concurrency,
        // The margin covers a write's delay from our send to the emulator's count; on a loaded CI machine (two
        // Jest workers on two cores) 50 ms was once too little and a batch landed in the next window's count.
        writeBudget: WritePacer.forIdentities(identities, APP_LIMIT, TENANT_LIMIT, Date.now, MARGIN_MS),
        signal,
      });
    } finally {
      await checkpoint.close();
      await errors.close();
    }
  }

  it('one identity stays under its app ceiling: no 429, every user created', async () => {
    const summary = await run(1, 60);
    expect(summary.created).toBe(60);
    expect(emulator.stats.throttled).toBe(0);
    expect([...emulator.writesByApp.keys()]).toEqual(appIds(1));
  }, 20_000);

  it('three identities share the tenant ceiling: no 429, the batches spread over all three', async () => {
    const summary = await run(3, 240);
    expect(summary.created).toBe(240);
    expect(emulator.stats.throttled).toBe(0);
    const perApp = appIds(3).map((appId) => emulator.writesByApp.get(appId) ?? 0);
    expect(perApp.reduce((sum, writes) => sum + writes, 0)).toBe(240);
    for (const writes of perApp) expect(writes).toBeGreaterThanOrEqual(60);
    expect(compareWithInput(emulator, emails(240))).toEqual({ lost: 0, duplicated: 0, users: 240 });
  }, 20_000);

  it('without the tenant level, three identities overrun the tenant ceiling and the emulator throttles them', async () => {
    const concurrency = new AdaptiveConcurrency({ max: 8 });
    const graph = emulatorClientsAs(emulator, appIds(3), { onThrottle: (info) => concurrency.onThrottle(info), sleep: () => Promise.resolve() });
    const checkpoint = await CheckpointFile.open(path.join(dir, 'app-only.checkpoint.jsonl'), { domain: TENANT_DOMAIN, migrationProperty: flag });
    const errors = await ErrorReportFile.create(path.join(dir, 'app-only.errors.jsonl'));
    emulator.setThrottle({ writesPerWindow: 60, windowMs: 60_000, tenantWritesPerWindow: 100, tenantWindowMs: 60_000 });
    const stop = new AbortController();
    const running = provisionUsers({
      rows: rowsFrom(exportRows(180)),
      target: { domain: TENANT_DOMAIN, migrationProperty: flag },
      graph,
      checkpoint,
      errors,
      concurrency,
      writeBudget: WritePacer.forIdentities(3, { writes: 60, perMs: 60_000 }, undefined),
      signal: stop.signal,
    });
    while (emulator.stats.throttled === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    await running;
    await checkpoint.close();
    await errors.close();
    // The tenant's 100, whichever app sent them; every write past them was refused.
    expect([...emulator.writesByApp.values()].reduce((sum, writes) => sum + writes, 0)).toBe(100);
    expect(emulator.stats.throttled).toBeGreaterThan(0);
  }, 20_000);

  it('resumes a stopped three-identity run: nobody lost, nobody created twice', async () => {
    const stop = new AbortController();
    const first = run(3, 200, stop.signal);
    while (emulator.users.size < 50) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    expect((await first).interrupted).toBe(true);
    // A new process knows nothing of the writes the last one spent: a restart that waits out one tenant window meets no 429.
    await new Promise((resolve) => setTimeout(resolve, TENANT_LIMIT.perMs));
    const resumed = await run(3, 200);
    expect(resumed.failedTotal).toBe(0);
    expect(compareWithInput(emulator, emails(200))).toEqual({ lost: 0, duplicated: 0, users: 200 });
    expect(emulator.stats.throttled).toBe(0);
  }, 20_000);
});
