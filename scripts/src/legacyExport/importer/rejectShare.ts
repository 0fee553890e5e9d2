/**
 * When rejects say the import is set up wrong rather than that a few records are bad: every record, or more
 * than a share of them (`--max-reject-share`, default 50 %), refused for one reason (the category before the
 * reason's colon). A wrong --preset or a column that needs --map does that; import-legacy then exits 1.
 */
import type { ImportReport } from './runImport';

export const DEFAULT_MAX_REJECT_SHARE_PERCENT = 50;

export interface DominantReject {
  /** The reason's category, e.g. "missing hash". */
  readonly category: string;
  readonly count: number;
  /** Records this run read and judged (those skipped by a resume do not count). */
  readonly processed: number;
  readonly everyRecord: boolean;
}

/** The one reason that covers every record, or more than `maxSharePercent` of them; undefined when none does. */
export function dominantReject(report: Pick<ImportReport, 'read' | 'skippedByResume' | 'rejectsByCategory'>, maxSharePercent: number): DominantReject | undefined {
  const processed = report.read - report.skippedByResume;
  if (processed <= 0) return undefined;
  let top: [string, number] | undefined;
  for (const entry of Object.entries(report.rejectsByCategory)) if (!top || entry[1] > top[1]) top = entry;
  if (!top) return undefined;
  const [category, count] = top;
  const everyRecord = count >= processed;
  // Integer arithmetic: "more than 50 %" of 1,000 is 501, not a float that rounds either way.
  if (!everyRecord && count * 100 <= maxSharePercent * processed) return undefined;
  return { category, count, processed, everyRecord };
}
