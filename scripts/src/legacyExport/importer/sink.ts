import type { LegacyUserRecord } from '../../../../function/src/legacy';
import type { Reject } from './rejects';

/** A user ready to store, with the source record it came from. */
export interface AcceptedUser {
  readonly record: number;
  readonly user: LegacyUserRecord;
}

/** Where imported users go: Azure Table Storage or the JSON-lines users file. */
export interface UserSink {
  /** Human-readable destination for messages (never a key or connection string). */
  readonly description: string;
  /**
   * Stores a batch idempotently. Returns the users the store refused (each becomes a reject); throws when
   * the store itself fails (nothing can be written), with a message that says what to fix.
   */
  write(batch: readonly AcceptedUser[]): Promise<Reject[]>;
  /** Makes everything written so far durable; returns the users file's committed length, if any. */
  commit(): Promise<{ usersFileBytes?: number }>;
  /** The whole export is in: publish the result (the file store renames its new file into place). */
  finish(): Promise<void>;
  /** Releases resources without publishing (interrupted or failed run; a resume continues from here). */
  close(): Promise<void>;
}
