/**
 * The provisioning error report (`provision-users --errors`, scripts/src/provisioning/errorReport.ts) as
 * status reads it: JSON lines `{record, username, status, code, reason}`. `status: "failed"` is a record that
 * was not created; `status: "exists"` a user that was already there without the migration flag, so Entra will
 * never call the function for them; `status: "changed"` a value provisioned other than exported (not
 * counted). Lines without a status count as failed; the free-text `reason` is not read.
 */
import { normalizeUsername } from '../../../function/src/legacy';
import { readJsonLines } from './files';

export interface ProvisionErrors {
  /** Records that failed. */
  readonly failed: number;
  /** Users that exist without the flag. */
  readonly notFlagged: number;
  /** Failed records by `code` (`graph-rejected`, `invalid-email`, …; `other` when absent or odd). */
  readonly byCode: Readonly<Record<string, number>>;
  /** Distinct normalized usernames of the failed records that name one, for the lookup in Graph. */
  readonly failedUsernames: readonly string[];
  /** Lines that were not report entries. */
  readonly skipped: number;
}

export async function readProvisionErrors(file: string): Promise<ProvisionErrors> {
  const { objects, invalid } = await readJsonLines(file, 'the provisioning error report');
  let failed = 0;
  let notFlagged = 0;
  let skipped = invalid;
  const byCode: Record<string, number> = {};
  const failedUsernames = new Set<string>();
  for (const entry of objects) {
    if (entry.status === 'exists') {
      notFlagged++;
    } else if (entry.status === undefined || entry.status === 'failed') {
      failed++;
      // Codes are the report's own enumeration; anything else could be free text, so it is not echoed.
      const code = typeof entry.code === 'string' && /^[a-z][a-z0-9-]{0,40}$/.test(entry.code) ? entry.code : 'other';
      byCode[code] = (byCode[code] ?? 0) + 1;
      if (typeof entry.username === 'string' && entry.username.trim() !== '') failedUsernames.add(normalizeUsername(entry.username));
    } else if (entry.status !== 'changed') {
      // `changed`: a notice that the user was provisioned with a normalized value; nothing failed.
      skipped++;
    }
  }
  return { failed, notFlagged, byCode, failedUsernames: [...failedUsernames], skipped };
}
