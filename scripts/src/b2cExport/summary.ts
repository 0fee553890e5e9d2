/** What export-b2c prints at the end: a few lines for people, or one JSON object (`--json`, schema below). */
import { formatCount } from '../progressBar';
import { NOT_MIGRATED_REASONS, type NotMigratedReason } from './classify';
import { exportedTotal, notMigratedTotal } from './counts';
import type { ExportResult } from './exporter';

export const SUMMARY_SCHEMA = 'jitmigrate.export-b2c/1';

export interface SummaryContext {
  readonly tenant: string;
  readonly out: string;
  readonly report: string;
  readonly checkpoint: string;
  /** Waits on 429/503 in this run (each as Retry-After asked). */
  readonly throttled: number;
}

export interface ExportSummary {
  readonly schema: typeof SUMMARY_SCHEMA;
  readonly tenant: string;
  readonly out: string;
  readonly report: string;
  readonly checkpoint: string;
  readonly complete: boolean;
  readonly interrupted: boolean;
  readonly resumed: boolean;
  readonly alreadyComplete: boolean;
  readonly pages: number;
  readonly users: number;
  readonly exported: { readonly total: number; readonly email: number; readonly username: number; readonly disabled: number };
  readonly notMigrated: { readonly total: number; readonly byReason: Readonly<Record<NotMigratedReason, number>> };
  readonly socialProviders: Readonly<Record<string, number>>;
  readonly throttled: number;
}

export function exportSummary(result: ExportResult, context: SummaryContext): ExportSummary {
  const { counts } = result;
  return {
    schema: SUMMARY_SCHEMA,
    ...context,
    complete: result.complete,
    interrupted: result.interrupted,
    resumed: result.resumed,
    alreadyComplete: result.alreadyComplete,
    pages: result.pages,
    users: counts.users,
    exported: { total: exportedTotal(counts), ...counts.exported, disabled: counts.disabled },
    notMigrated: { total: notMigratedTotal(counts), byReason: counts.notMigrated },
    socialProviders: counts.socialProviders,
    throttled: context.throttled,
  };
}

const WHAT_TO_DO: Readonly<Record<NotMigratedReason, string>> = {
  social: "social accounts: never created with a password; set up the providers in External ID's own sign-in",
  guest: '#EXT# guests (invited users): skipped; invite them again in External ID if they still need access',
  'username-only': 'local accounts with a username and no email: pass --allow-usernames to migrate them with a username identity (External ID preview)',
  'username-invalid': "usernames External ID refuses (a letter or digit first, then letters, digits, - and _, at most 64): give these users an email in B2C first",
  'no-local-identity': 'no email, username or social identity (phone sign-in, directory-only accounts): not migrated',
};

export function formatExportSummary(summary: ExportSummary): string {
  const n = formatCount;
  const state = summary.alreadyComplete
    ? 'already complete (the checkpoint says so; nothing was read)'
    : summary.complete
      ? 'complete'
      : 'stopped before the last page: run the same command to resume';
  const lines = [
    `export-b2c from ${summary.tenant}: ${state}${summary.resumed && !summary.alreadyComplete ? ' (resumed)' : ''}`,
    `  users read:     ${n(summary.users)} in ${n(summary.pages)} page(s)`,
    `  exported:       ${n(summary.exported.total)} to ${summary.out} (email ${n(summary.exported.email)}, username ${n(summary.exported.username)}; disabled ${n(summary.exported.disabled)}, to be created disabled)`,
    `  not migrated:   ${n(summary.notMigrated.total)}, listed in ${summary.report}`,
  ];
  for (const reason of NOT_MIGRATED_REASONS) {
    const count = summary.notMigrated.byReason[reason];
    if (count === 0) continue;
    const providers = reason === 'social' ? ` [${Object.entries(summary.socialProviders).map(([issuer, users]) => `${issuer} ${n(users)}`).join(', ')}]` : '';
    lines.push(`    ${reason.padEnd(18)} ${n(count)}${providers}: ${WHAT_TO_DO[reason]}`);
  }
  if (summary.throttled > 0) lines.push(`  throttled:      ${n(summary.throttled)} time(s); waited as Graph's Retry-After asked`);
  lines.push(`  checkpoint:     ${summary.checkpoint}`);
  return `${lines.join('\n')}\n`;
}
