/** The end-of-run report an operator reads: counts, rejects by reason, schemes seen, speed, next step. */
import { formatCount, formatDuration } from '../../progressBar';
import type { DominantReject } from './rejectShare';
import type { ImportReport } from './runImport';
import type { SelfTestResult } from './selfTest';

/** `dominant`: most records were refused for one reason, which fails the import (exit 1). */
export function formatSummary(report: ImportReport, destination: string, dominant?: DominantReject): string {
  const seconds = report.elapsedMs / 1000;
  const processed = Math.max(0, report.read - report.skippedByResume);
  const rate = seconds > 0 ? Math.round(processed / seconds) : 0;
  const lines: string[] = [];
  const title = report.dryRun ? 'import-legacy (dry run: nothing was written to the store)' : `import-legacy → ${destination}`;
  lines.push(`${title}: ${outcomeText(report)} in ${formatDuration(seconds)} (${formatCount(rate)} records/s)`);
  lines.push(row('read', report.read));
  lines.push(row(report.dryRun ? 'would import' : 'imported', report.imported));
  lines.push(row('rejected', report.rejected, report.rejected > 0 ? (report.rejectsFile ? `see ${report.rejectsFile}` : 'pass --rejects FILE to keep them') : undefined));
  for (const [category, count] of Object.entries(report.rejectsByCategory).sort((a, b) => b[1] - a[1])) lines.push(row(`  ${category}`, count));
  lines.push(row('skipped by resume', report.skippedByResume, report.skippedByResume > 0 ? 'committed by an earlier run' : undefined));
  const schemes = Object.entries(report.schemes);
  lines.push(`  ${'schemes'.padEnd(22)}${schemes.length > 0 ? schemes.map(([id, n]) => `${id} ${formatCount(n)}`).join(', ') : '-'}`);

  if (report.rejected > 0 && !report.rejectsFile) {
    lines.push('First rejects (record: reason):');
    for (const sample of report.rejectSamples) lines.push(`  ${sample.record}: ${sample.reason}`);
  }
  if (report.selfTest) lines.push(...formatSelfTest(report.selfTest));
  lines.push(nextStep(report, dominant));
  return `${lines.join('\n')}\n`;
}

function outcomeText(report: ImportReport): string {
  if (report.outcome === 'stopped') return `stopped after record ${report.lastCommittedRecord}`;
  if (report.outcome === 'already-complete') return 'already complete';
  return 'done';
}

function row(label: string, value: number, note?: string): string {
  return `  ${label.padEnd(22)}${formatCount(value).padStart(10)}${note ? `   (${note})` : ''}`;
}

function formatSelfTest(results: readonly SelfTestResult[]): string[] {
  const failed = results.filter((r) => !r.ok).length;
  const lines = [`Self-test: ${results.length - failed} of ${results.length} test accounts verified against the stored hash`];
  // The username identifies a test account; the password is never shown.
  for (const r of results) lines.push(r.ok ? `  pass  ${r.username} (${r.scheme})` : `  FAIL  ${r.username}: ${r.problem}`);
  return lines;
}

function nextStep(report: ImportReport, dominant: DominantReject | undefined): string {
  if (report.selfTest?.some((r) => !r.ok)) return 'Self-test failed (exit code 1): fix the cause above before users sign in; re-running the import is safe.';
  if (dominant) {
    return `Too many records rejected as "${dominant.category}" (exit code 1): the import is likely set up wrong, see the cause printed with the error; fix it and run again (upserts are idempotent).`;
  }
  if (report.outcome === 'stopped') {
    return report.checkpointFile
      ? `Stopped on request (exit code 130); everything read is committed: run the same command (same --checkpoint ${report.checkpointFile}) to continue.`
      : 'Stopped on request (exit code 130): without --checkpoint a re-run starts from the beginning, which is safe (upserts are idempotent).';
  }
  if (report.outcome === 'already-complete') return 'Nothing to do: the checkpoint says this import completed (delete it to import again).';
  if (report.rejected > 0) {
    return `Rejected records do not fail the import (exit code 0) unless one reason covers more than --max-reject-share of them: fix them as their reasons say and import them again; upserts are idempotent, so re-running never duplicates users.`;
  }
  return report.dryRun ? 'Dry run clean: run again without --dry-run to write the store.' : 'All records imported.';
}
