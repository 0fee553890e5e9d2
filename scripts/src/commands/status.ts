/**
 * `jitmigrate status`: how far the migration is: migrated, pending and failed users, the rate and the
 * projected end, optionally appended to a history file and drawn as a burn-down page. Read-only.
 */
import { promises as fs } from 'node:fs';
import { parseOptions, UsageError } from './args';
import { renderProgressPage } from '../operations/chart';
import { errorCode, requirePaths } from '../operations/files';
import { appendSnapshot, readHistory } from '../operations/history';
import { countingProgress, flagCounterFor } from '../operations/flagCounter';
import { processIo, progressStream, withExitCode, type CommandIo } from '../operations/io';
import { openLegacyStore } from '../operations/legacyStore';
import { DRIFT_LISTED_USERS } from '../operations/drift';
import { COMMON_HELP, COMMON_OPTIONS, graphClientFor, readCommonOptions, STORE_SETTINGS_HELP } from '../operations/options';
import { collectStatus, formatStatus, withoutDriftUsernames } from '../operations/status';

const HELP = `usage: jitmigrate status --migration-property extension_<appId>_<name> <legacy store options>
                        [--json] [--history FILE] [--chart FILE.html] [--deadline YYYY-MM-DD]
                        [--provision-errors FILE] [--domain DOMAIN] [--fail-on-drift]

Counts users with the flag true (pending) and false (migrated) in External ID, and the legacy store's
records and migration marks. "failed" = legacy records without a flagged External ID user (never
provisioned). "superseded" = legacy records the function marked (supersededAt) because a password set in
Entra after provisioning (self-service reset) replaced the legacy one; jitmigrate reconcile clears their
flags. Rate: migrations a day over the last 7 days (from the legacy migratedAt marks); the projected end
divides the pending users by it. Drift compares the two sets of users, not their counts: users whose flag is
false without a legacy mark, and users with a legacy mark whose flag is still true, each counted and the
first ${DRIFT_LISTED_USERS} named (this lists every flagged user from Graph, 999 a request).
  --json                   print one JSON object (schema jitmigrate.status/1, see docs/operations.md)
  --history FILE           append this snapshot to FILE (JSON lines) so progress accumulates
  --chart FILE.html        write a self-contained page: burn-down (history + migratedAt), users by state,
                           migrations per day, in UTC, with the values in tables (no script, nothing fetched)
  --deadline YYYY-MM-DD    the end of the migration window: how many users are projected to remain
  --provision-errors FILE  provision-users' error report (--errors): failed records by code, users that
                           existed without the flag, and with --domain how many failed users still have
                           no External ID user
  --fail-on-drift          exit 1 when there is drift (after printing and writing everything), for CI
Environment: ${STORE_SETTINGS_HELP}.

${COMMON_HELP}`;

export async function runStatus(argv: string[], io: CommandIo): Promise<number> {
  return withExitCode(io, 'status', async () => {
    const { values } = parseOptions(
      argv,
      { ...COMMON_OPTIONS, json: { type: 'boolean' }, history: { type: 'string' }, chart: { type: 'string' }, deadline: { type: 'string' }, 'provision-errors': { type: 'string' }, 'fail-on-drift': { type: 'boolean' } },
      HELP,
    );
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    const common = readCommonOptions(values, 'required', io.env);
    const deadline = parseDeadline(values.deadline);
    await requirePaths({ inputs: [['--provision-errors', values['provision-errors']]], outputs: [['--history', values.history], ['--chart', values.chart]] });
    const client = graphClientFor(common, io.env);
    const store = await openLegacyStore(common.legacy);
    const { snapshot, migratedPerDay, notes: collected } = await collectStatus({
      client,
      counter: flagCounterFor(client, common.platform, countingProgress(progressStream(io))),
      store,
      property: common.migrationProperty,
      domain: common.domain,
      provisionErrorsFile: values['provision-errors'],
      deadline,
      now: io.now(),
    });
    const notes = [...collected];

    const written: string[] = [];
    if (values.history !== undefined) {
      await appendSnapshot(values.history, withoutDriftUsernames(snapshot));
      written.push(`appended the snapshot to ${values.history}`);
    }
    if (values.chart !== undefined) {
      const history = values.history === undefined ? { snapshots: [], skipped: 0 } : await readHistory(values.history);
      if (history.skipped > 0) notes.push(`${history.skipped} line(s) of ${values.history} are not status snapshots and were left out of the chart`);
      await writeChart(values.chart, await renderProgressPage({ current: snapshot, history: history.snapshots, migratedPerDay }));
      written.push(`wrote the progress chart to ${values.chart}`);
    }

    if (values.json) {
      io.out(`${JSON.stringify(snapshot)}\n`);
      for (const line of [...notes, ...written]) io.err(`${line}\n`);
    } else {
      io.out(formatStatus(snapshot, notes));
      for (const line of written) io.out(`${line}\n`);
    }
    if (values['fail-on-drift'] && snapshot.drift.reconcileSuggested) {
      io.err('drift between the flags and the legacy marks (--fail-on-drift): run jitmigrate reconcile\n');
      return 1;
    }
    return 0;
  });
}

function parseDeadline(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const time = Date.parse(text);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new UsageError(`--deadline must be a date like 2026-09-30 (UTC), got "${value}"`);
  return new Date(time);
}

async function writeChart(file: string, html: string): Promise<void> {
  try {
    await fs.writeFile(file, html, 'utf8');
  } catch (error) {
    throw new Error(`could not write the chart ${file} (${errorCode(error)}): check the path and that its folder is writable`);
  }
}

export const statusCommand = {
  summary: 'how many users are migrated, pending and failed (Graph and the legacy store)',
  run: (argv: string[]): Promise<number> => runStatus(argv, processIo()),
};
