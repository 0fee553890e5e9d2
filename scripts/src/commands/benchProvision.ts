/**
 * `jitmigrate bench-provision`: provisioning throughput against the Graph emulator's write throttle, and
 * crash safety. A benchmark that prints, not a timed test.
 *
 * Throughput is judged against the ceiling the throttle allows (writes per window / window). The emulator's
 * window opens at the first write after the previous one closed, so what a client controls is how full each
 * window is and how soon after one closes it starts the next. The share of the ceiling is therefore taken
 * over the throttled span, from the first window's opening to the last window's opening, reconstructed from
 * the users' createdDateTime: the writes admitted before the last window / that span / the ceiling. A perfect
 * client scores 100 %; the last window (partial, and as long as the emulator takes) is left out. Target 90 %.
 * The end-to-end rate (users / elapsed, set-up included) is printed too.
 *
 * The emulator checks identity uniqueness against every user on each create, so its own speed falls as the
 * tenant fills (about 170 creates/s at 4,000 users on one core): the defaults keep the ceiling below that,
 * so the figure measures this client, not the emulator.
 *
 * Crash safety: a run is cut off mid-way (the answers of the batches in flight, the client's pending retries
 * and every later checkpoint write are lost, as when the process is killed), another is stopped as Ctrl-C
 * stops it; each is resumed from its checkpoint, and the emulated tenant is compared with the input: no user
 * lost, none created twice.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BatchRequest } from '../../../lib/graph';
import type { GraphEmulator } from '../../../test/emulators/graph';
import { formatCount } from '../progressBar';
import { CheckpointFile } from '../provisioning/checkpoint';
import { AdaptiveConcurrency } from '../provisioning/concurrency';
import { provisionUsers, type GraphBatcher, type ProvisionSummary } from '../provisioning/engine';
import { ErrorReportFile } from '../provisioning/errorReport';
import { appIds, compareWithInput, emulatorClient, emulatorClientsAs, exportRows, rowsFrom, startTenant, TENANT_DOMAIN } from '../provisioning/testing/fixtures';
import { SimulatedCrash } from '../provisioning/testing/simulatedCrash';
import { WriteBudget, WritePacer } from '../provisioning/writeBudget';
import { integerOption, parseOptions } from './args';

const HELP = `usage: jitmigrate bench-provision [--users 4000] [--writes 1000] [--window-ms 10000] [--latency-ms 2]
                                  [--max-concurrency 16] [--paced-users 3000] [--resume-users 1500]
                                  [--identity-users 1800] [--app-writes 60] [--app-window-ms 2000]

Provisions --users users against the Graph emulator throttled to --writes writes per --window-ms
(--latency-ms per Graph operation), reacting to 429s only (AIMD + Retry-After); then --paced-users paced
under the known limit; then cuts runs of --resume-users off mid-way (a crash, then Ctrl-C) and resumes
them. Prints throughput as a share of the throttle's ceiling (target 90 %) and users lost or duplicated
(target 0). Then the tenant's whole write budget: the emulator enforces both of Graph's ceilings, scaled
down (--app-writes per --app-window-ms per app; six times as many per twice the window per tenant, as
3,000 per 150 s and 18,000 per 5 min), and --identity-users are provisioned with 1 identity (a third of
them) and with 3: the rate as a share of the tenant ceiling, target >= 95 % with 3 (MET/MISSED).
Takes about two minutes with the defaults.`;

/** Graph's tenant limit over its per-app limit: 18,000 per 5 min against 3,000 per 150 s. */
const TENANT_WRITES_PER_APP_WRITES = 6;
const TENANT_WINDOW_PER_APP_WINDOW = 2;
const TENANT_SHARE_TARGET = 0.95;

const THROUGHPUT_TARGET = 0.9;

interface Settings {
  users: number;
  pacedUsers: number;
  writes: number;
  windowMs: number;
  latencyMs: number;
  maxConcurrency: number;
  resumeUsers: number;
  identityUsers: number;
  appWrites: number;
  appWindowMs: number;
}

interface Row {
  kind: 'throughput' | 'resume' | 'identities';
  scenario: string;
  users: number;
  elapsedMs: number;
  throttledItems: number;
  /** Steady-state share of the ceiling, for throughput scenarios. */
  share?: number;
  lost?: number;
  duplicated?: number;
  note: string;
  met: boolean;
}

export const benchProvisionCommand = {
  summary: "measure provisioning throughput against the Graph emulator's throttling ceiling",
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(
      argv,
      {
        users: { type: 'string' },
        'paced-users': { type: 'string' },
        writes: { type: 'string' },
        'window-ms': { type: 'string' },
        'latency-ms': { type: 'string' },
        'max-concurrency': { type: 'string' },
        'resume-users': { type: 'string' },
        'identity-users': { type: 'string' },
        'app-writes': { type: 'string' },
        'app-window-ms': { type: 'string' },
      },
      HELP,
    );
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const settings: Settings = {
      users: integerOption(values.users, 'users', 4000, 100, 100_000),
      pacedUsers: integerOption(values['paced-users'], 'paced-users', 3000, 100, 100_000),
      writes: integerOption(values.writes, 'writes', 1000, 20, 100_000),
      windowMs: integerOption(values['window-ms'], 'window-ms', 10_000, 1000, 600_000),
      latencyMs: integerOption(values['latency-ms'], 'latency-ms', 2, 0, 1000),
      maxConcurrency: integerOption(values['max-concurrency'], 'max-concurrency', 16, 1, 32),
      resumeUsers: integerOption(values['resume-users'], 'resume-users', 1500, 100, 100_000),
      identityUsers: integerOption(values['identity-users'], 'identity-users', 1800, 60, 100_000),
      appWrites: integerOption(values['app-writes'], 'app-writes', 60, 20, 100_000),
      appWindowMs: integerOption(values['app-window-ms'], 'app-window-ms', 2000, 500, 600_000),
    };
    const ceiling = settings.writes / (settings.windowMs / 1000);
    process.stdout.write(
      `bench-provision: Graph emulator throttled to ${formatCount(settings.writes)} writes per ${settings.windowMs / 1000} s ` +
        `(ceiling ${formatCount(ceiling)} writes/s), ${settings.latencyMs} ms per operation, --max-concurrency ${settings.maxConcurrency}\n`,
    );
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-bench-provision-'));
    const rows: Row[] = [];
    try {
      rows.push(await throughput('adaptive (AIMD + Retry-After)', settings, dir, false));
      rows.push(await throughput('paced at the known limit', settings, dir, true));
      rows.push(await interrupted('crash (answers lost) + resume', settings, dir, 'crash'));
      rows.push(await interrupted('Ctrl-C + resume', settings, dir, 'abort'));
      rows.push(await identities(1, settings, dir));
      rows.push(await identities(3, settings, dir));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    process.stdout.write(`\n${table(rows)}\n`);
    const tenantCeiling = tenantCeilingOf(settings);
    process.stdout.write(
      `share of ceiling = writes admitted before the last throttle window / time from the first window's opening to the last's / ${formatCount(ceiling)} writes/s\n` +
        `identity rows: the same over the emulator's ${identityWindowsNote(settings)}; share of the tenant ceiling (${formatCount(tenantCeiling)} writes/s)\n` +
        rows.filter((row) => row.kind === 'identities').map((row) => `${row.scenario}: ${row.share === undefined ? '-' : `${(row.share * 100).toFixed(1)} %`} of the tenant ceiling${row.scenario.startsWith('3') ? ` (target >= ${TENANT_SHARE_TARGET * 100} %): ${row.met ? 'MET' : 'MISSED'}` : ''}\n`).join('') +
        `${rows.every((row) => row.met) ? 'All targets met.' : 'Some targets were NOT met.'}\n`,
    );
    return 0;
  },
};

interface Wired {
  concurrency: AdaptiveConcurrency;
  graph: GraphBatcher;
  checkpoint: CheckpointFile;
  errors: ErrorReportFile;
  close(): Promise<void>;
}

async function wire(emulator: GraphEmulator, migrationProperty: string, dir: string, name: string, maxConcurrency: number, crash?: SimulatedCrash): Promise<Wired> {
  const concurrency = new AdaptiveConcurrency({ max: maxConcurrency });
  const graph = emulatorClient(emulator, { onThrottle: (info) => concurrency.onThrottle(info), ...(crash ? { sleep: crash.sleep() } : {}) });
  const checkpoint = await CheckpointFile.open(path.join(dir, `${name}.checkpoint.jsonl`), { domain: TENANT_DOMAIN, migrationProperty });
  const errors = await ErrorReportFile.create(path.join(dir, `${name}.errors.jsonl`));
  return {
    concurrency,
    graph,
    checkpoint,
    errors,
    close: async () => {
      await checkpoint.close();
      await errors.close();
    },
  };
}

async function throughput(scenario: string, settings: Settings, dir: string, paced: boolean): Promise<Row> {
  const { emulator, migrationProperty } = await startTenant({ throttle: { writesPerWindow: settings.writes, windowMs: settings.windowMs }, faults: { latencyMs: settings.latencyMs } });
  const users = paced ? settings.pacedUsers : settings.users;
  const rows = exportRows(users);
  const wired = await wire(emulator, migrationProperty, dir, paced ? 'paced' : 'adaptive', settings.maxConcurrency);
  try {
    const summary = await provisionUsers({
      rows: rowsFrom(rows),
      target: { domain: TENANT_DOMAIN, migrationProperty },
      graph: wired.graph,
      checkpoint: wired.checkpoint,
      errors: wired.errors,
      concurrency: wired.concurrency,
      writeBudget: paced ? new WriteBudget({ writes: settings.writes, perMs: settings.windowMs }, Date.now, 50) : undefined,
    });
    const check = compareWithInput(emulator, emails(users));
    const windows = throttleWindows(emulator, settings.windowMs);
    const share = shareOfCeiling(windows, settings);
    return {
      kind: 'throughput',
      scenario,
      users: summary.created,
      elapsedMs: summary.elapsedMs,
      throttledItems: emulator.stats.throttled,
      share,
      lost: check.lost,
      duplicated: check.duplicated,
      note: `${windows.length} windows, peak ${summary.peakConcurrency} batches in flight, ${summary.throttled} throttle pauses`,
      met: share !== undefined && share >= THROUGHPUT_TARGET && check.lost === 0 && check.duplicated === 0 && summary.failedTotal === 0,
    };
  } finally {
    await wired.close();
    await emulator.stop();
  }
}

/** A run cut off at 40 % (crash: answers and checkpoint writes lost; abort: Ctrl-C), then resumed. */
async function interrupted(scenario: string, settings: Settings, dir: string, how: 'crash' | 'abort'): Promise<Row> {
  const { emulator, migrationProperty } = await startTenant({ throttle: { writesPerWindow: settings.writes, windowMs: settings.windowMs }, faults: { latencyMs: settings.latencyMs } });
  const rows = exportRows(settings.resumeUsers);
  const target = { domain: TENANT_DOMAIN, migrationProperty };
  const cutAt = Math.floor(settings.resumeUsers * 0.4);
  const started = Date.now();
  try {
    const crash = new SimulatedCrash();
    const first = await wire(emulator, migrationProperty, dir, how, settings.maxConcurrency, how === 'crash' ? crash : undefined);
    const stop = new AbortController();
    // The crash comes as the answer that passes 40 % arrives: that answer and those of the batches in flight are lost.
    let answered = 0;
    const crashing: GraphBatcher = {
      batch: (async (requests: BatchRequest[]) => {
        const responses = await first.graph.batch(requests);
        answered += requests.length;
        if (answered >= cutAt) crash.crash();
        return responses;
      }) as GraphBatcher['batch'],
    };
    const running = provisionUsers({
      rows: rowsFrom(rows),
      target,
      graph: how === 'crash' ? crash.graph(crashing) : first.graph,
      checkpoint: how === 'crash' ? crash.checkpoint(first.checkpoint) : first.checkpoint,
      errors: first.errors,
      concurrency: first.concurrency,
      signal: stop.signal,
    });
    let firstSummary: ProvisionSummary | undefined;
    if (how === 'crash') {
      while (!crash.hasCrashed) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 250)); // batches in flight still land in Graph
    } else {
      while (emulator.users.size < cutAt) await new Promise((resolve) => setTimeout(resolve, 5));
      stop.abort();
      firstSummary = await running;
    }
    await first.close();
    const atCut = emulator.users.size;

    const second = await wire(emulator, migrationProperty, dir, how, settings.maxConcurrency);
    const inDoubt = second.checkpoint.records.count('sending');
    const resumed = await provisionUsers({ rows: rowsFrom(rows), target, graph: second.graph, checkpoint: second.checkpoint, errors: second.errors, concurrency: second.concurrency });
    await second.close();
    const check = compareWithInput(emulator, emails(settings.resumeUsers));
    const detail =
      how === 'crash'
        ? `cut at ${formatCount(atCut)} users, ${crash.lostAnswers} batch answers lost, ${formatCount(inDoubt)} in doubt, looked up first`
        : `stopped at ${formatCount(firstSummary?.created ?? 0)}, resumed ${formatCount(resumed.created)}`;
    return {
      kind: 'resume',
      scenario,
      users: check.users,
      elapsedMs: Date.now() - started,
      throttledItems: emulator.stats.throttled,
      lost: check.lost,
      duplicated: check.duplicated,
      note: detail,
      met: check.lost === 0 && check.duplicated === 0 && check.users === settings.resumeUsers && resumed.failedTotal === 0,
    };
  } finally {
    await emulator.stop();
  }
}

function tenantCeilingOf(settings: Settings): number {
  return (settings.appWrites * TENANT_WRITES_PER_APP_WRITES) / ((settings.appWindowMs * TENANT_WINDOW_PER_APP_WINDOW) / 1000);
}

function identityWindowsNote(settings: Settings): string {
  return `${formatCount(settings.appWrites)} writes per ${settings.appWindowMs / 1000} s per app and ${formatCount(settings.appWrites * TENANT_WRITES_PER_APP_WRITES)} per ${(settings.appWindowMs * TENANT_WINDOW_PER_APP_WINDOW) / 1000} s per tenant`;
}

/**
 * The tenant's whole write budget: `count` app identities, each a client calling as its own app, paced by the
 * two-level WritePacer under both of the emulator's ceilings. One identity provisions a third of the users (it
 * runs at a third of the rate). The rate is measured as for the throughput rows, over the windows of the ceiling
 * that binds: the app's for one identity, the tenant's for three.
 */
async function identities(count: number, settings: Settings, dir: string): Promise<Row> {
  const appLimit = { writes: settings.appWrites, perMs: settings.appWindowMs };
  const tenantLimit = { writes: settings.appWrites * TENANT_WRITES_PER_APP_WRITES, perMs: settings.appWindowMs * TENANT_WINDOW_PER_APP_WINDOW };
  const { emulator, migrationProperty } = await startTenant({
    token: undefined,
    throttle: { writesPerWindow: appLimit.writes, windowMs: appLimit.perMs, tenantWritesPerWindow: tenantLimit.writes, tenantWindowMs: tenantLimit.perMs },
    faults: { latencyMs: settings.latencyMs },
  });
  const users = count === 1 ? Math.ceil(settings.identityUsers / 3) : settings.identityUsers;
  const concurrency = new AdaptiveConcurrency({ max: settings.maxConcurrency });
  const checkpoint = await CheckpointFile.open(path.join(dir, `identities-${count}.checkpoint.jsonl`), { domain: TENANT_DOMAIN, migrationProperty });
  const errors = await ErrorReportFile.create(path.join(dir, `identities-${count}.errors.jsonl`));
  try {
    const summary = await provisionUsers({
      rows: rowsFrom(exportRows(users)),
      target: { domain: TENANT_DOMAIN, migrationProperty },
      graph: emulatorClientsAs(emulator, appIds(count), { onThrottle: (info) => concurrency.onThrottle(info) }),
      checkpoint,
      errors,
      concurrency,
      writeBudget: WritePacer.forIdentities(count, appLimit, tenantLimit, Date.now, 50),
    });
    const check = compareWithInput(emulator, emails(users));
    const binding = count === 1 ? appLimit : tenantLimit;
    const windows = throttleWindows(emulator, binding.perMs);
    const rate = shareOfCeiling(windows, { writes: binding.writes, windowMs: binding.perMs });
    // shareOfCeiling measures against the binding ceiling; scale it to the tenant's.
    const share = rate === undefined ? undefined : (rate * (binding.writes / binding.perMs)) / (tenantLimit.writes / tenantLimit.perMs);
    const perApp = appIds(count).map((appId) => formatCount(emulator.writesByApp.get(appId) ?? 0));
    const clean = check.lost === 0 && check.duplicated === 0 && summary.failedTotal === 0;
    return {
      kind: 'identities',
      scenario: `${count} identit${count === 1 ? 'y' : 'ies'} (two-level pacing)`,
      users: summary.created,
      elapsedMs: summary.elapsedMs,
      throttledItems: emulator.stats.throttled,
      share,
      lost: check.lost,
      duplicated: check.duplicated,
      note: `writes per app ${perApp.join(' / ')}, ${windows.length} ${count === 1 ? 'app' : 'tenant'} windows`,
      met: count === 1 ? clean : clean && share !== undefined && share >= TENANT_SHARE_TARGET,
    };
  } finally {
    await checkpoint.close();
    await errors.close();
    await emulator.stop();
  }
}

interface ThrottleWindow {
  start: number;
  writes: number;
}

/** The emulator's windows, replayed from the create times: a window opens at the first write after the last one closed. */
function throttleWindows(emulator: GraphEmulator, windowMs: number): ThrottleWindow[] {
  const times = [...emulator.users.values()].map((user) => Date.parse(String(user.createdDateTime))).sort((a, b) => a - b);
  const windows: ThrottleWindow[] = [];
  for (const at of times) {
    const current = windows.at(-1);
    if (current === undefined || at - current.start >= windowMs) windows.push({ start: at, writes: 1 });
    else current.writes++;
  }
  return windows;
}

/** Writes before the last window, over the time until it opened, as a share of the ceiling. */
function shareOfCeiling(windows: ThrottleWindow[], settings: Pick<Settings, 'writes' | 'windowMs'>): number | undefined {
  const first = windows[0];
  const last = windows.at(-1);
  if (first === undefined || last === undefined || windows.length < 2) return undefined;
  const writes = windows.slice(0, -1).reduce((sum, window) => sum + window.writes, 0);
  const ceilingPerMs = settings.writes / settings.windowMs;
  return writes / (last.start - first.start) / ceilingPerMs;
}

function emails(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `user${index + 1}@example.com`);
}

function table(rows: Row[]): string {
  const header = ['scenario', 'users', 'elapsed', 'users/s', 'share of ceiling', '429 items', 'lost', 'dup', 'target', 'met', 'notes'];
  const body = rows.map((row) => [
    row.scenario,
    formatCount(row.users),
    `${(row.elapsedMs / 1000).toFixed(1)} s`,
    formatCount(Math.round(row.users / (row.elapsedMs / 1000))),
    row.share === undefined ? '-' : `${(row.share * 100).toFixed(1)} %`,
    formatCount(row.throttledItems),
    String(row.lost ?? '-'),
    String(row.duplicated ?? '-'),
    row.kind === 'resume' ? '0 lost, 0 dup' : row.kind === 'identities' ? (row.scenario.startsWith('1') ? 'report, 0 lost' : `>= ${TENANT_SHARE_TARGET * 100} % of tenant`) : `>= ${THROUGHPUT_TARGET * 100} %, 0 lost`,
    row.met ? 'yes' : 'NO',
    row.note,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
