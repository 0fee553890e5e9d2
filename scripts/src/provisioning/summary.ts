/** The closing report of `provision-users`: counts, reasons, pace, and the one next step. */
import { formatCount, formatDuration } from '../progressBar';
import type { ProvisionSummary } from './engine';

export interface SummaryFiles {
  readonly checkpoint: string;
  readonly errors: string;
  /** `changed` notices in the error report: values sent other than the export has them. */
  readonly changedValues?: number;
}

export function formatSummary(summary: ProvisionSummary, files: SummaryFiles): string {
  const seconds = summary.elapsedMs / 1000;
  const row = (label: string, value: number | string, note = '') =>
    `  ${label.padEnd(22)}${(typeof value === 'number' ? formatCount(value) : value).padStart(9)}${note ? `   ${note}` : ''}`;
  const failures = Object.entries(summary.failed)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
    .map(([code, count]) => row(`  ${code}`, count ?? 0));
  const lines: string[] = [];

  if (summary.dryRun) {
    lines.push(`provision-users --dry-run: ${formatCount(summary.records)} records read in ${formatDuration(seconds)}; nothing was written to Graph or the checkpoint`);
    lines.push(row('would create', summary.wouldCreate));
    lines.push(
      summary.existenceChecked
        ? row('exist already', summary.exists, existsNote(summary))
        : row('exist already', '-', 'not checked: pass --tenant (or set JITMIGRATE_GRAPH_TOKEN) to look users up'),
    );
    lines.push(row('would fail', summary.failedTotal), ...failures);
    lines.push(row('skipped (resume)', summary.skippedByResume));
  } else {
    const rate = seconds > 0 ? summary.created / seconds : 0;
    lines.push(`provision-users: ${formatCount(summary.records)} records in ${formatDuration(seconds)} (${formatCount(Math.round(rate))} users created/s)`);
    lines.push(row('created', summary.created));
    lines.push(row('exist already', summary.exists, existsNote(summary)));
    lines.push(row('failed', summary.failedTotal), ...failures);
    lines.push(row('skipped (resume)', summary.skippedByResume, summary.skippedByResume > 0 ? 'created or found by an earlier run' : ''));
    if (summary.notAttempted > 0) lines.push(row('not attempted', summary.notAttempted, 'left for the next run'));
    if (summary.methods) {
      const { registered, alreadyRegistered, failed } = summary.methods;
      lines.push(row('MFA methods', registered, `registered${alreadyRegistered > 0 ? `, ${formatCount(alreadyRegistered)} already there` : ''}${failed > 0 ? `, ${formatCount(failed)} failed (see the error report; the next run sends them again)` : ''}`));
    }
    lines.push(row('throttled (429)', summary.throttled, summary.throttled > 0 ? "sending paused for Graph's Retry-After each time" : ''));
    if (summary.serverBusy > 0) lines.push(row('server busy (503)', summary.serverBusy, 'retried'));
    lines.push(`  checkpoint:   ${files.checkpoint}`);
  }
  lines.push(`  error report: ${files.errors}${files.changedValues ? ` (with ${formatCount(files.changedValues)} value(s) changed to fit Entra: status "changed")` : ''}`);
  lines.push(nextStep(summary));
  return `${lines.join('\n')}\n`;
}

function existsNote(summary: ProvisionSummary): string {
  return summary.existsNotFlagged > 0 ? `${formatCount(summary.existsNotFlagged)} without the migration flag: see the error report` : '';
}

function nextStep(summary: ProvisionSummary): string {
  if (summary.stoppedBecause !== undefined) return `Stopped: ${summary.stoppedBecause}. Fix that and run the same command again; it resumes from the checkpoint.`;
  if (summary.interrupted) return `Interrupted: ${formatCount(summary.notAttempted)} records left. Run the same command again to resume; nothing is created twice.`;
  if (summary.dryRun) {
    return summary.failedTotal > 0 ? 'Fix the records in the error report, then run without --dry-run.' : 'Every record is valid: run without --dry-run to provision.';
  }
  if (summary.failedTotal > 0 || summary.notAttempted > 0) {
    return 'Fix the records in the error report and run the same command again: users already created are skipped.';
  }
  return 'Every user is in the tenant, flagged for just-in-time migration.';
}
