/**
 * Shared state in Azure Table Storage, correct across any number of function instances. Atomicity comes
 * from the service, never from process memory: insert fails with 409 when a row exists, and updates carry
 * the ETag they read (If-Match) and fail with 412 when another instance wrote in between
 * ("Managing concurrency in Table storage", optimistic concurrency).
 *
 * Rows (PartitionKey / RowKey):
 *   nonce-<shard>    / request key (base64url)   state pending|answered, expiresAt, action, title, message
 *   attempts-<shard> / encoded username          username, failures (JSON array of epoch ms, oldest first),
 *                                                reservations (JSON object: reservation id → its epoch ms in failures)
 *   migrated-<shard> / encoded username          username, migratedAt
 *   superseded-<shard> / encoded username        username, supersededAt (a password set in Entra won)
 *   circuit          / legacy                    circuit (JSON {trips: [{subject, at}], openUntil?}, epoch ms): the
 *                                                legacy system's circuit breaker, one row for the whole tenant
 */
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import {
  createTableClient,
  describeTableFailure,
  encodeKey,
  failureSummary,
  isEntityNotFound,
  keyShard,
  probeTable,
  TABLE_PROBE_TIMEOUT_MS,
  tableFailure,
  type TableSettings,
} from '../legacy/tableRepository';
import { DEFAULT_MAX_TRACKED_FAILURES, newReservationId, releaseFrom, reserveIn, type FailureEntry } from './failureWindow';
import { tripIn, type CircuitRecord, type CircuitTrip } from './circuitWindow';
import type {
  AttemptReservation,
  CircuitRule,
  CircuitState,
  FailedAttemptCounter,
  LegacyCircuit,
  MigrationMarks,
  NonceClaim,
  NonceLedger,
  RecordedAnswer,
  ReserveResult,
  StateStore,
} from './port';

/** The state store could not answer. The message names the operation and the HTTP status, nothing else. */
export class StateStoreError extends Error {
  constructor(
    message: string,
    /** From probe(): which setting is at fault, the table's name or its account (location, credential). */
    readonly fault?: 'table-name' | 'account',
  ) {
    super(message);
    this.name = 'StateStoreError';
  }
}

export interface TableStateStoreOptions {
  readonly lockoutWindowMs: number;
  /** Clock for nonce expiry (tests). The attempt counter uses the `now` it is given. */
  readonly now?: () => number;
  /** Failures kept per user; default 1000, the largest LockoutThreshold allowed, so capping never changes a decision. */
  readonly maxTrackedFailures?: number;
  /** Optimistic-concurrency rounds before giving up. Default 16 (20 concurrent writers to one row need about 8). */
  readonly maxAttempts?: number;
  /** How the client signs in, so a refusal names the right fix; fromSettings sets it. */
  readonly auth?: 'connection-string' | 'managed-identity';
}

const DEFAULT_MAX_ATTEMPTS = 16;
/** The probe's own limit: an unreachable account must not hold start-up or a health check for long. */
/** A row nobody writes: reading it is one point query that proves network, credential and table. */
const PROBE_KEYS = { partitionKey: 'probe', rowKey: 'probe' } as const;
/** @azure/identity's failures to get a token: the identity is missing or not assigned, not the network. */
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AuthenticationRequiredError']);
/** Request keys are base64url (see port.ts); anything else is a programming error, not a key to store. */
const REQUEST_KEY = /^[A-Za-z0-9_-]{1,512}$/;
const ACTIONS = new Set<RecordedAnswer['action']>(['MigratePassword', 'UpdatePassword', 'Retry', 'Block']);

function isConflict(error: unknown): boolean {
  const status = tableFailure(error).status;
  return status === 409 || status === 412;
}

function storeError(error: unknown, operation: string): StateStoreError {
  return new StateStoreError(describeTableFailure(error, operation));
}

/** Randomized, growing pause between optimistic-concurrency rounds, so contenders stop colliding. */
function backoff(round: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 4 * 2 ** round);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** After an operation got no response at all (refused, reset, unresolvable), the next ones fail at once for this long. */
const FAIL_FAST_MS = 1000;
const GUARDED_OPERATIONS = new Set<PropertyKey>(['getEntity', 'createEntity', 'updateEntity', 'upsertEntity']);

/**
 * The client the stores use. Once the account gave no response, operations fail at once for a second
 * instead of each paying the SDK's retries (about 300 ms), so in an outage a callout takes no longer than
 * without a store. The probe uses the plain client.
 */
function failingFast(client: TableClient): TableClient {
  let downUntil = 0;
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (!GUARDED_OPERATIONS.has(property)) return value.bind(target);
      return async (...args: unknown[]): Promise<unknown> => {
        if (performance.now() < downUntil) throw new StateStoreError('Table Storage: the account gave no response moments ago');
        try {
          return await value.apply(target, args);
        } catch (error) {
          const f = tableFailure(error);
          if (f.status === undefined && !f.aborted) downUntil = performance.now() + FAIL_FAST_MS;
          throw error;
        }
      };
    },
  });
}

async function readOrUndefined<T extends object>(client: TableClient, partitionKey: string, rowKey: string, operation: string): Promise<TableEntityResult<T> | undefined> {
  try {
    return await client.getEntity<T>(partitionKey, rowKey);
  } catch (error) {
    if (isEntityNotFound(error)) return undefined;
    throw storeError(error, operation);
  }
}

interface NonceRow {
  state?: string;
  expiresAt?: Date;
  action?: string;
  title?: string;
  message?: string;
  outcome?: string;
}

class TableNonceLedger implements NonceLedger {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => number,
    private readonly maxAttempts: number,
  ) {}

  async claim(requestKey: string, expiresAt: Date): Promise<NonceClaim> {
    const keys = nonceKeys(requestKey);
    const pending = { ...keys, state: 'pending', expiresAt };
    for (let round = 0; round < this.maxAttempts; round++) {
      try {
        await this.client.createEntity(pending);
        return { status: 'claimed' };
      } catch (error) {
        if (tableFailure(error).status !== 409) throw storeError(error, 'claim the request');
      }
      const existing = await readOrUndefined<NonceRow>(this.client, keys.partitionKey, keys.rowKey, 'read the request');
      if (!existing) continue; // deleted in between: insert again
      if (!this.isExpired(existing)) {
        const answer = existing.state === 'answered' ? toAnswer(existing) : undefined;
        return answer ? { status: 'answered', answer } : { status: 'pending' };
      }
      // An abandoned claim or an old answer: take it over, but only if nobody else did since we read it.
      try {
        await this.client.updateEntity(pending, 'Replace', { etag: existing.etag });
        return { status: 'claimed' };
      } catch (error) {
        if (!isConflict(error) && !isEntityNotFound(error)) throw storeError(error, 'claim the request');
      }
    }
    throw new StateStoreError(`Table Storage: could not claim the request within ${this.maxAttempts} rounds (too much contention)`);
  }

  async record(requestKey: string, answer: RecordedAnswer, expiresAt: Date): Promise<void> {
    const row = {
      ...nonceKeys(requestKey),
      state: 'answered',
      expiresAt,
      action: answer.action,
      ...(answer.title !== undefined ? { title: answer.title } : {}),
      ...(answer.message !== undefined ? { message: answer.message } : {}),
      ...(answer.outcome !== undefined ? { outcome: answer.outcome } : {}),
    };
    try {
      // Upsert: the answer is worth keeping even when the claim itself could not be written.
      await this.client.upsertEntity(row, 'Replace');
    } catch (error) {
      throw storeError(error, 'record the answer');
    }
  }

  async lookup(requestKey: string): Promise<RecordedAnswer | undefined> {
    const keys = nonceKeys(requestKey);
    const existing = await readOrUndefined<NonceRow>(this.client, keys.partitionKey, keys.rowKey, 'read the request');
    if (!existing || existing.state !== 'answered' || this.isExpired(existing)) return undefined;
    return toAnswer(existing);
  }

  private isExpired(row: NonceRow): boolean {
    const expiresAt = row.expiresAt instanceof Date ? row.expiresAt.getTime() : Number.NaN;
    return !(expiresAt > this.now());
  }
}

function nonceKeys(requestKey: string): { partitionKey: string; rowKey: string } {
  if (!REQUEST_KEY.test(requestKey)) throw new StateStoreError('the request key is not base64url');
  return { partitionKey: `nonce-${keyShard(requestKey)}`, rowKey: requestKey };
}

function toAnswer(row: NonceRow): RecordedAnswer {
  if (!ACTIONS.has(row.action as RecordedAnswer['action'])) throw new StateStoreError('the recorded answer has no valid action');
  return {
    action: row.action as RecordedAnswer['action'],
    ...(typeof row.title === 'string' ? { title: row.title } : {}),
    ...(typeof row.message === 'string' ? { message: row.message } : {}),
    ...(row.outcome === 'migrated' || row.outcome === 'notLegacy' ? { outcome: row.outcome } : {}),
  };
}

interface AttemptsRow {
  username?: string;
  failures?: string;
  reservations?: string;
}

class TableAttemptCounter implements FailedAttemptCounter {
  constructor(
    private readonly client: TableClient,
    private readonly windowMs: number,
    private readonly maxTracked: number,
    private readonly maxAttempts: number,
  ) {}

  /** Read, check, write back with If-Match (or insert, 409 on a race); a lost race re-reads and checks again. */
  async reserve(username: string, now: Date, threshold: number): Promise<ReserveResult> {
    const keys = userKeys('attempts', username);
    const t = now.getTime();
    const id = newReservationId();
    let failures = 0;
    for (let round = 0; round < this.maxAttempts; round++) {
      if (round > 0) await backoff(round);
      const row = await readOrUndefined<AttemptsRow>(this.client, keys.partitionKey, keys.rowKey, 'read failed attempts');
      const step = reserveIn(parseEntries(row), t, this.windowMs, threshold, this.maxTracked, id);
      if (!step.granted) return step;
      failures = step.failures;
      try {
        await this.write(keys, username, step.entries, row);
        return { granted: true, failures, reservation: { id, at: t } };
      } catch (error) {
        if (!isConflict(error) && !isEntityNotFound(error)) throw storeError(error, 'reserve a sign-in attempt');
      }
    }
    // That many concurrent attempts on one username is an attack: refuse rather than verify unguarded.
    return { granted: false, failures };
  }

  async release(username: string, reservation: AttemptReservation): Promise<void> {
    const keys = userKeys('attempts', username);
    for (let round = 0; round < this.maxAttempts; round++) {
      if (round > 0) await backoff(round);
      const row = await readOrUndefined<AttemptsRow>(this.client, keys.partitionKey, keys.rowKey, 'read failed attempts');
      const rest = row && releaseFrom(parseEntries(row), reservation.id);
      if (!rest) return; // already gone: left the window or was capped away
      try {
        await this.write(keys, username, rest, row);
        return;
      } catch (error) {
        if (!isConflict(error) && !isEntityNotFound(error)) throw storeError(error, 'release a sign-in attempt');
      }
    }
    throw new StateStoreError(`Table Storage: could not release a sign-in attempt within ${this.maxAttempts} rounds (too much contention)`);
  }

  /** Replaces the row only if it is still the one read (its ETag), or inserts it if there was none. */
  private async write(keys: { partitionKey: string; rowKey: string }, username: string, entries: readonly FailureEntry[], read: TableEntityResult<AttemptsRow> | undefined): Promise<void> {
    const entity = { ...keys, username, ...toColumns(entries) };
    if (read) await this.client.updateEntity(entity, 'Replace', { etag: read.etag });
    else await this.client.createEntity(entity);
  }
}

/**
 * `failures` holds every entry's time, as rows did before reservations (so an older instance still
 * counts them); `reservations` names the entries that may be released. Anything unreadable counts as
 * no failures rather than failing sign-in.
 */
function parseEntries(row: AttemptsRow | undefined): FailureEntry[] {
  const times = parseJson(row?.failures);
  const entries: FailureEntry[] = Array.isArray(times) ? times.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)).map((at) => ({ at })) : [];
  const reservations = parseJson(row?.reservations);
  if (typeof reservations !== 'object' || reservations === null) return entries;
  for (const [id, at] of Object.entries(reservations)) {
    const index = entries.findIndex((e) => e.at === at && e.id === undefined);
    if (index >= 0) entries[index] = { at: at as number, id };
  }
  return entries;
}

function toColumns(entries: readonly FailureEntry[]): { failures: string; reservations: string } {
  return {
    failures: JSON.stringify(entries.map((e) => e.at)),
    reservations: JSON.stringify(Object.fromEntries(entries.flatMap((e) => (e.id ? [[e.id, e.at]] : [])))),
  };
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

class TableMigrationMarks implements MigrationMarks {
  constructor(private readonly client: TableClient) {}

  markMigrated(username: string, at: Date): Promise<void> {
    return this.mark('migrated', username, { migratedAt: at.toISOString() });
  }

  isMigrated(username: string): Promise<boolean> {
    return this.isMarked('migrated', username);
  }

  markSuperseded(username: string, at: Date): Promise<void> {
    return this.mark('superseded', username, { supersededAt: at.toISOString() });
  }

  isSuperseded(username: string): Promise<boolean> {
    return this.isMarked('superseded', username);
  }

  private async mark(kind: 'migrated' | 'superseded', username: string, fields: Record<string, string>): Promise<void> {
    try {
      await this.client.upsertEntity({ ...userKeys(kind, username), username, ...fields }, 'Replace');
    } catch (error) {
      throw storeError(error, `mark the user ${kind}`);
    }
  }

  private async isMarked(kind: 'migrated' | 'superseded', username: string): Promise<boolean> {
    const keys = userKeys(kind, username);
    return (await readOrUndefined(this.client, keys.partitionKey, keys.rowKey, `read the ${kind} mark`)) !== undefined;
  }
}

interface CircuitRow {
  circuit?: string;
}

const CIRCUIT_KEYS = { partitionKey: 'circuit', rowKey: 'legacy' } as const;

class TableLegacyCircuit implements LegacyCircuit {
  constructor(
    private readonly client: TableClient,
    private readonly maxAttempts: number,
  ) {}

  /** Read, apply the rule, write back with If-Match (or insert, 409 on a race); a lost race re-reads. */
  async trip(subject: string, now: Date, rule: CircuitRule): Promise<CircuitState> {
    for (let round = 0; round < this.maxAttempts; round++) {
      if (round > 0) await backoff(round);
      const row = await readOrUndefined<CircuitRow>(this.client, CIRCUIT_KEYS.partitionKey, CIRCUIT_KEYS.rowKey, 'read the circuit');
      const before = circuitRecord(row);
      const after = tripIn(before, subject, now.getTime(), rule);
      if (after === before) return circuitState(after);
      const entity = { ...CIRCUIT_KEYS, circuit: JSON.stringify(after) };
      try {
        if (row) await this.client.updateEntity(entity, 'Replace', { etag: row.etag });
        else await this.client.createEntity(entity);
        return circuitState(after);
      } catch (error) {
        if (!isConflict(error) && !isEntityNotFound(error)) throw storeError(error, 'record a circuit trip');
      }
    }
    throw new StateStoreError(`Table Storage: could not record a circuit trip within ${this.maxAttempts} rounds (too much contention)`);
  }

  async read(): Promise<CircuitState> {
    return circuitState(circuitRecord(await readOrUndefined<CircuitRow>(this.client, CIRCUIT_KEYS.partitionKey, CIRCUIT_KEYS.rowKey, 'read the circuit')));
  }
}

/** Anything unreadable counts as no trips (a closed circuit) rather than failing sign-in. */
function circuitRecord(row: CircuitRow | undefined): CircuitRecord {
  const parsed = parseJson(row?.circuit) as { trips?: unknown; openUntil?: unknown } | undefined;
  const trips = Array.isArray(parsed?.trips)
    ? parsed.trips.filter((t): t is CircuitTrip => typeof t === 'object' && t !== null && typeof t.subject === 'string' && typeof t.at === 'number' && Number.isFinite(t.at))
    : [];
  const openUntil = typeof parsed?.openUntil === 'number' && Number.isFinite(parsed.openUntil) ? parsed.openUntil : undefined;
  return { trips, ...(openUntil !== undefined ? { openUntil } : {}) };
}

function circuitState(record: CircuitRecord): CircuitState {
  return record.openUntil === undefined ? {} : { openUntil: record.openUntil };
}

function userKeys(kind: 'attempts' | 'migrated' | 'superseded', username: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: `${kind}-${keyShard(username)}`, rowKey: encodeKey(username) };
}

export class TableStateStore implements StateStore {
  readonly kind = 'table' as const;
  readonly nonces: NonceLedger;
  readonly attempts: FailedAttemptCounter;
  readonly migrations: MigrationMarks;
  readonly circuit: LegacyCircuit;
  private readonly auth: TableStateStoreOptions['auth'];

  constructor(
    private readonly client: TableClient,
    options: TableStateStoreOptions,
  ) {
    if (!(options.lockoutWindowMs > 0)) throw new RangeError('lockoutWindowMs must be positive');
    this.auth = options.auth;
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const guarded = failingFast(client);
    this.nonces = new TableNonceLedger(guarded, options.now ?? Date.now, maxAttempts);
    this.attempts = new TableAttemptCounter(guarded, options.lockoutWindowMs, options.maxTrackedFailures ?? DEFAULT_MAX_TRACKED_FAILURES, maxAttempts);
    this.migrations = new TableMigrationMarks(guarded);
    this.circuit = new TableLegacyCircuit(guarded, maxAttempts);
  }

  /** Reads a row nobody writes: "no such entity" proves the account, the credential and the table. */
  async probe(): Promise<void> {
    try {
      await probeTable(this.client, PROBE_KEYS);
    } catch (error) {
      throw probeFailure(error, this.auth);
    }
  }

  /** The state table from settings (`StateTableEndpoint`/`StateTableConnectionString`, `StateTableName`). */
  static fromSettings(s: TableSettings & TableStateStoreOptions): TableStateStore {
    // createTableClient prefers the endpoint (managed identity) when both are set.
    return new TableStateStore(createTableClient(s), { ...s, auth: s.endpoint ? 'managed-identity' : 'connection-string' });
  }
}

/** A failed probe as a settings problem: the fault (table name or account) and its fix, never a value. */
function probeFailure(error: unknown, auth: TableStateStoreOptions['auth']): StateStoreError {
  const f = tableFailure(error);
  const what = failureSummary(f);
  if (f.code === 'TableNotFound') {
    return new StateStoreError(`names a table that does not exist in the storage account (${what}): create it (the Pulumi program does) or correct StateTableName`, 'table-name');
  }
  if (f.status === 401 || f.status === 403) {
    const fix =
      auth === 'connection-string'
        ? 'check the account name and key in the connection string'
        : "give the function app's identity (ManagedIdentityClientId) the 'Storage Table Data Contributor' role on the storage account";
    return new StateStoreError(`was refused by the storage account (${what}): ${fix}`, 'account');
  }
  const name = error instanceof Error ? error.name : '';
  if (CREDENTIAL_ERRORS.has(name)) {
    return new StateStoreError(`could not be used: no token for the managed identity (${name}): check ManagedIdentityClientId and that the identity is assigned to the function app`, 'account');
  }
  if (f.aborted) {
    return new StateStoreError(`did not answer within ${TABLE_PROBE_TIMEOUT_MS / 1000} s: check the endpoint and the network path to the storage account (firewall, private endpoint)`, 'account');
  }
  if (f.status === undefined) {
    return new StateStoreError(`could not be reached (${what}): check the endpoint and the network path to the storage account (firewall, private endpoint)`, 'account');
  }
  return new StateStoreError(`could not be used: ${describeTableFailure(error, 'read the state table')}`, 'account');
}
