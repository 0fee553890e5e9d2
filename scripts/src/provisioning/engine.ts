/**
 * One provisioning run: read the export twice (a survey that counts and checks it against the checkpoint,
 * then the real pass), create the users through Graph `$batch`, and settle every record exactly once.
 *
 * Never lose a user, never create one twice (unlike the B2C sample, which deletes the legacy row even when
 * the create failed: azure-ad-b2c-jit.md section 6):
 * - every create is logged as `sending` (with its UPN) before it leaves, and its outcome after;
 * - a record whose fate is unknown (crash, network failure, 5xx) is looked up by identity before it is
 *   sent again, and a create that finds the identity taken is resolved by a look-up: our own earlier
 *   attempt (same UPN) counts as created, anyone else's as exists;
 * - throttled records go back in line; nothing is dropped for being slow.
 */
import { GraphError, type BatchResponse, type GraphClient } from '../../../lib/graph';
import type { ExportRow } from '../legacyExport/types';
import { FirstRecordIndex } from '../scale/firstRecordIndex';
import type { MethodOutcomeEntry, OutcomeEntry, ProvisioningLog, RecordLookup } from './checkpoint';
import { CheckpointMismatchError } from './checkpoint';
import type { AdaptiveConcurrency } from './concurrency';
import { changedValueEntries, type ErrorReportEntry, type ErrorSink } from './errorReport';
import { lookupRequest, methodRequest, readCreateResponse, readLookupResponse, readMethodResponse } from './graphRequests';
import { methodsLeft } from './methodPlan';
import { TRANSIENT_FAILURES, type Failure, type FailureCode } from './outcomes';
import { generatePassword } from './password';
import type { ProvisioningTarget } from './target';
import { planUser } from './userPlan';
import { userShapeFor, type UserShape } from './userShape';
import { sleep as realSleep, Wake, type Sleep } from './wake';
import { WorkQueue, type Batch, type MethodWork, type Work } from './workQueue';
import { WritePacer, type WriteBudget } from './writeBudget';

export type GraphBatcher = Pick<GraphClient, 'batch'>;

export interface ProgressReporter {
  tick(n?: number, counters?: Record<string, number>): void;
  stop(): void;
}

export interface ProvisionRunOptions {
  /** Called twice: the survey pass and the provisioning pass. */
  readonly rows: () => AsyncIterable<ExportRow>;
  readonly target: ProvisioningTarget;
  /**
   * Absent only for an offline dry run (nothing is looked up). Several = one client per app identity
   * (`--identity`): batches are spread across them, paced per identity and per tenant by a WritePacer.
   */
  readonly graph?: GraphBatcher | readonly GraphBatcher[];
  readonly checkpoint: ProvisioningLog & { readonly records: RecordLookup };
  readonly errors: ErrorSink;
  /** Also the Graph client's `onThrottle` target, so it sees every 429. */
  readonly concurrency: AdaptiveConcurrency;
  /** Proactive pacing under the published write limits (a pacer has one lane per Graph client); none = react to 429s only. */
  readonly writeBudget?: WriteBudget | WritePacer;
  readonly dryRun?: boolean;
  /** Called once the survey knows how many records are left to do. */
  readonly progress?: (plan: { total: number }) => ProgressReporter;
  /** Abort = stop cleanly: nothing new is sent, batches in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  readonly newPassword?: () => string;
  /** Default: the platform's (userShape.ts); External ID makes a random one, B2C none. */
  readonly newUserPrincipalName?: (domain: string) => string | undefined;
  /** Sends (creates and look-ups) per record before it is reported as failed. Default 10. */
  readonly maxAttempts?: number;
}

export interface ProvisionSummary {
  readonly dryRun: boolean;
  /** Records in the input. */
  readonly records: number;
  readonly created: number;
  readonly exists: number;
  /** Of `exists`: users found without the migration flag (JIT will not migrate them). */
  readonly existsNotFlagged: number;
  readonly failed: Readonly<Partial<Record<FailureCode, number>>>;
  readonly failedTotal: number;
  /** Settled (created or exists) by an earlier run with the same checkpoint. */
  readonly skippedByResume: number;
  /** Dry run: valid users not found in the tenant (or not looked up). */
  readonly wouldCreate: number;
  /** Dry run: whether existing users were looked up. */
  readonly existenceChecked: boolean;
  /** Left for the next run (interrupted or stopped). */
  readonly notAttempted: number;
  readonly interrupted: boolean;
  /** Why the run stopped early, when something made every further request pointless. */
  readonly stoppedBecause?: string;
  readonly throttled: number;
  readonly serverBusy: number;
  readonly peakConcurrency: number;
  readonly elapsedMs: number;
  /** `--mfa-methods`: methods registered now, found already registered, or failed (sent again by the next run). */
  readonly methods?: { readonly registered: number; readonly alreadyRegistered: number; readonly failed: number };
}

/** Queue depth at which reading pauses: enough for every batch in flight and the next ones. */
const HIGH_WATER = 400;
/** Validation failures are written to the checkpoint in chunks, not one fsync each. */
const FLUSH_EVERY = 200;

export function provisionUsers(options: ProvisionRunOptions): Promise<ProvisionSummary> {
  return new ProvisioningRun(options).run();
}

class ProvisioningRun {
  private readonly queue = new WorkQueue();
  private readonly wake = new Wake();
  private readonly stopper = new AbortController();
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly newPassword: () => string;
  private readonly shape: UserShape;
  private readonly newUserPrincipalName: (domain: string) => string | undefined;
  private readonly maxAttempts: number;
  private readonly dryRun: boolean;
  private readonly lanes: readonly GraphBatcher[];
  private readonly pacer: WritePacer | undefined;
  private methodsRegistered = 0;
  private methodsAlreadyRegistered = 0;
  private methodsFailed = 0;
  private pendingMethodOutcomes: MethodOutcomeEntry[] = [];
  /** The first record of each email, learnt as pass 2 reads (a compact index: exports run to millions). */
  private firstRecordByEmail: FirstRecordIndex | undefined;

  private records = 0;
  private created = 0;
  private exists = 0;
  private existsNotFlagged = 0;
  private readonly failed: Partial<Record<FailureCode, number>> = {};
  private failedTotal = 0;
  private skippedByResume = 0;
  private wouldCreate = 0;
  private inputDone = false;
  private inFlight = 0;
  private interrupted = false;
  private stoppedBecause: string | undefined;
  private progress: ProgressReporter | undefined;
  private pendingOutcomes: OutcomeEntry[] = [];
  private pendingReports: ErrorReportEntry[] = [];

  constructor(private readonly options: ProvisionRunOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.newPassword = options.newPassword ?? (() => generatePassword());
    this.shape = userShapeFor(options.target.platform);
    this.newUserPrincipalName = options.newUserPrincipalName ?? ((domain) => this.shape.newUserPrincipalName(domain));
    this.maxAttempts = options.maxAttempts ?? 10;
    this.dryRun = options.dryRun ?? false;
    const graph = options.graph;
    this.lanes = graph === undefined ? [] : isBatcherList(graph) ? graph : [graph];
    const budget = options.writeBudget;
    this.pacer = budget === undefined || budget instanceof WritePacer ? budget : new WritePacer([budget]);
    if (this.pacer && this.lanes.length > 0 && this.pacer.laneCount !== this.lanes.length) {
      throw new Error(`the write pacer has ${this.pacer.laneCount} lane(s) for ${this.lanes.length} Graph client(s): give it one per identity`);
    }
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  async run(): Promise<ProvisionSummary> {
    const startedAt = this.now();
    const onAbort = () => {
      this.interrupted = true;
      this.stop();
    };
    if (this.options.signal?.aborted) onAbort();
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const alreadyDone = await this.survey();
      this.progress = this.options.progress?.({ total: this.records - alreadyDone });
      const producing = this.produce()
        .catch((error: unknown) => this.stop(`reading the input failed: ${messageOf(error)}`))
        .finally(() => {
          this.inputDone = true;
          this.wake.notify();
        });
      await this.schedule();
      this.wake.notify();
      await producing;
      await this.flush();
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      this.progress?.stop();
      this.firstRecordByEmail?.close();
    }
    return this.summary(this.now() - startedAt);
  }

  /** Stops sending; batches in flight still finish and are recorded. */
  private stop(reason?: string): void {
    if (reason !== undefined && this.stoppedBecause === undefined) this.stoppedBecause = reason;
    this.stopper.abort();
    this.wake.notify();
  }

  /** Pass 1: count, and check the checkpoint belongs to this input. */
  private async survey(): Promise<number> {
    let alreadyDone = 0;
    for await (const row of this.options.rows()) {
      if (this.stopped) break;
      this.records++;
      const planned = planUser(row, this.options.target);
      const record = planned.ok ? planned.draft.record : planned.record;
      const saved = this.options.checkpoint.records.get(record);
      // A record Graph has (or may have) seen must keep its email; one that Graph refused may be corrected.
      const seenByGraph = saved !== undefined && (saved.state !== 'failed' || (saved.code !== undefined && TRANSIENT_FAILURES.has(saved.code)));
      if (seenByGraph && saved.email !== undefined && (!planned.ok || saved.email !== planned.draft.email)) {
        throw new CheckpointMismatchError(
          `record ${record} is ${saved.email} in the checkpoint but ${planned.ok ? planned.draft.email : 'invalid'} in the input: ` +
            `the input changed since the checkpoint was written; resume with the original input, or pass a new --checkpoint`,
        );
      }
      if (saved?.state === 'created' || saved?.state === 'exists') alreadyDone++;
    }
    return alreadyDone;
  }

  /** Pass 2: plan each record and queue what needs Graph, pausing while the queue is full. */
  private async produce(): Promise<void> {
    const firstRecordByEmail = new FirstRecordIndex({ expectedNames: this.records });
    this.firstRecordByEmail = firstRecordByEmail;
    for await (const row of this.options.rows()) {
      if (this.stopped) break;
      const planned = planUser(row, this.options.target);
      if (!planned.ok) {
        this.settleFailed(planned.record, planned.username, undefined, planned.failure);
      } else {
        const { draft } = planned;
        this.pendingReports.push(...changedValueEntries(draft));
        const saved = this.options.checkpoint.records.get(draft.record);
        const first = firstRecordByEmail.claim(draft.email, draft.record);
        if (first !== undefined) {
          this.settleFailed(draft.record, draft.username, draft.email, {
            code: 'duplicate-in-input',
            reason: `record ${first} has the same email (${draft.email}): merge the two records or remove one from the export`,
          });
        } else if (saved?.state === 'created' || saved?.state === 'exists') {
          this.skippedByResume++;
          // Created by an earlier run: its methods may still be to do (a stop, or a first run without --mfa-methods).
          if (saved.state === 'created' && saved.id !== undefined && !this.dryRun) this.queueMethods(draft, saved.id, saved.methodsDone);
        } else if (this.dryRun) {
          if (this.options.graph) this.queue.addLookup({ draft, attempts: 0, lookupBecause: 'dry-run' });
          else this.settleWouldCreate();
        } else if (saved?.userPrincipalName !== undefined || saved?.state === 'sending') {
          // Sent before, fate unknown: look it up before sending it again, with the same UPN (none on B2C).
          this.queue.addLookup({ draft, userPrincipalName: saved.userPrincipalName, attempts: 0, lookupBecause: 'in-doubt' });
        } else {
          this.queue.addCreate({ draft, attempts: 0 });
        }
      }
      this.wake.notify();
      if (this.pendingOutcomes.length >= FLUSH_EVERY) await this.flush();
      while (this.queue.size >= HIGH_WATER && !this.stopped) await this.wake.wait();
    }
  }

  private async schedule(): Promise<void> {
    const running = new Set<Promise<void>>();
    while (!this.stopped) {
      const batch = this.queue.take(this.inputDone);
      if (batch === undefined) {
        if (this.inputDone && running.size === 0 && this.queue.size === 0) break;
        await this.wake.wait();
        continue;
      }
      this.wake.notify(); // room for the reader
      const lane = await this.admit(batch);
      if (lane === undefined) {
        this.queue.putBack(batch);
        break;
      }
      const startedAt = this.now();
      this.inFlight++;
      const task: Promise<void> = this.execute(batch, lane)
        .then(
          () => this.options.concurrency.onBatchCompleted(startedAt),
          (error: unknown) => this.stop(messageOf(error)),
        )
        .finally(() => {
          this.inFlight--;
          running.delete(task);
          this.wake.notify();
        });
      running.add(task);
    }
    await Promise.all(running);
  }

  /**
   * Waits out Retry-After, a free slot, and (for writes: creates and methods) the write budget of some identity
   * and of the tenant. Returns the lane (identity) to send on; undefined once the run stops.
   */
  private async admit(batch: Batch): Promise<number | undefined> {
    for (;;) {
      if (this.stopped) return undefined;
      const pause = this.options.concurrency.pauseRemaining();
      if (pause > 0) {
        await this.sleep(pause, this.stopper.signal);
        continue;
      }
      if (this.inFlight >= this.options.concurrency.limit) {
        await this.wake.wait();
        continue;
      }
      if (!this.pacer) return 0;
      if (batch.kind === 'lookup') return this.pacer.nextReadLane();
      const { lane, delayMs } = this.pacer.next(batch.items.length);
      if (delayMs > 0) {
        await this.sleep(delayMs, this.stopper.signal);
        continue;
      }
      this.pacer.spend(lane, batch.items.length);
      return lane;
    }
  }

  private async execute(batch: Batch, lane: number): Promise<void> {
    if (batch.kind === 'methods') await this.registerMethods(batch.items, lane);
    else if (batch.kind === 'create') await this.createUsers(batch.items, lane);
    else await this.lookUpUsers(batch.items, lane);
    await this.flush();
  }

  private async createUsers(items: Work[], lane: number): Promise<void> {
    const graph = this.requireGraph(lane);
    for (const work of items) {
      work.userPrincipalName ??= this.newUserPrincipalName(this.options.target.domain);
      work.attempts++;
    }
    try {
      await this.options.checkpoint.sending(items.map((work) => ({ record: work.draft.record, email: work.draft.email, userPrincipalName: work.userPrincipalName })));
    } catch (error) {
      for (const work of items) this.queue.addCreate(work, true);
      throw new Error(`could not write the checkpoint (${messageOf(error)}): check the disk and its permissions; these users were not sent`);
    }
    // The passwords live only in this array, which nothing logs or keeps.
    const requests = items.map((work) => this.shape.createRequest(String(work.draft.record), work.draft, work.userPrincipalName, this.newPassword()));
    let responses: BatchResponse[];
    try {
      responses = await graph.batch(requests);
    } catch (error) {
      this.onBatchError('create', items, error);
      return;
    }
    items.forEach((work, index) => {
      const result = readCreateResponse(requests[index]!, responses[index]!, this.options.target);
      switch (result.kind) {
        case 'created':
          return this.settleCreated(work, result.id);
        case 'conflict':
          work.lookupBecause = 'conflict';
          return this.queue.addLookup(work);
        case 'throttled':
          return this.retry(work, 'create', 'throttled');
        case 'in-doubt':
          return this.retry(work, 'lookup', 'graph-unavailable');
        case 'failed':
          this.settleFailed(work.draft.record, work.draft.username, work.draft.email, result.failure);
          if (result.fatal) this.stop(result.failure.reason);
          return;
      }
    });
  }

  private async lookUpUsers(items: Work[], lane: number): Promise<void> {
    const graph = this.requireGraph(lane);
    for (const work of items) work.attempts++;
    const requests = items.map((work) => lookupRequest(String(work.draft.record), work.draft.email, this.options.target));
    let responses: BatchResponse[];
    try {
      responses = await graph.batch(requests);
    } catch (error) {
      this.onBatchError('lookup', items, error);
      return;
    }
    items.forEach((work, index) => {
      const result = readLookupResponse(requests[index]!, responses[index]!, this.options.target);
      switch (result.kind) {
        case 'found': {
          const ours = work.userPrincipalName !== undefined && result.userPrincipalName?.toLowerCase() === work.userPrincipalName.toLowerCase();
          if (ours && work.lookupBecause !== 'dry-run') return this.settleCreated(work, result.id);
          return this.settleExists(work, result.id, result.flagged);
        }
        case 'absent':
          if (work.lookupBecause === 'dry-run') return this.settleWouldCreate();
          // Graph said the identity is taken but cannot show it yet (replication): it exists all the same.
          if (work.lookupBecause === 'conflict') return this.settleExists(work, undefined, undefined);
          return this.queue.addCreate(work, true);
        case 'retry':
          return this.retry(work, 'lookup', 'graph-unavailable');
        case 'failed':
          this.settleFailed(work.draft.record, work.draft.username, work.draft.email, result.failure);
          if (result.fatal) this.stop(result.failure.reason);
          return;
      }
    });
  }

  /** One `$batch` of authentication methods; a method sent twice answers 409, which counts as done. */
  private async registerMethods(items: MethodWork[], lane: number): Promise<void> {
    const graph = this.requireGraph(lane);
    for (const work of items) work.attempts++;
    const requests = items.map((work, index) => methodRequest(String(index), work.userId, work.method, work.value));
    let responses: BatchResponse[];
    try {
      responses = await graph.batch(requests);
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      if (error.status === 401 || error.status === 403) return this.stop(error.message);
      for (const work of items) this.retryMethod(work, error.status === 429);
      return;
    }
    items.forEach((work, index) => {
      const result = readMethodResponse(requests[index]!, responses[index]!, work.method);
      switch (result.kind) {
        case 'registered':
        case 'already-registered':
          return this.settleMethod(work, result.kind);
        case 'retry':
          return this.retryMethod(work, result.throttled);
        case 'failed':
          this.settleMethod(work, 'failed', result.failure);
          if (result.fatal) this.stop(result.failure.reason);
          return;
      }
    });
  }

  private queueMethods(draft: Work['draft'], userId: string, done?: readonly ('phone' | 'email')[]): void {
    for (const { method, value } of methodsLeft(draft.methods, done)) this.queue.addMethod({ draft, userId, method, value, attempts: 0 });
  }

  private retryMethod(work: MethodWork, throttled: boolean): void {
    if (work.attempts < this.maxAttempts) return this.queue.addMethod(work);
    const reason = throttled
      ? `Graph kept throttling the ${work.method} method after ${work.attempts} attempts: run the same command again to resume`
      : `Graph kept failing the ${work.method} method after ${work.attempts} attempts: run the same command again; a method already registered counts as done`;
    this.settleMethod(work, 'failed', { code: throttled ? 'throttled' : 'graph-unavailable', reason });
  }

  private settleMethod(work: MethodWork, outcome: MethodOutcomeEntry['outcome'], failure?: Failure): void {
    if (outcome === 'registered') this.methodsRegistered++;
    else if (outcome === 'already-registered') this.methodsAlreadyRegistered++;
    else this.methodsFailed++;
    this.pendingMethodOutcomes.push({ record: work.draft.record, method: work.method, outcome, ...(failure ? { code: failure.code, reason: failure.reason } : {}) });
    if (failure) this.pendingReports.push({ record: work.draft.record, username: work.draft.username, status: 'failed', code: failure.code, reason: `${work.method} method: ${failure.reason}` });
  }

  /** The whole `$batch` failed: decide per Graph's status whether its creates may have happened. */
  private onBatchError(kind: 'create' | 'lookup', items: Work[], error: unknown): void {
    if (!(error instanceof GraphError)) throw error;
    if (error.status === 401 || error.status === 403) {
      // Left as `sending` in the checkpoint: the next run looks them up first.
      this.stop(error.message);
      return;
    }
    if (error.status === 429) {
      for (const work of items) this.retry(work, kind, 'throttled');
    } else if (error.status === 0 || error.status >= 500) {
      // No answer, or a server failure: a create may or may not have happened.
      for (const work of items) this.retry(work, 'lookup', 'graph-unavailable');
    } else {
      this.stop(error.message);
    }
  }

  private retry(work: Work, next: 'create' | 'lookup', codeWhenExhausted: 'throttled' | 'graph-unavailable'): void {
    if (work.attempts >= this.maxAttempts) {
      const reason =
        codeWhenExhausted === 'throttled'
          ? `Graph kept throttling this user after ${work.attempts} attempts: run the same command again to resume`
          : `Graph kept failing or could not be reached for this user after ${work.attempts} attempts: run the same command again; it looks the user up before creating it, so nothing is created twice`;
      this.settleFailed(work.draft.record, work.draft.username, work.draft.email, { code: codeWhenExhausted, reason });
      return;
    }
    if (next === 'create') {
      this.queue.addCreate(work, true);
    } else {
      if (work.lookupBecause !== 'dry-run' && work.lookupBecause !== 'conflict') work.lookupBecause = 'in-doubt';
      this.queue.addLookup(work);
    }
  }

  private settleCreated(work: Work, id: string): void {
    this.created++;
    this.pendingOutcomes.push({ record: work.draft.record, email: work.draft.email, state: 'created', id, userPrincipalName: work.userPrincipalName });
    this.queueMethods(work.draft, id);
    this.tick();
  }

  private settleExists(work: Work, id: string | undefined, flagged: boolean | undefined): void {
    this.exists++;
    this.pendingOutcomes.push({ record: work.draft.record, email: work.draft.email, state: 'exists', id, flagged });
    if (flagged === false) {
      this.existsNotFlagged++;
      const flag = this.options.target.migrationProperty;
      this.pendingReports.push({
        record: work.draft.record,
        username: work.draft.username,
        status: 'exists',
        code: 'not-flagged',
        reason:
          `a user with this email already exists without ${flag} = true, so the JIT listener will not migrate its password: ` +
          `if it still needs migrating, set the flag (PATCH /users/${id} {"${flag}": true}); otherwise nothing to do`,
      });
    }
    this.tick();
  }

  private settleFailed(record: number, username: string | undefined, email: string | undefined, failure: Failure): void {
    this.failedTotal++;
    this.failed[failure.code] = (this.failed[failure.code] ?? 0) + 1;
    this.pendingOutcomes.push({ record, email, state: 'failed', code: failure.code, reason: failure.reason });
    this.pendingReports.push({ record, username, status: 'failed', code: failure.code, reason: failure.reason });
    this.tick();
  }

  private settleWouldCreate(): void {
    this.wouldCreate++;
    this.tick();
  }

  private tick(): void {
    const counters: Record<string, number> = this.dryRun
      ? { 'would create': this.wouldCreate, exists: this.exists, 'would fail': this.failedTotal }
      : { created: this.created, exists: this.exists, failed: this.failedTotal };
    this.progress?.tick(1, counters);
  }

  /** Outcomes to the checkpoint (not in a dry run) and reports to the error file. */
  private async flush(): Promise<void> {
    const outcomes = this.pendingOutcomes;
    const reports = this.pendingReports;
    const methodOutcomes = this.pendingMethodOutcomes;
    this.pendingOutcomes = [];
    this.pendingReports = [];
    this.pendingMethodOutcomes = [];
    if (!this.dryRun) await this.options.checkpoint.settled(outcomes);
    // After the creates they follow: a method line is read back only for a record with a state line.
    if (!this.dryRun && methodOutcomes.length > 0) await this.options.checkpoint.methodsSettled?.(methodOutcomes);
    await this.options.errors.add(reports);
  }

  private requireGraph(lane: number): GraphBatcher {
    const graph = this.lanes[lane];
    if (!graph) throw new Error('no Graph client: only an offline dry run can do without one');
    return graph;
  }

  private summary(elapsedMs: number): ProvisionSummary {
    const settled = this.created + this.exists + this.failedTotal + this.skippedByResume + this.wouldCreate;
    const { stats } = this.options.concurrency;
    return {
      dryRun: this.dryRun,
      records: this.records,
      created: this.created,
      exists: this.exists,
      existsNotFlagged: this.existsNotFlagged,
      failed: { ...this.failed },
      failedTotal: this.failedTotal,
      skippedByResume: this.skippedByResume,
      wouldCreate: this.wouldCreate,
      existenceChecked: this.dryRun && this.options.graph !== undefined,
      notAttempted: Math.max(0, this.records - settled),
      interrupted: this.interrupted,
      stoppedBecause: this.stoppedBecause,
      throttled: stats.throttled,
      serverBusy: stats.serverBusy,
      peakConcurrency: stats.peakLimit,
      elapsedMs,
      ...((this.options.target.mfaMethods?.length ?? 0) > 0
        ? { methods: { registered: this.methodsRegistered, alreadyRegistered: this.methodsAlreadyRegistered, failed: this.methodsFailed } }
        : {}),
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isBatcherList(graph: GraphBatcher | readonly GraphBatcher[]): graph is readonly GraphBatcher[] {
  return Array.isArray(graph);
}
