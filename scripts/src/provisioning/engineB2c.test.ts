/**
 * The provisioning engine with the B2C user shape (target.platform = 'b2c') against the emulator in B2C mode:
 * the same `$batch`, throttling, checkpoint and resume as External ID, without a UPN of ours to recognize.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BatchRequest } from '../../../lib/graph';
import type { GraphEmulator } from '../../../test/emulators/graph';
import type { ExportRow } from '../legacyExport/types';
import { CheckpointFile, CheckpointMismatchError } from './checkpoint';
import { AdaptiveConcurrency } from './concurrency';
import { provisionUsers, type GraphBatcher, type ProvisionRunOptions } from './engine';
import { ErrorReportFile } from './errorReport';
import { compareWithInput, emulatorClient, exportRows, rowsFrom, startTenant, TENANT_DOMAIN, usersWithEmail } from './testing/fixtures';
import { SimulatedCrash } from './testing/simulatedCrash';
import type { ProvisioningTarget } from './target';

const MAX_WAIT_MS = 60;
const fastSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, MAX_WAIT_MS)));

describe('provisionUsers with the B2C user shape', () => {
  let emulator: GraphEmulator;
  let migrationProperty: string;
  let dir: string;

  beforeEach(async () => {
    ({ emulator, migrationProperty } = await startTenant({ platform: 'b2c' }, 'requiresMigration'));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-provision-b2c-'));
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const target = (): ProvisioningTarget => ({ domain: TENANT_DOMAIN, migrationProperty, platform: 'b2c' });
  const checkpointFile = () => path.join(dir, 'run.checkpoint.jsonl');
  const emailsOf = (rows: readonly ExportRow[]) => rows.map((_, index) => `user${index + 1}@example.com`);

  type Overrides = Partial<ProvisionRunOptions> & { maxConcurrency?: number; wrapGraph?: (graph: GraphBatcher) => GraphBatcher; crash?: SimulatedCrash };

  async function start(rows: readonly ExportRow[], overrides: Overrides = {}) {
    const { maxConcurrency, wrapGraph, crash, ...options } = overrides;
    const concurrency = new AdaptiveConcurrency({ max: maxConcurrency ?? 4 });
    const client = emulatorClient(emulator, {
      sleep: crash ? crash.sleep(fastSleep) : fastSleep,
      onThrottle: (info) => concurrency.onThrottle({ ...info, retryAfterMs: Math.min(info.retryAfterMs, MAX_WAIT_MS) }),
    });
    const checkpoint = await CheckpointFile.open(checkpointFile(), target());
    const errors = await ErrorReportFile.create(path.join(dir, 'run.errors.jsonl'));
    let graph: GraphBatcher = wrapGraph ? wrapGraph(client) : client;
    if (crash) graph = crash.graph(graph);
    const running = provisionUsers({ rows: rowsFrom(rows), target: target(), graph, checkpoint: crash ? crash.checkpoint(checkpoint) : checkpoint, errors, concurrency, ...options });
    const close = async () => {
      await checkpoint.close();
      await errors.close();
    };
    return { running, close };
  }

  async function run(rows: readonly ExportRow[], overrides: Overrides = {}) {
    const { running, close } = await start(rows, overrides);
    try {
      return await running;
    } finally {
      await close();
    }
  }

  /** Records every email a POST /users carried. */
  const recordCreates = (sent: string[]) => (graph: GraphBatcher): GraphBatcher => ({
    batch: (async (requests: BatchRequest[]) => {
      for (const request of requests) {
        if (request.method !== 'POST') continue;
        const identities = (request.body as { identities: Array<{ issuerAssignedId: string }> }).identities;
        sent.push(identities[0]?.issuerAssignedId ?? '');
      }
      return graph.batch(requests);
    }) as GraphBatcher['batch'],
  });

  it('writes a B2C checkpoint: the platform in the header, no UPN on the lines', async () => {
    const summary = await run(exportRows(5));
    expect(summary).toMatchObject({ created: 5, failedTotal: 0 });
    const lines = (await fs.readFile(checkpointFile(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ format: 'jitmigrate-provision-users', domain: TENANT_DOMAIN, migrationProperty, platform: 'b2c' });
    expect(lines.filter((line) => line.state === 'sending')).toHaveLength(5);
    expect(lines.some((line) => 'upn' in line)).toBe(false);
    const [user] = usersWithEmail(emulator, 'user1@example.com');
    expect(user?.userPrincipalName).toBe(`${String(user?.id)}@${TENANT_DOMAIN}`); // made by the tenant, not by us
  });

  it('refuses to resume a B2C checkpoint as External ID, and the other way round', async () => {
    await run(exportRows(2));
    await expect(CheckpointFile.open(checkpointFile(), { domain: TENANT_DOMAIN, migrationProperty })).rejects.toThrow(CheckpointMismatchError);
    await expect(CheckpointFile.open(checkpointFile(), { domain: TENANT_DOMAIN, migrationProperty })).rejects.toThrow(/written for --platform b2c/);
    const externalId = path.join(dir, 'external-id.checkpoint.jsonl');
    await (await CheckpointFile.open(externalId, { domain: TENANT_DOMAIN, migrationProperty })).close();
    await expect(CheckpointFile.open(externalId, target())).rejects.toThrow(/written for --platform externalId/);
  });

  it('rides out 429s: every user created once', async () => {
    // Fewer writes per window than a batch holds: every full batch meets a 429, however slow the machine.
    emulator.setThrottle({ writesPerWindow: 10, windowMs: 60 });
    const rows = exportRows(200);
    const summary = await run(rows, { maxConcurrency: 8 });
    expect(emulator.stats.throttled).toBeGreaterThan(0);
    expect(summary.throttled).toBeGreaterThan(0);
    expect(summary).toMatchObject({ created: 200, failedTotal: 0 });
    expect(compareWithInput(emulator, emailsOf(rows))).toEqual({ lost: 0, duplicated: 0, users: 200 });
  });

  it('survives a crash that loses answers: the resume looks in-doubt users up instead of sending them again', async () => {
    emulator.setFaults({ latencyMs: 1 });
    const rows = exportRows(400);
    const crash = new SimulatedCrash();
    let answered = 0;
    const crashed = await start(rows, {
      maxConcurrency: 6,
      crash,
      wrapGraph: (graph) => ({
        batch: (async (requests: BatchRequest[]) => {
          const responses = await graph.batch(requests);
          if (++answered === 6) crash.crash();
          return responses;
        }) as GraphBatcher['batch'],
      }),
    });
    void crashed.running; // never settles, like a killed process
    await waitFor(() => crash.hasCrashed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await crashed.close();
    const before = compareWithInput(emulator, emailsOf(rows));
    expect(before.duplicated).toBe(0);
    expect(before.users).toBeLessThan(400);
    const inTenant = new Set([...emulator.users.values()].map((user) => String((user.identities as Array<{ issuerAssignedId: string }>)[0]?.issuerAssignedId)));
    const lines = (await fs.readFile(checkpointFile(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = new Map(lines.filter((line) => typeof line.record === 'number').map((line) => [line.record, line]));
    const inDoubt = [...last.values()].filter((line) => line.state === 'sending' && inTenant.has(String(line.email)));
    expect(inDoubt.length).toBeGreaterThan(0);

    const sent: string[] = [];
    const resumed = await run(rows, { maxConcurrency: 6, wrapGraph: recordCreates(sent) });
    expect(compareWithInput(emulator, emailsOf(rows))).toEqual({ lost: 0, duplicated: 0, users: 400 });
    expect(resumed.failedTotal).toBe(0);
    // Looked up first: no create went out for a user already in the tenant.
    expect(sent.filter((email) => inTenant.has(email))).toEqual([]);
    // B2C makes the UPN, so an in-doubt user found in the tenant cannot be told from another's: it counts as exists.
    expect(resumed.exists).toBe(inDoubt.length);
    expect(resumed.created + resumed.exists + resumed.skippedByResume).toBe(400);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
