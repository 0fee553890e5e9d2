/**
 * The export run: `GET /users` on the B2C tenant page by page (999 a page; `@odata.nextLink` followed under a
 * loop guard), each user classified and written as it comes (no list of all users is ever held), the page's
 * lines made durable before the checkpoint names the next page. B2C has no advanced queries, so no `$count`,
 * no `$search` and no `ConsistencyLevel` header is sent (learn.microsoft.com/graph/aad-advanced-queries): the
 * progress shows users read, not a percentage.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { USERS_PAGE_SIZE, type GraphClient, type User } from '../../../lib/graph';
import { UsageError } from '../commands/args';
import { errorCode } from '../operations/files';
import type { Progress } from '../progressBar';
import { loadExportCheckpoint, saveExportCheckpoint, type ExportCheckpoint, type ExportIdentity } from './checkpoint';
import { BASE_SELECT, classifyB2cUser, type ClassifyOptions } from './classify';
import { countUser, emptyCounts, exportedTotal, notMigratedTotal, type ExportCounts } from './counts';

export interface ExportRunOptions {
  readonly client: GraphClient;
  readonly tenant: string;
  readonly outFile: string;
  readonly reportFile: string;
  readonly checkpointFile: string;
  readonly classify: ClassifyOptions;
  /** Aborted to stop after the page in hand (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly progress: () => Progress;
  readonly now?: () => Date;
}

export interface ExportResult {
  readonly counts: ExportCounts;
  /** Pages read in all runs of this export. */
  readonly pages: number;
  readonly complete: boolean;
  /** Stopped by the signal before the last page. */
  readonly interrupted: boolean;
  /** This run continued an interrupted one. */
  readonly resumed: boolean;
  /** The checkpoint said the export was complete already: nothing was read. */
  readonly alreadyComplete: boolean;
}

/** Graph answered a next link it had answered before in this run: following it would never end. */
export class PagingLoopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PagingLoopError';
  }
}

/**
 * Remembers every page link requested in this run by a 16-byte digest (about 50 bytes a page with the set's
 * overhead: 0.5 MB for 10 million users), so a cycle of any length is caught, not only a link repeated at once.
 */
export class PagingLoopGuard {
  private readonly seen = new Set<string>();

  /** Throws when `link` was requested before; `page` is the number of the page that answered it. */
  visit(link: string, page: number): void {
    const digest = createHash('sha256').update(link).digest('base64').slice(0, 22);
    if (this.seen.has(digest)) {
      throw new PagingLoopError(
        `Graph's @odata.nextLink on page ${page} repeats a link it already answered in this run: the paging loops, so the export stopped. The pages before it are written and checkpointed; run the same command later to resume, and if it loops again report it to Microsoft with the request ids`,
      );
    }
    this.seen.add(digest);
  }
}

export function selectFor(attributes: ClassifyOptions['attributes']): string {
  return [...BASE_SELECT, ...attributes.map((attribute) => attribute.name)].join(',');
}

export async function exportB2cUsers(options: ExportRunOptions): Promise<ExportResult> {
  const select = selectFor(options.classify.attributes);
  const identity: ExportIdentity = { tenant: options.tenant, select, allowUsernames: options.classify.allowUsernames };
  const now = options.now ?? (() => new Date());
  const previous = await loadExportCheckpoint(options.checkpointFile, identity);
  if (previous?.complete) return { counts: previous.counts, pages: previous.pages, complete: true, interrupted: false, resumed: true, alreadyComplete: true };

  const files = await OutputFiles.open(options, previous);
  let checkpoint: ExportCheckpoint = previous ?? {
    ...identity,
    schema: 'jitmigrate.export-b2c-checkpoint/1',
    nextLink: null,
    complete: false,
    pages: 0,
    outBytes: 0,
    reportBytes: 0,
    counts: emptyCounts(),
    updatedAt: now().toISOString(),
  };
  // Saved before the first request: from here on a rerun resumes (truncating whatever was written).
  if (previous === undefined) await saveExportCheckpoint(options.checkpointFile, checkpoint);

  const guard = new PagingLoopGuard();
  const progress = options.progress();
  try {
    if (checkpoint.nextLink !== null) guard.visit(checkpoint.nextLink, checkpoint.pages);
    while (!checkpoint.complete) {
      if (options.signal?.aborted) return result(checkpoint, previous, true);
      const page = await options.client.page<User>('/users', {
        query: { $select: select, $top: String(USERS_PAGE_SIZE) },
        ...(checkpoint.nextLink === null ? {} : { nextLink: checkpoint.nextLink }),
      });
      const pageNumber = checkpoint.pages + 1;
      if (page.nextLink !== undefined) guard.visit(page.nextLink, pageNumber);

      let counts = checkpoint.counts;
      const lines: string[] = [];
      const entries: string[] = [];
      for (const user of page.value) {
        if (typeof user?.id !== 'string') continue;
        const classified = classifyB2cUser(user, options.classify);
        counts = countUser(counts, classified);
        if (classified.migrate) lines.push(`${JSON.stringify(classified.user)}\n`);
        else entries.push(`${JSON.stringify(classified.entry)}\n`);
      }
      const written = await files.append(lines.join(''), entries.join(''));
      checkpoint = {
        ...checkpoint,
        nextLink: page.nextLink ?? null,
        complete: page.nextLink === undefined,
        pages: pageNumber,
        outBytes: written.outBytes,
        reportBytes: written.reportBytes,
        counts,
        updatedAt: now().toISOString(),
      };
      await saveExportCheckpoint(options.checkpointFile, checkpoint);
      progress.tick(page.value.length, { exported: exportedTotal(counts), 'not migrated': notMigratedTotal(counts), disabled: counts.disabled });
    }
    return result(checkpoint, previous, false);
  } finally {
    progress.stop();
    await files.close();
  }
}

function result(checkpoint: ExportCheckpoint, previous: ExportCheckpoint | undefined, interrupted: boolean): ExportResult {
  return { counts: checkpoint.counts, pages: checkpoint.pages, complete: checkpoint.complete, interrupted, resumed: previous !== undefined, alreadyComplete: false };
}

/** The users file and the report, appended page by page; their committed lengths go into the checkpoint. */
class OutputFiles {
  private constructor(
    private readonly out: fs.FileHandle,
    private readonly report: fs.FileHandle,
    private outBytes: number,
    private reportBytes: number,
  ) {}

  static async open(options: Pick<ExportRunOptions, 'outFile' | 'reportFile' | 'checkpointFile'>, checkpoint: ExportCheckpoint | undefined): Promise<OutputFiles> {
    if (checkpoint === undefined) {
      const size = (await fs.stat(options.outFile).catch(() => undefined))?.size ?? 0;
      if (size > 0) throw new UsageError(`--out ${options.outFile} already holds an export and no checkpoint (${options.checkpointFile}) says how far it got: delete it or choose another --out`);
    } else {
      // What the interrupted run wrote after its last checkpoint is dropped; that page is read again.
      for (const [file, bytes, option] of [[options.outFile, checkpoint.outBytes, '--out'], [options.reportFile, checkpoint.reportBytes, '--report']] as const) {
        const size = (await fs.stat(file).catch(() => undefined))?.size;
        if ((size ?? 0) < bytes) throw new UsageError(`${option} ${file} is missing or shorter than the checkpoint ${options.checkpointFile} says: users written before would be lost; delete the checkpoint and the --out file to export again`);
        if (size !== undefined) await fs.truncate(file, bytes);
      }
    }
    const flags = checkpoint === undefined ? 'w' : 'a';
    const open = async (file: string, option: string) => {
      try {
        return await fs.open(file, flags, 0o600);
      } catch (error) {
        throw new Error(`${option} ${file} could not be opened (${errorCode(error)}): check that its folder exists and is writable`);
      }
    };
    const out = await open(options.outFile, '--out');
    const report = await open(options.reportFile, '--report').catch(async (error: unknown) => {
      await out.close();
      throw error;
    });
    return new OutputFiles(out, report, checkpoint?.outBytes ?? 0, checkpoint?.reportBytes ?? 0);
  }

  /** Appends a page's lines and makes them durable; resolves the new committed lengths. */
  async append(lines: string, entries: string): Promise<{ outBytes: number; reportBytes: number }> {
    if (lines !== '') {
      await this.out.write(lines);
      this.outBytes += Buffer.byteLength(lines);
      await this.out.datasync();
    }
    if (entries !== '') {
      await this.report.write(entries);
      this.reportBytes += Buffer.byteLength(entries);
      await this.report.datasync();
    }
    return { outBytes: this.outBytes, reportBytes: this.reportBytes };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.out.close(), this.report.close()]);
  }
}
