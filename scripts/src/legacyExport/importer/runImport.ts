/**
 * The import loop: read the export, check every user, write accepted users to the store in batches, log
 * rejects, and after every batch save a checkpoint. A batch ("window") is `checkpointEvery` source
 * records; only when all of its writes have succeeded are its rejects flushed and the checkpoint moved
 * past it, so after a crash, an error or Ctrl-C a re-run skips exactly what is committed. Writes are
 * idempotent upserts, so the worst case (a window written twice) never duplicates anything.
 */
import type { HashRegistry } from '../../../../function/src/hashing';
import type { LegacyUserRepository } from '../../../../function/src/legacy';
import type { Progress } from '../../progressBar';
import { ExportOptionsError } from '../errors';
import { exportFormat, readLegacyExport } from '../reader';
import { PRESETS } from '../presets';
import type { ReadExportOptions } from '../types';
import { acceptUser } from './acceptUser';
import { inputIdentity, loadCheckpoint, saveCheckpoint, type Checkpoint, type InputIdentity } from './checkpoint';
import { estimateRecords } from './estimate';
import { RejectsLog, type Reject } from './rejects';
import { runSelfTest, type SelfTestAccount, type SelfTestResult, type StoredHash } from './selfTest';
import type { AcceptedUser, UserSink } from './sink';

/** Where the import writes: opens its sink and reads users back for the self-test. */
export interface ImportStore {
  /** Stable name of the destination for the checkpoint (no secrets). */
  readonly identity: string;
  openSink(resumeUsersFileBytes: number | undefined): Promise<UserSink>;
  repository(): Promise<Pick<LegacyUserRepository, 'findByUsername'>>;
}

export interface ImportOptions {
  readonly input: string;
  readonly read: ReadExportOptions;
  /** Absent: a dry run (validate and report, write nothing but the rejects file). */
  readonly store?: ImportStore;
  readonly rejectsFile?: string;
  readonly checkpointFile?: string;
  readonly selfTest?: readonly SelfTestAccount[];
  /** Source records per committed batch (default 25,000). */
  readonly checkpointEvery?: number;
  readonly registry: HashRegistry;
  /** Aborting stops the import after the current batch is committed (Ctrl-C). */
  readonly stop?: AbortSignal;
  readonly progress?: (estimatedTotal: number | undefined) => Progress;
  /** Notes for the operator while running (e.g. "resuming after record N"). */
  readonly note?: (line: string) => void;
}

export interface ImportReport {
  readonly dryRun: boolean;
  readonly outcome: 'complete' | 'stopped' | 'already-complete';
  readonly read: number;
  readonly imported: number;
  readonly rejected: number;
  readonly rejectsByCategory: Readonly<Record<string, number>>;
  readonly rejectSamples: readonly Reject[];
  readonly rejectsFile?: string;
  /** The checkpoint this run kept up to date (not in a dry run). */
  readonly checkpointFile?: string;
  readonly skippedByResume: number;
  readonly schemes: Readonly<Record<string, number>>;
  /** Every record up to this one is committed. */
  readonly lastCommittedRecord: number;
  readonly elapsedMs: number;
  readonly selfTest?: readonly SelfTestResult[];
}

/** The import stopped on an error; everything up to `lastCommittedRecord` is stored and checkpointed. */
export class ImportFailedError extends Error {
  constructor(
    message: string,
    readonly lastCommittedRecord: number,
  ) {
    super(message);
    this.name = 'ImportFailedError';
  }
}

/**
 * About one full 100-entity transaction per partition (256 shards) per batch: fewer, fuller transactions are
 * what makes Table Storage fast; the batch is also how much a resumed run may write a second time.
 */
const DEFAULT_CHECKPOINT_EVERY = 25_000;
/** Progress is redrawn every this many records, not per record. */
const PROGRESS_STEP = 500;

export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const startedAt = Date.now();
  const dryRun = options.store === undefined;
  const checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const preset = PRESETS[options.read.preset];
  // Created first: a bad --map or --preset is reported before any file is touched.
  const rows = readLegacyExport(options.input, options.read);

  const identity = await inputIdentity(options.input).catch(() => undefined);
  const checkpointBase = identity && options.store ? { input: identity, preset: options.read.preset, target: options.store.identity } : undefined;
  const checkpoint = options.checkpointFile && checkpointBase ? await loadCheckpoint(options.checkpointFile, checkpointBase) : undefined;
  const resumeAfter = checkpoint?.lastRecord ?? 0;

  const selfTestUsers = new Set(options.selfTest?.map((a) => a.username));
  const selfTestRejects = new Map<string, string>();
  const dryRunHashes = new Map<string, StoredHash>();

  if (checkpoint?.complete) {
    options.note?.(`The checkpoint ${options.checkpointFile} says this import already completed: nothing to do (delete the checkpoint to import again).`);
    const selfTest = options.selfTest && options.store ? await selfTestAgainstStore(options, options.store, selfTestRejects) : undefined;
    return emptyReport(dryRun, startedAt, checkpoint.lastRecord, selfTest);
  }
  if (checkpoint) options.note?.(`Resuming after record ${checkpoint.lastRecord}: the checkpoint says records 1-${checkpoint.lastRecord} are committed; they are read again (for duplicate checks) but not written.`);

  const rejects = await RejectsLog.open(options.rejectsFile, checkpoint ? checkpoint.rejectsBytes : undefined);
  const sink = options.store ? await options.store.openSink(checkpoint?.usersFileBytes) : undefined;
  const format = await exportFormat(options.input).catch(() => undefined);
  const estimate = format ? await estimateRecords(options.input, format.format, preset.headerlessCsvColumns !== undefined) : undefined;
  const progress = options.progress?.(estimate);

  const counters = { read: 0, imported: 0, skippedByResume: 0 };
  const schemes = new Map<string, number>();
  let window: AcceptedUser[] = [];
  let windowRecords = 0;
  let lastRecord = resumeAfter;
  let lastCommittedRecord = resumeAfter;
  let untickedRecords = 0;
  let outcome: ImportReport['outcome'] = 'complete';

  const tick = (): void => {
    progress?.tick(untickedRecords, { imported: counters.imported + window.length, rejected: rejects.count, ...(counters.skippedByResume ? { skipped: counters.skippedByResume } : {}) });
    untickedRecords = 0;
  };

  const reject = (entry: Reject): void => {
    rejects.add(entry);
    if (entry.username && selfTestUsers.has(entry.username)) selfTestRejects.set(entry.username, entry.reason);
  };

  const commit = async (): Promise<void> => {
    if (sink && window.length > 0) {
      const refused = await sink.write(window);
      for (const entry of refused) reject(entry);
      counters.imported += window.length - refused.length;
    } else if (!sink) {
      counters.imported += window.length;
    }
    const { usersFileBytes } = sink ? await sink.commit() : {};
    await rejects.flush();
    if (options.checkpointFile && checkpointBase && lastRecord > lastCommittedRecord) {
      await saveCheckpoint(options.checkpointFile, checkpointState(checkpointBase, lastRecord, false, rejects.bytes, usersFileBytes));
    }
    lastCommittedRecord = lastRecord;
    window = [];
    windowRecords = 0;
  };

  try {
    for await (const row of rows) {
      counters.read++;
      untickedRecords++;
      const record = row.ok ? row.user.record : row.record;
      if (record <= resumeAfter) {
        counters.skippedByResume++;
      } else {
        lastRecord = record;
        windowRecords++;
        if (!row.ok) {
          reject({ record, ...(row.username ? { username: row.username } : {}), reason: row.reason });
        } else {
          const accepted = acceptUser(row.user, options.registry);
          if (!accepted.ok) {
            reject({ record, username: row.user.username, reason: accepted.reason });
          } else {
            window.push({ record, user: accepted.user });
            schemes.set(accepted.scheme, (schemes.get(accepted.scheme) ?? 0) + 1);
            if (dryRun && selfTestUsers.has(accepted.user.username)) dryRunHashes.set(accepted.user.username, accepted.user);
          }
        }
        if (windowRecords >= checkpointEvery) await commit();
      }
      if (untickedRecords >= PROGRESS_STEP) tick();
      if (options.stop?.aborted) {
        outcome = 'stopped';
        break;
      }
    }
    await commit();
    tick();
    if (outcome === 'complete') {
      await sink?.finish();
      if (options.checkpointFile && checkpointBase) {
        await saveCheckpoint(options.checkpointFile, checkpointState(checkpointBase, lastRecord, true, rejects.bytes, undefined));
      }
    }
  } catch (error) {
    if (error instanceof ExportOptionsError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ImportFailedError(message, lastCommittedRecord);
  } finally {
    progress?.stop();
    await sink?.close().catch(() => undefined);
    await rejects.close().catch(() => undefined);
  }

  let selfTest: SelfTestResult[] | undefined;
  if (options.selfTest && outcome === 'complete') {
    selfTest = options.store
      ? await selfTestAgainstStore(options, options.store, selfTestRejects)
      : await runSelfTest(options.selfTest, options.registry, async (username) => dryRunHashes.get(username), (username) => selfTestRejects.get(username));
  }

  return {
    dryRun,
    outcome,
    read: counters.read,
    imported: counters.imported,
    rejected: rejects.count,
    rejectsByCategory: Object.fromEntries(rejects.byCategory),
    rejectSamples: rejects.samples,
    ...(options.rejectsFile ? { rejectsFile: options.rejectsFile } : {}),
    ...(options.checkpointFile && checkpointBase ? { checkpointFile: options.checkpointFile } : {}),
    skippedByResume: counters.skippedByResume,
    schemes: Object.fromEntries([...schemes].sort((a, b) => b[1] - a[1])),
    lastCommittedRecord,
    elapsedMs: Date.now() - startedAt,
    ...(selfTest ? { selfTest } : {}),
  };
}

async function selfTestAgainstStore(options: ImportOptions, store: ImportStore, rejected: ReadonlyMap<string, string>): Promise<SelfTestResult[]> {
  const repository = await store.repository();
  return runSelfTest(options.selfTest ?? [], options.registry, (username) => repository.findByUsername(username), (username) => rejected.get(username));
}

function checkpointState(
  base: { input: InputIdentity; preset: string; target: string },
  lastRecord: number,
  complete: boolean,
  rejectsBytes: number,
  usersFileBytes: number | undefined,
): Checkpoint {
  return { version: 1, ...base, lastRecord, complete, rejectsBytes, ...(usersFileBytes !== undefined ? { usersFileBytes } : {}), updatedAt: new Date().toISOString() };
}

function emptyReport(dryRun: boolean, startedAt: number, lastRecord: number, selfTest: SelfTestResult[] | undefined): ImportReport {
  return {
    dryRun,
    outcome: 'already-complete',
    read: 0,
    imported: 0,
    rejected: 0,
    rejectsByCategory: {},
    rejectSamples: [],
    skippedByResume: lastRecord,
    schemes: {},
    lastCommittedRecord: lastRecord,
    elapsedMs: Date.now() - startedAt,
    ...(selfTest ? { selfTest } : {}),
  };
}
