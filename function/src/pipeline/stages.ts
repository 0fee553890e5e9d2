/**
 * The stages every caller's sign-in shares, between its own request adapter and its own response adapter:
 * recognize a repeated request (claim), take a lockout slot, look up and verify, decide, record the outcome.
 * The External ID callout (handler.ts) and the B2C endpoints (../b2c/handler.ts) are two entries onto these.
 */
import { createHmac } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';
import type { Settings } from '../config/settings';
import { LegacyCircuitOpenError, LegacyMisconfiguredError, type LegacyProfile, type ProtectionFailureReport } from '../legacy/port';
import type { AttemptReservation, RecordedAnswer, StateStore } from '../state/port';
import { errorName, type Telemetry } from '../telemetry/telemetry';
import { BackgroundTasks, DEADLINE_PASSED, Deadline } from './deadline';
import { decide, errorDecision, meetsPasswordPolicy, type Decision, type DecisionPolicy, type LegacyFacts } from './decide';
import { RequestShapeError } from './request';
import type { CredentialCheck, CredentialChecker } from './verify';

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface SignInStageDependencies {
  readonly settings: Settings;
  readonly credentials: CredentialChecker;
  readonly state: StateStore;
  readonly background: BackgroundTasks;
  /** Keys the request-key HMAC; the same on every instance (derived from the decryption key, or RequestKeySecret). */
  readonly requestKeySecret: Buffer;
  /** Wall clock for lockout windows and nonce expiry; injectable for tests. */
  readonly now?: () => Date;
}

/** What look-up and verify found, and the decision on it. */
export interface VerifiedSignIn {
  readonly decision: Decision;
  /** Absent when the user was locked out (or the store refused the slot) before the legacy check ran. */
  readonly facts?: LegacyFacts;
  readonly profile?: LegacyProfile;
  readonly scheme?: string;
  readonly recentFailures: number;
  readonly verifyMs?: number;
  readonly reservation?: AttemptReservation;
}

/** How long a claim on a request is held before another instance may take it over (a crashed instance). */
const CLAIM_LEASE_MS = 2500;
const PENDING_POLL_MS = 50;
/** Pauses before each background release: about 15 s, so a store blip never leaves a right password counted as a failure. */
const RELEASE_RETRY_PAUSES_MS = [0, 1000, 2000, 4000, 8000];

export class SignInStages {
  readonly policy: DecisionPolicy;
  readonly now: () => Date;

  constructor(private readonly deps: SignInStageDependencies) {
    const { settings } = deps;
    this.policy = {
      lockoutThreshold: settings.lockout.threshold,
      lockout: settings.lockout,
      blockedAccount: settings.blockedAccount,
      lockedAccount: settings.lockedAccount,
      passwordResetRequired: settings.passwordResetRequired,
      onLegacyError: settings.onLegacyError,
    };
    this.now = deps.now ?? (() => new Date());
  }

  get settings(): Settings {
    return this.deps.settings;
  }

  get credentials(): CredentialChecker {
    return this.deps.credentials;
  }

  get background(): BackgroundTasks {
    return this.deps.background;
  }

  /** HMAC over the request's contents: never the password itself, and the same key on every instance. */
  requestKey(parts: readonly string[]): string {
    return createHmac('sha256', this.deps.requestKeySecret).update(JSON.stringify(parts)).digest('base64url');
  }

  /** Returns the earlier answer for a repeated request, or undefined when this request is the first. */
  async claim(requestKey: string, deadline: Deadline, telemetry: Telemetry, log: LogFields): Promise<RecordedAnswer | undefined> {
    try {
      const leaseEnds = new Date(this.now().getTime() + CLAIM_LEASE_MS);
      const claim = await deadline.race(this.deps.state.nonces.claim(requestKey, leaseEnds));
      if (claim === DEADLINE_PASSED) return this.errorAnswer();
      if (claim.status === 'claimed') return undefined;
      if (claim.status === 'answered') return claim.answer;
      // Another instance is working on the same request: wait for its answer within our budget.
      while (deadline.remainingMs() > PENDING_POLL_MS) {
        await sleep(PENDING_POLL_MS);
        const answer = await deadline.race(this.deps.state.nonces.lookup(requestKey));
        if (answer !== DEADLINE_PASSED && answer) return answer;
      }
      return this.errorAnswer();
    } catch (error) {
      // Without the state store we still answer correctly once, but a retry would be verified and counted again.
      return this.guardFailed('nonce-claim', error, telemetry, log) ? this.errorAnswer() : undefined;
    }
  }

  /** Lockout slot, look-up and verify, and the pure decision on what they found. */
  async verify(username: string, password: string, deadline: Deadline, telemetry: Telemetry, log: LogFields): Promise<VerifiedSignIn> {
    const passwordMeetsPolicy = meetsPasswordPolicy(password, this.deps.settings.passwordPolicy);
    // The attempt takes its slot in the lockout window before any hash is verified: however many guesses
    // arrive at once, on however many instances, at most LockoutThreshold are verified per window.
    let reservation: AttemptReservation | undefined;
    let recentFailures = 0;
    const reserving = this.deps.state.attempts.reserve(username, this.now(), this.policy.lockoutThreshold);
    try {
      const reserved = await deadline.race(reserving);
      if (reserved === DEADLINE_PASSED) {
        // Granted after we gave up, the slot would count a guess nobody verified.
        this.releaseInBackground(username, reserving.then((late) => (late.granted ? late.reservation : undefined)), telemetry, log);
        return { decision: errorDecision('deadline', this.policy), recentFailures };
      }
      // Refused (locked out, or too contended to tell): decide() without legacy facts is the lockout Block.
      if (!reserved.granted) return { decision: decide({ recentFailures: reserved.failures, passwordMeetsPolicy }, this.policy), recentFailures: reserved.failures };
      reservation = reserved.reservation;
      recentFailures = reserved.failures - 1;
    } catch (error) {
      if (this.guardFailed('attempt-reserve', error, telemetry, log)) return { decision: errorDecision('state-store-unavailable', this.policy), recentFailures };
    }

    let check: CredentialCheck;
    const verifyStarted = performance.now();
    try {
      // A protection that could not run (the B2C circuit breaker's store) is reported, never silently skipped.
      const report: ProtectionFailureReport = (stage, error) => telemetry.warn('jit.stateStoreUnavailable', { ...log, stage, errorName: errorName(error) });
      const result = await deadline.race(this.deps.credentials.check(username, password, deadline.signal, report));
      check = result === DEADLINE_PASSED ? { facts: { kind: 'unavailable', cause: 'deadline' } } : result;
    } catch (error) {
      reportLegacyFailure(error, telemetry, log);
      check = { facts: { kind: 'unavailable', cause: deadline.signal.aborted ? 'deadline' : 'error' } };
    }
    // Time spent looking up and verifying: the legacy system's share of the latency (telemetry, benchmark).
    const verifyMs = elapsed(verifyStarted);
    return {
      decision: decide({ recentFailures, legacy: check.facts, passwordMeetsPolicy }, this.policy),
      facts: check.facts,
      profile: check.profile,
      scheme: check.scheme,
      recentFailures,
      verifyMs,
      reservation,
    };
  }

  /**
   * Records the answer and settles the attempt's slot before replying, so a retry or the next attempt sees
   * both: a failure keeps its slot, any other outcome gives it back. A failure verified without a slot (the
   * store failed at reserve) is still recorded if the store answers now.
   */
  async recordOutcome(
    outcome: { requestKey: string; answer: RecordedAnswer; expiresAt: Date; username: string; countsAsFailure: boolean; reservation?: AttemptReservation },
    deadline: Deadline,
    telemetry: Telemetry,
    log: LogFields,
  ): Promise<void> {
    const { requestKey, answer, expiresAt, username, countsAsFailure, reservation } = outcome;
    const writes: Promise<unknown>[] = [
      this.deps.state.nonces.record(requestKey, answer, expiresAt).catch((error: unknown) => {
        telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'nonce-record', errorName: errorName(error) });
      }),
    ];
    const attempts = this.deps.state.attempts;
    if (reservation && !countsAsFailure) {
      writes.push(attempts.release(username, reservation).catch(() => this.releaseInBackground(username, Promise.resolve(reservation), telemetry, log)));
    } else if (!reservation && countsAsFailure) {
      writes.push(
        attempts.reserve(username, this.now(), Number.POSITIVE_INFINITY).catch((error: unknown) => {
          telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'attempt-record', errorName: errorName(error) });
        }),
      );
    }
    // Bounded by a small grace beyond the budget: the reply must still reach the caller inside its timeout.
    const grace = new Deadline(Math.max(deadline.remainingMs(), 0) + 250);
    try {
      await grace.race(Promise.all(writes));
    } finally {
      grace.dispose();
    }
  }

  /** Marks the legacy record migrated without delaying or failing the reply. */
  markMigratedInBackground(username: string, telemetry: Telemetry, log: LogFields): void {
    const at = this.now();
    this.deps.background.run(
      () => this.deps.credentials.markMigrated(username, at),
      (error) => telemetry.warn('jit.markMigratedFailed', { ...log, errorName: errorName(error) }),
    );
  }

  /** LegacyErrorAction as an answer: what a request gets when its guard could not run in time. */
  errorAnswer(): RecordedAnswer {
    const { action, title, message } = this.deps.settings.onLegacyError;
    return action === 'Block' ? { action, title, message } : { action };
  }

  /** Reports a state store that could not guard this attempt; true when StateStoreFailClosed says to stop here. */
  private guardFailed(stage: 'nonce-claim' | 'attempt-reserve', error: unknown, telemetry: Telemetry, log: LogFields): boolean {
    const failedClosed = this.deps.settings.stateStoreFailClosed;
    if (failedClosed) log.failedClosed = true;
    telemetry.warn('jit.stateStoreUnavailable', { ...log, stage, errorName: errorName(error) });
    return failedClosed;
  }

  /** Gives a slot back after the reply, retrying while the store is down; reported if it never could. */
  private releaseInBackground(username: string, reservation: Promise<AttemptReservation | undefined>, telemetry: Telemetry, log: LogFields): void {
    this.deps.background.run(
      async () => {
        const taken = await reservation;
        if (!taken) return;
        let failure: unknown;
        for (const pause of RELEASE_RETRY_PAUSES_MS) {
          await sleep(pause);
          try {
            await this.deps.state.attempts.release(username, taken);
            return;
          } catch (error) {
            failure = error;
          }
        }
        throw failure;
      },
      (error) => telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'attempt-release', errorName: errorName(error) }),
    );
  }
}

/**
 * The legacy system could not answer: a misconfiguration (what to fix, also in the health check) and an open
 * circuit breaker have events of their own, so alerts can tell them from an outage.
 */
function reportLegacyFailure(error: unknown, telemetry: Telemetry, log: LogFields): void {
  const fields = { ...log, errorName: errorName(error), detail: safeMessage(error) };
  if (error instanceof LegacyMisconfiguredError) telemetry.error('jit.legacyMisconfigured', fields);
  else if (error instanceof LegacyCircuitOpenError) telemetry.warn('jit.legacyCircuitOpen', fields);
  else telemetry.error('jit.legacyError', fields);
}

/** The body as text: declared and actual size within `maxBytes`, JSON content type. */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new RequestShapeError(413, `the request body is larger than ${maxBytes} bytes`);
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) throw new RequestShapeError(415, 'the request body must be application/json');
  const text = await request.text();
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new RequestShapeError(413, `the request body is larger than ${maxBytes} bytes`);
  return text;
}

/** Our own error classes carry fixed, safe messages; anything else is described by its name only. */
export function safeMessage(error: unknown): string | undefined {
  if (error instanceof Error && SAFE_ERRORS.has(error.name)) return error.message;
  return undefined;
}

const SAFE_ERRORS = new Set([
  'AuthenticationError',
  'PasswordContextError',
  'JweError',
  'LegacySystemError',
  'LegacyMisconfiguredError',
  'LegacyCircuitOpenError',
  'StateStoreError',
  'UnrecognizedHashError',
  'MalformedHashError',
  'RequestShapeError',
  'EntraDirectoryError',
]);

export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
