/**
 * `jitmigrate reconcile`: makes Graph's migration flags and the legacy store's marks agree. Clears the flag
 * of users who migrated but stayed flagged (issue #25, docs/entra-contracts.md#migration-flag) and marks legacy records of users
 * whose flag Entra cleared. Idempotent; `--dry-run` changes nothing.
 */
import { parseOptions, UsageError } from './args';
import { processIo, withExitCode, type CommandIo } from '../operations/io';
import { openLegacyStore } from '../operations/legacyStore';
import { COMMON_HELP, COMMON_OPTIONS, graphClientFor, readCommonOptions } from '../operations/options';
import { reconcile, RECONCILE_REPORT_COLUMNS, RECONCILE_REPORT_COLUMNS_WITH_B2C, type ReconcileReportRow, type ReconcileSummary } from '../operations/reconcile';
import { requirePaths } from '../operations/files';
import { openReport, reportFormatFor, type ReportWriter } from '../operations/reports';

const HELP = `usage: jitmigrate reconcile --migration-property extension_<appId>_<name> <legacy store options>
                           [--dry-run] [--report FILE] [--format jsonl|csv] [--evidence both|legacy] [--json]

(a) Flag still true although the user migrated: the legacy store marks them migrated, or marks them
    superseded (the function saw a password set in Entra after provisioning and refused the old legacy
    one), or (--evidence both, the default) Graph's lastPasswordChangeDateTime is later than the creation:
    the flag is set to false (PATCH through $batch, 20 at a time). Unless the legacy store said migrated,
    the record is then marked migrated too.
(b) Flag false but the legacy record is not marked: the record is marked migrated, at Graph's
    lastPasswordChangeDateTime when readable, else now.
Users are matched by their local identity (issuerAssignedId; from --domain when given), normalized as the
legacy store normalizes usernames.
  --dry-run                plan and report, change nothing
  --report FILE            one line per fix (and per skipped user); .csv or --format csv for CSV
  --evidence legacy        clear flags only on the legacy store's word (migrated or superseded marks)
  --json                   print the summary as one JSON object (schema jitmigrate.reconcile/1)
Exit code 1 when a fix failed (see the report); run it again, it only does what is still needed.

${COMMON_HELP}`;

export async function runReconcile(argv: string[], io: CommandIo): Promise<number> {
  return withExitCode(io, 'reconcile', async () => {
    const { values } = parseOptions(
      argv,
      { ...COMMON_OPTIONS, 'dry-run': { type: 'boolean' }, report: { type: 'string' }, format: { type: 'string' }, evidence: { type: 'string' }, json: { type: 'boolean' } },
      HELP,
    );
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    const common = readCommonOptions(values, 'required');
    const evidence = values.evidence ?? 'both';
    if (evidence !== 'both' && evidence !== 'legacy') throw new UsageError(`--evidence must be both or legacy, got "${evidence}"`);
    if (values.format !== undefined && values.report === undefined) throw new UsageError('--format applies to --report: pass --report FILE too');
    const format = values.report === undefined ? undefined : reportFormatFor(values.report, values.format);
    await requirePaths({ outputs: [['--report', values.report]] });
    const client = graphClientFor(common, io.env);
    const store = await openLegacyStore(common.legacy);

    let report: ReportWriter<ReconcileReportRow> | undefined;
    const columns = common.b2cObjectIdProperty === undefined ? RECONCILE_REPORT_COLUMNS : RECONCILE_REPORT_COLUMNS_WITH_B2C;
    if (values.report !== undefined && format !== undefined) report = await openReport<ReconcileReportRow>(values.report, format, columns);
    let summary: ReconcileSummary;
    try {
      summary = await reconcile({
        client,
        store,
        property: common.migrationProperty,
        domain: common.domain,
        dryRun: values['dry-run'] === true,
        usePasswordChanges: evidence === 'both',
        b2cObjectIdProperty: common.b2cObjectIdProperty,
        report,
        now: () => io.now(),
      });
    } finally {
      await report?.close();
    }
    io.out(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, values.report));
    return summary.failures > 0 ? 1 : 0;
  });
}

function formatSummary(summary: ReconcileSummary, reportFile: string | undefined): string {
  const verb = summary.dryRun ? 'would ' : '';
  const { legacyMigrated, legacySuperseded, passwordChanged } = summary.flagsCleared;
  const cleared = legacyMigrated + legacySuperseded + passwordChanged;
  const row = (label: string, value: string) => `  ${label.padEnd(20)} ${value}`;
  const lines = [
    `reconcile${summary.dryRun ? ' (dry run: nothing changed)' : ''} at ${summary.generatedAt}`,
    row('scanned', `${summary.scanned.pending} flagged true, ${summary.scanned.migrated} flagged false, ${summary.scanned.legacyRecords} legacy records`),
    row(
      `flags ${verb}clear`,
      `${cleared} (${legacyMigrated} marked migrated in the legacy store, ${legacySuperseded} marked superseded there by a password set in Entra, ${passwordChanged} with a password set in Entra after creation)`,
    ),
    row(`legacy ${verb}mark`, String(summary.legacyMarked)),
    row('failures', `${summary.failures}${summary.failures > 0 ? ' (see the report; run reconcile again)' : ''}`),
  ];
  if (!summary.passwordChangesReadable) lines.push('  note: Graph did not return lastPasswordChangeDateTime here, so only the legacy store counted as evidence');
  const s = summary.skipped;
  if (s.pendingNotInLegacyStore > 0) lines.push(`  ${s.pendingNotInLegacyStore} flagged user(s) have no legacy record: they can never migrate just in time and will need a password reset`);
  if (s.migratedNotInLegacyStore > 0) lines.push(`  ${s.migratedNotInLegacyStore} migrated user(s) have no legacy record to mark`);
  if (s.noLocalIdentity > 0) lines.push(`  ${s.noLocalIdentity} user(s) have no local identity (emailAddress or userName, issued by --domain when given) and were not matched`);
  if (reportFile !== undefined) lines.push(row('report', reportFile));
  return `${lines.join('\n')}\n`;
}

export const reconcileCommand = {
  summary: 'fix users whose password migrated but whose flag did not, and the reverse',
  run: (argv: string[]): Promise<number> => runReconcile(argv, processIo()),
};
