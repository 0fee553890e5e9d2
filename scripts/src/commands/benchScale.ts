/**
 * `jitmigrate bench-scale` (the last part of `npm run bench`): time and peak memory of the bulk commands at
 * scale, each run as its own process, as an operator runs it, against a generated export of N users:
 *   - import-legacy into the file store, then again over the users file it wrote (the merge of a re-run);
 *   - provision-users resumed from a checkpoint that has all but the last 1,000 users created, against the
 *     Graph emulator (which creates those 1,000): the survey, the checkpoint and the duplicate checks at N;
 *   - status over the users file, against the same emulator.
 * Peak memory is the child's own maximum resident set size (process.resourceUsage().maxRSS, read by a
 * preloaded module as it exits), so the figure is the command's, not this benchmark's. Memory should stay
 * flat from 1 to 10 million users (docs/import-legacy.md#large-exports).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GRAPH_TOKEN_VARIABLE, GRAPH_URL_VARIABLE } from '../../../lib/graph';
import { formatCount } from '../progressBar';
import { CheckpointFile, type OutcomeEntry } from '../provisioning/checkpoint';
import { EMULATOR_TOKEN, startTenant, TENANT_DOMAIN } from '../provisioning/testing/fixtures';
import { parseOptions, UsageError } from './args';

const HELP = `usage: jitmigrate bench-scale [--users 1000000[,10000000]] [--cli FILE]

Runs import-legacy (twice: fresh, then over its own users file), a resumed provision-users and status as
child processes on a generated export of each --users count (default 1,000,000), against the Graph
emulator, and prints each one's time and peak memory (maximum resident set size). 1 M users take about
two minutes and under 1 GB of temporary disk; 10 M take about 15 minutes and 6 GB (in TMPDIR).
  --cli FILE   the jitmigrate bundle to run (default: this one), to compare two builds`;

/** The users the resumed provisioning run still creates, through the emulator. */
const LEFT_TO_CREATE = 1000;
const MIN_USERS = LEFT_TO_CREATE * 2;
const MAX_USERS = 50_000_000;
const BCRYPT = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const LINES_PER_WRITE = 10_000;

interface Measure {
  readonly users: number;
  readonly step: string;
  readonly seconds: number;
  readonly peakMb: number;
}

export const benchScaleCommand = {
  summary: 'measure time and peak memory of import, provisioning and status at 1 M (and 10 M) users',
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(argv, { users: { type: 'string' }, cli: { type: 'string' } }, HELP);
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const counts = parseCounts(values.users ?? '1000000');
    const cli = path.resolve(values.cli ?? path.join(__dirname, 'jitmigrate.cjs'));
    await fs.access(cli).catch(() => {
      throw new UsageError(`--cli ${cli} cannot be read: build the CLI first (node scripts/build.mjs)`);
    });
    process.stdout.write(`bench-scale: ${counts.map(formatCount).join(' and ')} users, each command a child process of ${path.relative(process.cwd(), cli) || cli}\n`);
    const measures: Measure[] = [];
    for (const users of counts) measures.push(...(await measureAt(users, cli)));
    process.stdout.write(`\n${table(measures)}\n`);
    process.stdout.write('peak memory: the command\'s maximum resident set size (process.resourceUsage().maxRSS in the child).\n');
    return 0;
  },
};

function parseCounts(value: string): number[] {
  const counts = value.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (counts.some((count) => !Number.isSafeInteger(count) || count < MIN_USERS || count > MAX_USERS)) {
    throw new UsageError(`--users must be whole numbers from ${formatCount(MIN_USERS)} to ${formatCount(MAX_USERS)}, separated by commas, e.g. 1000000,10000000`);
  }
  return counts;
}

async function measureAt(users: number, cli: string): Promise<Measure[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-bench-scale-'));
  const file = (name: string) => path.join(dir, name);
  const { emulator, migrationProperty } = await startTenant();
  try {
    const preload = file('peak-memory.cjs');
    await fs.writeFile(preload, PRELOAD);
    const run = (step: string, args: string[]) => runMeasured({ users, step, cli, preload, args, usageFile: file('usage.json'), env: { [GRAPH_URL_VARIABLE]: emulator.url, [GRAPH_TOKEN_VARIABLE]: EMULATOR_TOKEN } });
    process.stdout.write(`${formatCount(users)} users: generating the export and a checkpoint in ${dir}\n`);
    await writeExport(file('export.csv'), users);
    await writeCheckpoint(file('provision.checkpoint.jsonl'), users - LEFT_TO_CREATE, migrationProperty);

    const importArgs = ['import-legacy', '--input', file('export.csv'), '--preset', 'generic', '--users-file', file('users.jsonl')];
    const measures = [await run('import-legacy (new users file)', importArgs), await run('import-legacy (again, merging)', importArgs)];
    measures.push(
      await run(`provision-users (resumed, ${formatCount(LEFT_TO_CREATE)} left)`, [
        'provision-users', '--input', file('export.csv'), '--preset', 'generic', '--migration-property', migrationProperty, '--domain', TENANT_DOMAIN,
        '--checkpoint', file('provision.checkpoint.jsonl'), '--errors', file('provision.errors.jsonl'),
      ]),
    );
    if (emulator.users.size !== LEFT_TO_CREATE) throw new Error(`bench-scale: provision-users created ${emulator.users.size} users, expected ${LEFT_TO_CREATE}`);
    measures.push(await run('status', ['status', '--migration-property', migrationProperty, '--users-file', file('users.jsonl')]));
    return measures;
  } finally {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Loaded into each child with --require: reports its own peak memory as it exits. */
const PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.JITMIGRATE_BENCH_USAGE, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
});
`;

async function runMeasured(options: { users: number; step: string; cli: string; preload: string; args: string[]; usageFile: string; env: NodeJS.ProcessEnv }): Promise<Measure> {
  await fs.rm(options.usageFile, { force: true });
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', options.preload, options.cli, ...options.args], {
    env: { ...process.env, ...options.env, JITMIGRATE_BENCH_USAGE: options.usageFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`bench-scale: ${options.step} exited ${code} at ${formatCount(options.users)} users: ${stderrTail.trim().split('\n').at(-1) ?? ''}`);
  const { maxRssKb } = JSON.parse(await fs.readFile(options.usageFile, 'utf8')) as { maxRssKb: number };
  process.stdout.write(`  ${options.step}: ${seconds.toFixed(1)} s, peak ${Math.round(maxRssKb / 1024)} MB\n`);
  return { users: options.users, step: options.step, seconds, peakMb: maxRssKb / 1024 };
}

/** A generic-preset CSV: user1@example.com … userN@example.com, all with one bcrypt hash. */
async function writeExport(file: string, users: number): Promise<void> {
  const handle = await fs.open(file, 'w', 0o600);
  try {
    await handle.write('username,hash,displayName\n');
    for (let from = 1; from <= users; from += LINES_PER_WRITE) {
      const lines: string[] = [];
      for (let n = from; n < from + LINES_PER_WRITE && n <= users; n++) lines.push(`user${n}@example.com,${BCRYPT},User ${n}\n`);
      await handle.write(lines.join(''));
    }
  } finally {
    await handle.close();
  }
}

/** What an interrupted run leaves: records 1…`created` created (with the UPN and id Graph gave them). */
async function writeCheckpoint(file: string, created: number, migrationProperty: string): Promise<void> {
  const checkpoint = await CheckpointFile.open(file, { domain: TENANT_DOMAIN, migrationProperty });
  try {
    for (let from = 1; from <= created; from += LINES_PER_WRITE) {
      const entries: OutcomeEntry[] = [];
      for (let record = from; record < from + LINES_PER_WRITE && record <= created; record++) {
        entries.push({ record, email: `user${record}@example.com`, state: 'created', id: `00000000-0000-4000-8000-${String(record).padStart(12, '0')}`, userPrincipalName: `u${record}@${TENANT_DOMAIN}` });
      }
      await checkpoint.settled(entries);
    }
  } finally {
    await checkpoint.close();
  }
}

function table(measures: readonly Measure[]): string {
  const header = ['users', 'command', 'time', 'peak memory', 'per million users'];
  const body = measures.map((m) => [formatCount(m.users), m.step, `${m.seconds.toFixed(1)} s`, `${Math.round(m.peakMb)} MB`, `${(m.seconds / (m.users / 1e6)).toFixed(1)} s`]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
