/**
 * `jitmigrate finish`: the end of the migration window. Lists the users never migrated (flag still true) for
 * outreach, and optionally stops the migration: detach the listener's applications or delete the listener.
 * Destructive steps need `--yes`; without it the command says what would happen and changes nothing.
 */
import type { GraphClient } from '../../../lib/graph';
import { parseOptions, UsageError } from './args';
import { countingProgress, flagCounterFor } from '../operations/flagCounter';
import { processIo, progressStream, withExitCode, type CommandIo } from '../operations/io';
import { indexLegacyStore, openLegacyStore, type MigrationMark } from '../operations/legacyStore';
import { checkListenerId, deleteListener, detachApplications, getMigrationListener, hasNoApplications, sunsetConsequences, type MigrationListener } from '../operations/listener';
import { NEVER_MIGRATED_COLUMNS, NEVER_MIGRATED_COLUMNS_WITH_B2C, reportNeverMigrated, type NeverMigratedCounts, type NeverMigratedRow } from '../operations/neverMigrated';
import { COMMON_HELP, COMMON_OPTIONS, graphClientFor, readCommonOptions } from '../operations/options';
import { requirePaths } from '../operations/files';
import { openReport, reportFormatFor } from '../operations/reports';

export const FINISH_SCHEMA = 'jitmigrate.finish/1';
const DEFAULT_REPORT = 'never-migrated.jsonl';

const HELP = `usage: jitmigrate finish --migration-property extension_<appId>_<name> [--report FILE] [--format jsonl|csv]
                        [--remove-listener-apps LISTENER_ID | --delete-listener LISTENER_ID] [--yes] [--json]
                        [legacy store options]

Writes every user whose flag is still true (never migrated) to the report (default ${DEFAULT_REPORT}):
username, userId, createdDateTime, and with a legacy store legacyMigrated (true = the flag is stuck: run
jitmigrate reconcile first). No secrets.
  --remove-listener-apps ID  detach every application from the onPasswordSubmit listener (kept for re-use)
  --delete-listener ID       delete the listener
  --yes                      do it; without --yes the command only says what would happen (exit 0)
  --json                     print the summary as one JSON object (schema ${FINISH_SCHEMA})
Users still flagged when the listener stops can no longer sign in with their legacy password: they must
reset it with self-service password reset. Every step can be run again: a listener already deleted, or
already without applications, is reported and the command exits 0.

${COMMON_HELP}`;

interface ListenerOutcome {
  readonly id: string;
  readonly action: 'remove-applications' | 'delete';
  readonly performed: boolean;
  /** Nothing was left to do: the listener was already deleted, or already runs for no application. */
  readonly alreadyDone: boolean;
  readonly displayName: string | null;
  readonly applications: readonly string[];
}

export interface FinishSummary extends NeverMigratedCounts {
  readonly schema: typeof FINISH_SCHEMA;
  readonly generatedAt: string;
  readonly migrated: number;
  readonly report: string;
  readonly listener: ListenerOutcome | null;
}

export async function runFinish(argv: string[], io: CommandIo): Promise<number> {
  return withExitCode(io, 'finish', async () => {
    const { values } = parseOptions(
      argv,
      {
        ...COMMON_OPTIONS,
        report: { type: 'string' },
        format: { type: 'string' },
        'remove-listener-apps': { type: 'string' },
        'delete-listener': { type: 'string' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      HELP,
    );
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    const common = readCommonOptions(values, 'optional');
    if (common.platform === 'b2c' && (values['remove-listener-apps'] !== undefined || values['delete-listener'] !== undefined)) {
      throw new UsageError(
        '--platform b2c has no onPasswordSubmit listener: B2C migrates in its custom policies, so drop --remove-listener-apps/--delete-listener ' +
          '(to stop the migration, upload the policies without the migration step)',
      );
    }
    if (values['remove-listener-apps'] !== undefined && values['delete-listener'] !== undefined) {
      throw new UsageError('pass either --remove-listener-apps or --delete-listener, not both');
    }
    const listenerAction = values['delete-listener'] !== undefined ? ('delete' as const) : values['remove-listener-apps'] !== undefined ? ('remove-applications' as const) : undefined;
    const listenerId =
      listenerAction === undefined
        ? undefined
        : checkListenerId(values['delete-listener'] ?? values['remove-listener-apps'], listenerAction === 'delete' ? '--delete-listener' : '--remove-listener-apps');
    if (values.yes && listenerAction === undefined) throw new UsageError('--yes confirms --remove-listener-apps or --delete-listener: pass one of them, or drop --yes');
    const reportFile = values.report ?? DEFAULT_REPORT;
    const format = reportFormatFor(reportFile, values.format);
    await requirePaths({ outputs: [['--report', reportFile]] });

    const client = graphClientFor(common, io.env);
    // Read the listener first: another kind of listener should fail before anything is written.
    const listener = listenerId === undefined ? undefined : await getMigrationListener(client, listenerId, common.migrationProperty);
    let legacy: ReadonlyMap<string, MigrationMark> | undefined;
    if (common.legacy !== undefined) legacy = await indexLegacyStore(await openLegacyStore(common.legacy));

    const columns = common.b2cObjectIdProperty === undefined ? NEVER_MIGRATED_COLUMNS : NEVER_MIGRATED_COLUMNS_WITH_B2C;
    const report = await openReport<NeverMigratedRow>(reportFile, format, columns);
    let counts: NeverMigratedCounts;
    try {
      counts = await reportNeverMigrated({ client, property: common.migrationProperty, domain: common.domain, legacy, report, b2cObjectIdProperty: common.b2cObjectIdProperty });
    } finally {
      await report.close();
    }
    const { migrated } = await flagCounterFor(client, common.platform, countingProgress(progressStream(io))).countByFlag(common.migrationProperty);

    const messages: string[] = [];
    let outcome: ListenerOutcome | null = null;
    if (listenerId !== undefined && listenerAction !== undefined) {
      outcome = await sunset(client, listenerId, listener, listenerAction, values.yes === true, counts.neverMigrated, messages);
    }
    const summary: FinishSummary = { schema: FINISH_SCHEMA, generatedAt: io.now().toISOString(), ...counts, migrated, report: reportFile, listener: outcome };
    if (values.json) {
      io.out(`${JSON.stringify(summary)}\n`);
      for (const message of messages) io.err(`${message}\n`);
    } else {
      io.out(formatSummary(summary));
      for (const message of messages) io.out(`${message}\n`);
    }
    return 0;
  });
}

/** Idempotent: what a previous run (or someone by hand) already did is reported, not redone and not an error. */
async function sunset(
  client: GraphClient,
  id: string,
  listener: MigrationListener | undefined,
  action: 'remove-applications' | 'delete',
  confirmed: boolean,
  neverMigrated: number,
  messages: string[],
): Promise<ListenerOutcome> {
  const consequences = sunsetConsequences(neverMigrated, action);
  if (listener === undefined) {
    messages.push(
      `There is no listener ${id}: it was already deleted, or the id is wrong (GET /identity/authenticationEventListeners lists the tenant's listeners). Nothing to do. ${consequences}`,
    );
    return { id, action, performed: false, alreadyDone: true, displayName: null, applications: [] };
  }
  const name = `listener ${listener.id}${listener.displayName ? ` ("${listener.displayName}")` : ''}`;
  const apps = listener.includeAllApplications ? 'all applications' : listener.applications.length === 0 ? 'no applications' : `applications ${listener.applications.join(', ')}`;
  const what = action === 'delete' ? `delete ${name} (it runs for ${apps})` : `detach ${apps} from ${name}`;
  const base = { id: listener.id, action, displayName: listener.displayName, applications: listener.applications };
  if (action === 'remove-applications' && hasNoApplications(listener)) {
    messages.push(`The applications are already detached from ${name}: nothing to do. ${consequences}`);
    return { ...base, performed: false, alreadyDone: true };
  }
  if (!confirmed) {
    messages.push(`Would ${what}. ${consequences}`, 'Nothing was changed: pass --yes to do it.');
    return { ...base, performed: false, alreadyDone: false };
  }
  if (action === 'delete') {
    const deleted = await deleteListener(client, listener.id);
    messages.push(deleted ? `Deleted ${name}. ${consequences}` : `${name} was already deleted. ${consequences}`);
    return { ...base, performed: deleted, alreadyDone: !deleted };
  }
  await detachApplications(client, listener);
  messages.push(`Detached ${apps} from ${name}. ${consequences}`);
  return { ...base, performed: true, alreadyDone: false };
}

function formatSummary(summary: FinishSummary): string {
  const lines = [
    `end-of-window report at ${summary.generatedAt}`,
    `  never migrated     ${summary.neverMigrated} (flag still true), listed in ${summary.report}`,
    `  migrated           ${summary.migrated} (flag false)`,
  ];
  if (summary.withoutLocalIdentity > 0) lines.push(`  ${summary.withoutLocalIdentity} of them have no local identity (username left empty)`);
  if (summary.legacyMigratedButFlagged !== null && summary.legacyMigratedButFlagged > 0) {
    lines.push(`  ${summary.legacyMigratedButFlagged} of them are marked migrated in the legacy store: their flag is stuck, run jitmigrate reconcile first`);
  }
  return `${lines.join('\n')}\n`;
}

export const finishCommand = {
  summary: 'end-of-window report of users never migrated; optionally detach or delete the listener',
  run: (argv: string[]): Promise<number> => runFinish(argv, processIo()),
};
