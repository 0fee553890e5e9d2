/**
 * Writes users to the legacy table with entity-group transactions: up to 100 entities of one partition
 * per request ("Performing entity group transactions", Table service REST API), upserted with Merge.
 * Users are sharded over 256 partitions (tableRepository.ts keyShard), so a batch is grouped by
 * partition first and the transactions run a few at a time.
 *
 * Merge, not Replace: a re-run updates the hash, params, status and forced-change flag but keeps the
 * `migrated`/`migratedAt` marks the function wrote, so importing again never un-migrates anyone.
 * `params` and the profile columns are always written (empty when absent) so stale values from an earlier
 * import cannot linger.
 */
import type { TableEntity, TransactionAction } from '@azure/data-tables';
import { describeTableFailure, PROFILE_FIELDS, tableFailure, toUserEntity, type ProfileField, type UserEntity } from '../../../../function/src/legacy';
import { runLimited } from './concurrency';
import type { Reject } from './rejects';
import type { AcceptedUser, UserSink } from './sink';

/** The part of TableClient the import uses (tests wrap it to inject failures). */
export interface TableWriter {
  submitTransaction(actions: TransactionAction[]): Promise<unknown>;
  upsertEntity(entity: TableEntity<object>, mode?: 'Merge' | 'Replace'): Promise<unknown>;
}

export interface TableSinkOptions {
  /** Entities per transaction, 1–100. */
  readonly batchSize: number;
  /** Transactions in flight at once. */
  readonly concurrency?: number;
  /** Attempts per transaction for throttling and transient failures (default 6: ~15 s of backoff). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
}

type ImportEntity = TableEntity<Omit<UserEntity, 'migrated' | 'migratedAt'>>;

/** The store as a whole is unusable (auth, missing table, network): every write would fail. */
export class StoreFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreFailure';
  }
}

export class TableSink implements UserSink {
  private readonly concurrency: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly writer: TableWriter,
    readonly description: string,
    private readonly options: TableSinkOptions,
  ) {
    this.concurrency = options.concurrency ?? 16;
    this.attempts = options.attempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 250;
  }

  async write(batch: readonly AcceptedUser[]): Promise<Reject[]> {
    const groups = new Map<string, { record: number; entity: ImportEntity }[]>();
    for (const { record, user } of batch) {
      const entity = importEntity(user);
      const group = groups.get(entity.partitionKey) ?? [];
      group.push({ record, entity });
      groups.set(entity.partitionKey, group);
    }
    const transactions: { record: number; entity: ImportEntity }[][] = [];
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += this.options.batchSize) transactions.push(group.slice(i, i + this.options.batchSize));
    }
    const refused: Reject[] = [];
    await runLimited(transactions, this.concurrency, async (items) => {
      refused.push(...(await this.submit(items)));
    });
    return refused;
  }

  private async submit(items: readonly { record: number; entity: ImportEntity }[]): Promise<Reject[]> {
    const actions: TransactionAction[] = items.map(({ entity }) => ['upsert', entity, 'Merge']);
    const error = await this.withRetries(() => this.writer.submitTransaction(actions));
    if (!error) return [];
    // One bad entity fails its whole transaction: retry one by one to find it and keep the others.
    const refused: Reject[] = [];
    for (const { record, entity } of items) {
      const single = await this.withRetries(() => this.writer.upsertEntity(entity, 'Merge'));
      if (single) refused.push({ record, username: entity.username, reason: `refused by the store: ${describeTableFailure(single, 'store the user')}` });
    }
    return refused;
  }

  /** Undefined on success; the error when the store refused this request; throws StoreFailure when the store is unusable. */
  private async withRetries(operation: () => Promise<unknown>): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        await operation();
        return undefined;
      } catch (error) {
        const failure = tableFailure(error);
        if (isStoreWide(failure.status, failure.code)) throw new StoreFailure(storeWideMessage(error));
        if (!isTransient(failure.status) || attempt >= this.attempts) {
          if (isTransient(failure.status)) throw new StoreFailure(`${describeTableFailure(error, 'write users')} after ${attempt} attempts: the store is throttling or unavailable; re-run later with the same --checkpoint`);
          return error;
        }
        await sleep(this.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  async commit(): Promise<{ usersFileBytes?: number }> {
    return {}; // a successful transaction is already durable
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {}
}

/** The user's entity without the migration marks (see the Merge note above). */
function importEntity(user: AcceptedUser['user']): ImportEntity {
  const { migrated: _migrated, migratedAt: _migratedAt, ...entity } = toUserEntity(user);
  const cleared = Object.fromEntries(PROFILE_FIELDS.map((field) => [field, ''])) as Record<ProfileField, string>;
  return { ...cleared, ...entity, params: entity.params ?? '' };
}

/**
 * The shared description, except for access: the import runs as the operator's own Azure sign-in (or the
 * machine's managed identity), not as the function app's identity.
 */
function storeWideMessage(error: unknown): string {
  return describeTableFailure(error, 'write users', "the identity the import runs as (your az login, or the machine's managed identity)");
}

/** No response (network), 408, 429 and 5xx: worth retrying with backoff. */
function isTransient(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** Failures no other entity would escape: credentials, permissions, a missing table. */
function isStoreWide(status: number | undefined, code: string | undefined): boolean {
  return status === 401 || status === 403 || code === 'TableNotFound' || code === 'AuthenticationFailed' || code === 'AuthorizationFailure';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
