/** What can happen to one source record, in the words the checkpoint, the error report and the summary use. */

export type FailureCode =
  /** The export reader refused the row. */
  | 'invalid-row'
  | 'no-email'
  | 'invalid-email'
  | 'invalid-attribute'
  /** Another record of the same input already claims this email. */
  | 'duplicate-in-input'
  /** Graph answered 4xx for this user: the reason carries Graph's (redacted) message. */
  | 'graph-rejected'
  /** Graph does not know the migration flag: every user would fail, so the run stops. */
  | 'unknown-migration-property'
  /** 401/403: the credential or its permissions; the run stops. */
  | 'not-permitted'
  /** Still throttled after every retry. */
  | 'throttled'
  /** Graph kept failing (5xx) or could not be reached. */
  | 'graph-unavailable';

export interface Failure {
  readonly code: FailureCode;
  /** Says what to fix. Never holds a password. */
  readonly reason: string;
}

/** Failures that say nothing about the user: re-running the same command is the fix. */
export const TRANSIENT_FAILURES: ReadonlySet<FailureCode> = new Set(['throttled', 'graph-unavailable']);
