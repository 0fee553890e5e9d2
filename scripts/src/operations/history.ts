/**
 * The progress history: one status snapshot per line (JSON lines), appended on every `status --history`
 * run, so a scheduled job accumulates the burn-down that Entra itself does not keep.
 */
import { promises as fs } from 'node:fs';
import { errorCode, readJsonLines } from './files';
import { STATUS_SCHEMA, type StatusSnapshot } from './progress';

export async function appendSnapshot(file: string, snapshot: StatusSnapshot): Promise<void> {
  try {
    // 0600 on creation: the file is operational data, not for every local account.
    await fs.appendFile(file, `${JSON.stringify(snapshot)}\n`, { encoding: 'utf8', mode: 0o600 });
  } catch (error) {
    throw new Error(`could not append to the history file ${file} (${errorCode(error)}): check the path and that its folder is writable`);
  }
}

export interface History {
  /** Oldest first. */
  readonly snapshots: StatusSnapshot[];
  /** Lines that were not snapshots of this schema (hand edits, a cut-off last line): skipped, counted. */
  readonly skipped: number;
}

export async function readHistory(file: string): Promise<History> {
  const { objects, invalid } = await readJsonLines(file, 'the history file', { missingIsEmpty: true });
  const snapshots = objects.filter(isSnapshot);
  snapshots.sort((a, b) => Date.parse(a.generatedAt) - Date.parse(b.generatedAt));
  return { snapshots, skipped: invalid + objects.length - snapshots.length };
}

function isSnapshot(value: Record<string, unknown>): value is Record<string, unknown> & StatusSnapshot {
  const snapshot = value as Partial<StatusSnapshot>;
  const totals = snapshot.totals;
  return (
    snapshot.schema === STATUS_SCHEMA &&
    typeof snapshot.generatedAt === 'string' &&
    !Number.isNaN(Date.parse(snapshot.generatedAt)) &&
    typeof totals?.pending === 'number' &&
    typeof totals.migrated === 'number' &&
    typeof totals.users === 'number'
  );
}
