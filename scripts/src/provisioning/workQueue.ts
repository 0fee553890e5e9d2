/**
 * Records waiting for Graph, cut into `$batch` requests of at most 20 (json-batching: "JSON batch requests
 * are currently limited to 20 individual requests"). Look-ups go first: they decide whether an in-doubt
 * record still needs creating. A partial batch goes out only when no more input is coming.
 */
import { MAX_BATCH_REQUESTS } from '../../../lib/graph';
import type { MfaMethod } from './target';
import type { UserDraft } from './userPlan';

export interface Work {
  readonly draft: UserDraft;
  /** Known once an attempt was logged: a retry reuses it, so Graph can tell it is the same user. */
  userPrincipalName?: string;
  /** Sends so far (creates and look-ups); capped, so a record that never gets through ends as failed. */
  attempts: number;
  /** Why a look-up is queued: an in-doubt create may need sending, a conflict never does. */
  lookupBecause?: 'in-doubt' | 'conflict' | 'dry-run';
}

/** One authentication method to register on a user that exists (`--mfa-methods`). */
export interface MethodWork {
  readonly draft: UserDraft;
  readonly userId: string;
  readonly method: MfaMethod;
  readonly value: string;
  attempts: number;
}

export type Batch = { readonly kind: 'create' | 'lookup'; readonly items: Work[] } | { readonly kind: 'methods'; readonly items: MethodWork[] };

export class WorkQueue {
  private readonly creates: Work[] = [];
  private readonly lookups: Work[] = [];
  private readonly methods: MethodWork[] = [];

  constructor(private readonly batchSize: number = MAX_BATCH_REQUESTS) {
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_REQUESTS) throw new RangeError(`batch size must be 1–${MAX_BATCH_REQUESTS}`);
  }

  get size(): number {
    return this.creates.length + this.lookups.length + this.methods.length;
  }

  get pendingCreates(): number {
    return this.creates.length;
  }

  /** `retry` puts the work first: it was already in line once. */
  addCreate(work: Work, retry = false): void {
    if (retry) this.creates.unshift(work);
    else this.creates.push(work);
  }

  addLookup(work: Work): void {
    this.lookups.push(work);
  }

  addMethod(work: MethodWork): void {
    this.methods.push(work);
  }

  take(inputDone: boolean): Batch | undefined {
    if (this.lookups.length >= this.batchSize || (this.lookups.length > 0 && (inputDone || this.creates.length < this.batchSize))) {
      return { kind: 'lookup', items: this.lookups.splice(0, this.batchSize) };
    }
    // Methods wait for a full batch, like creates, unless the creates have run dry.
    if (this.methods.length >= this.batchSize || (this.methods.length > 0 && (inputDone || this.creates.length < this.batchSize))) {
      return { kind: 'methods', items: this.methods.splice(0, this.batchSize) };
    }
    if (this.creates.length >= this.batchSize || (inputDone && this.creates.length > 0)) {
      return { kind: 'create', items: this.creates.splice(0, this.batchSize) };
    }
    return undefined;
  }

  /** Back to the front, untouched (the run stopped before sending it). */
  putBack(batch: Batch): void {
    if (batch.kind === 'methods') this.methods.unshift(...batch.items);
    else (batch.kind === 'create' ? this.creates : this.lookups).unshift(...batch.items);
  }

  /** Everything still waiting, emptied out (for the interrupted-run count). */
  drain(): Work[] {
    return [...this.lookups.splice(0), ...this.creates.splice(0)];
  }
}
