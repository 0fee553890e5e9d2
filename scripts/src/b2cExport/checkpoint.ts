/**
 * The export's resume point, saved after each page is in both output files: the next page's link, the counts so
 * far and the committed lengths of the two files. Written atomically (temporary file, fsync, rename), so a crash
 * leaves this page's checkpoint or the previous one; a resumed run truncates the files back to the lengths it
 * names (dropping a page written after the last save) and asks Graph for that page again: every user once.
 * It names its export (tenant, `$select`, `--allow-usernames`), so it is never applied to another one.
 */
import { UsageError } from '../commands/args';
import { errorCode, readCheckpointText, writeFileAtomically } from '../operations/files';
import { readCounts, type ExportCounts } from './counts';

export interface ExportCheckpoint {
  readonly schema: typeof CHECKPOINT_SCHEMA;
  readonly tenant: string;
  /** The `$select` sent, attributes included. */
  readonly select: string;
  readonly allowUsernames: boolean;
  /** The page to ask for next; null before the first page and once the last page is in. */
  readonly nextLink: string | null;
  readonly complete: boolean;
  readonly pages: number;
  readonly outBytes: number;
  readonly reportBytes: number;
  readonly counts: ExportCounts;
  readonly updatedAt: string;
}

export type ExportIdentity = Pick<ExportCheckpoint, 'tenant' | 'select' | 'allowUsernames'>;

export const CHECKPOINT_SCHEMA = 'jitmigrate.export-b2c-checkpoint/1';

/** The checkpoint in `file`, or undefined when there is none; a checkpoint of another export is a usage error. */
export async function loadExportCheckpoint(file: string, expected: ExportIdentity): Promise<ExportCheckpoint | undefined> {
  const text = await readCheckpointText(file);
  if (text === undefined) return undefined;
  const checkpoint = parse(text);
  if (checkpoint === undefined) throw new UsageError(`the checkpoint ${file} is not one export-b2c wrote: pass another --checkpoint, or delete it and the --out file to export again`);
  const differences: string[] = [];
  if (checkpoint.tenant.toLowerCase() !== expected.tenant.toLowerCase()) differences.push(`--tenant (${checkpoint.tenant})`);
  if (checkpoint.select !== expected.select) differences.push('--attributes');
  if (checkpoint.allowUsernames !== expected.allowUsernames) differences.push(`--allow-usernames (${checkpoint.allowUsernames ? 'given' : 'not given'})`);
  if (differences.length > 0) {
    throw new UsageError(`the checkpoint ${file} belongs to another export (different ${differences.join(', ')}): run with the same options as the interrupted run, or delete the checkpoint and the --out file to export again`);
  }
  return checkpoint;
}

export async function saveExportCheckpoint(file: string, checkpoint: ExportCheckpoint): Promise<void> {
  try {
    await writeFileAtomically(file, `${JSON.stringify(checkpoint, null, 2)}\n`);
  } catch (error) {
    throw new Error(`the checkpoint ${file} could not be saved (${errorCode(error)}): check that its folder exists and is writable; the pages written since the last save are fetched again on resume`);
  }
}

function parse(text: string): ExportCheckpoint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const count = (name: string) => Number.isSafeInteger(record[name]) && (record[name] as number) >= 0;
  const link = record.nextLink;
  const valid =
    record.schema === CHECKPOINT_SCHEMA &&
    typeof record.tenant === 'string' &&
    typeof record.select === 'string' &&
    typeof record.allowUsernames === 'boolean' &&
    typeof record.complete === 'boolean' &&
    // null: the first page (nothing read yet) or none (complete).
    (link === null ? record.complete === true || record.pages === 0 : typeof link === 'string' && /^https?:\/\//.test(link) && record.complete === false) &&
    count('pages') &&
    count('outBytes') &&
    count('reportBytes') &&
    readCounts(record.counts) !== undefined;
  return valid ? (record as unknown as ExportCheckpoint) : undefined;
}
