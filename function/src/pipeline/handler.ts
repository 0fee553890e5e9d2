/**
 * The sign-in path: authenticate → decrypt → look up → verify → decide → respond.
 * One handler serves Azure (functions/onPasswordSubmit.ts), `jitmigrate serve` and the tests.
 */
import { createHmac } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Settings } from '../config/settings';
import type { KeyRing } from '../crypto/keyRing';
import { normalizeUsername, isValidUsername } from '../legacy/normalize';
import type { AttemptReservation, RecordedAnswer, StateStore } from '../state/port';
import { errorName, type Telemetry } from '../telemetry/telemetry';
import type { CallerIdentity } from './authenticate';
import { BackgroundTasks, DEADLINE_PASSED, Deadline } from './deadline';
import { passwordChangedAfterCreation } from '../entra/passwordChange';
import type { EntraDirectory } from '../entra/port';
import {
  afterEntraPasswordCheck,
  decide,
  errorDecision,
  meetsPasswordPolicy,
  needsEntraPasswordCheck,
  type Decision,
  type DecisionPolicy,
  type EntraPasswordFacts,
  type LegacyFacts,
} from './decide';
import { decryptPasswordContext, type PasswordContext } from './decrypt';
import { parsePasswordSubmitRequest, RequestShapeError } from './request';
import { passwordSubmitResponse, requestErrorResponse, unauthorizedResponse, type PasswordSubmitAnswer } from './respond';
import type { CredentialCheck, CredentialChecker } from './verify';

export interface PasswordSubmitDependencies {
  readonly settings: Settings;
  readonly authenticator: { authenticate(authorizationHeader: string | undefined): Promise<CallerIdentity> };
  readonly keyRing: KeyRing;
  readonly credentials: CredentialChecker;
  readonly state: StateStore;
  readonly background: BackgroundTasks;
  /** The Entra password check; absent when PasswordChangeCheck=off. */
  readonly entra?: EntraDirectory;
  /** Wall clock for lockout windows and nonce expiry; injectable for tests. */
  readonly now?: () => Date;
}

/** How long a claim on a nonce is held before another instance may take it over (a crashed instance). */
const CLAIM_LEASE_MS = 2500;
const PENDING_POLL_MS = 50;
const DEFAULT_ANSWER_TTL_MS = 10 * 60 * 1000;
/** Pauses before each background release: about 15 s, so a store blip never leaves a right password counted as a failure. */
const RELEASE_RETRY_PAUSES_MS = [0, 1000, 2000, 4000, 8000];

export class PasswordSubmitHandler {
  private readonly policy: DecisionPolicy;
  private readonly now: () => Date;

  constructor(private readonly deps: PasswordSubmitDependencies) {
    const { settings } = deps;
    this.policy = {
      lockoutThreshold: settings.lockout.threshold,
      lockout: settings.lockout,
      blockedAccount: settings.blockedAccount,
      onLegacyError: settings.onLegacyError,
    };
    this.now = deps.now ?? (() => new Date());
  }

  async handle(request: HttpRequest, telemetry: Telemetry): Promise<HttpResponseInit> {
    const started = performance.now();
    const deadline = new Deadline(this.deps.settings.calloutBudgetMs);
    const log: Record<string, string | number | boolean | undefined> = { legacyStore: this.deps.credentials.storeKind };
    try {
      // 1. Authenticate: any failure is a bare 401.
      try {
        await this.deps.authenticator.authenticate(request.headers.get('authorization') ?? undefined);
      } catch (error) {
        telemetry.warn('jit.unauthorized', { errorName: errorName(error), detail: safeMessage(error) });
        return unauthorizedResponse();
      }

      // 2. Parse the body and decrypt the password context.
      let context: PasswordContext;
      let userId: string | undefined;
      try {
        const body = await readBody(request, this.deps.settings.maxRequestBytes);
        const parsed = parsePasswordSubmitRequest(body);
        log.correlationId = parsed.correlationId;
        userId = parsed.userId;
        if (parsed.tenantId !== undefined && parsed.tenantId.toLowerCase() !== this.deps.settings.tenantId) {
          throw new RequestShapeError(400, 'data.tenantId is not the configured ExternalIdTenantId');
        }
        context = await decryptPasswordContext(parsed.encryptedPasswordContext, this.deps.keyRing, {
          expectedAudiences: this.expectedAudiences(),
          clockSkewSeconds: this.deps.settings.clockSkewSeconds,
        });
        log.keyLabel = context.keyLabel;
      } catch (error) {
        const status = error instanceof RequestShapeError ? error.status : 400;
        const description = error instanceof RequestShapeError ? error.message : 'encryptedPasswordContext could not be decrypted or is invalid';
        telemetry.warn('jit.badRequest', { ...log, errorName: errorName(error), detail: description });
        return requestErrorResponse(status, description);
      }

      const username = normalizeUsername(context.username);
      if (!isValidUsername(username)) {
        telemetry.warn('jit.badRequest', { ...log, detail: 'username is empty or invalid' });
        return requestErrorResponse(400, 'the username in encryptedPasswordContext is empty or invalid');
      }

      // 3-6. Look up, verify and decide, once per request key (Entra's retry resends the same request).
      const answerExpiresAt = new Date(context.expiresAt?.getTime() ?? this.now().getTime() + DEFAULT_ANSWER_TTL_MS);
      const requestKey = this.requestKey(context.nonce, username, context.password);
      const replay = await this.claim(requestKey, deadline, telemetry, log);
      if (replay) {
        telemetry.event('jit.passwordSubmit', { ...log, action: replay.action, replayed: log.failedClosed !== true, latencyMs: elapsed(started) });
        return passwordSubmitResponse(replay, context.nonce);
      }

      const verified = await this.decideFor(username, context.password, deadline, telemetry, log);
      const { scheme, recentFailures, verifyMs } = verified;
      const { decision, entraMs } = await this.confirmWithEntra(verified.decision, userId, username, deadline, telemetry, log);
      const answer: RecordedAnswer = { action: decision.action, title: decision.title, message: decision.message };
      await this.recordOutcome(requestKey, answer, answerExpiresAt, username, decision, verified.reservation, deadline, telemetry, log);

      // After MigratePassword, mark the legacy record without delaying or failing the reply.
      if (decision.action === 'MigratePassword') {
        const at = this.now();
        this.deps.background.run(
          () => this.deps.credentials.markMigrated(username, at),
          (error) => telemetry.warn('jit.markMigratedFailed', { ...log, errorName: errorName(error) }),
        );
      }

      telemetry.event('jit.passwordSubmit', {
        ...log,
        action: decision.action,
        reason: decision.reason,
        scheme,
        recentFailures,
        replayed: false,
        verifyMs,
        entraMs,
        latencyMs: elapsed(started),
      });
      return passwordSubmitResponse(answer, context.nonce);
    } finally {
      deadline.dispose();
    }
  }

  private expectedAudiences(): string[] {
    const { extensionAppId, extensionAppIdentifierUri } = this.deps.settings;
    return extensionAppIdentifierUri ? [extensionAppId, extensionAppIdentifierUri] : [extensionAppId];
  }

  /** HMAC over the request's contents with a key every instance derives from the decryption key. */
  private requestKey(nonce: string, username: string, password: string): string {
    return createHmac('sha256', this.deps.keyRing.requestKeySecret).update(JSON.stringify([nonce, username, password])).digest('base64url');
  }

  /** Returns the earlier answer for a repeated request, or undefined when this request is the first. */
  private async claim(
    requestKey: string,
    deadline: Deadline,
    telemetry: Telemetry,
    log: Record<string, string | number | boolean | undefined>,
  ): Promise<PasswordSubmitAnswer | undefined> {
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

  private async decideFor(
    username: string,
    password: string,
    deadline: Deadline,
    telemetry: Telemetry,
    log: Record<string, string | number | boolean | undefined>,
  ): Promise<{ decision: Decision; scheme?: string; recentFailures: number; verifyMs?: number; reservation?: AttemptReservation }> {
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
      const result = await deadline.race(this.deps.credentials.check(username, password, deadline.signal));
      check = result === DEADLINE_PASSED ? { facts: { kind: 'unavailable', cause: 'deadline' } } : result;
    } catch (error) {
      telemetry.error('jit.legacyError', { ...log, errorName: errorName(error), detail: safeMessage(error) });
      const facts: LegacyFacts = { kind: 'unavailable', cause: deadline.signal.aborted ? 'deadline' : 'error' };
      check = { facts };
    }
    // Time spent looking up and verifying: the legacy system's share of the latency (telemetry, benchmark).
    const verifyMs = elapsed(verifyStarted);
    return { decision: decide({ recentFailures, legacy: check.facts, passwordMeetsPolicy }, this.policy), scheme: check.scheme, recentFailures, verifyMs, reservation };
  }

  /** Reports a state store that could not guard this attempt; true when StateStoreFailClosed says to stop here. */
  private guardFailed(stage: 'nonce-claim' | 'attempt-reserve', error: unknown, telemetry: Telemetry, log: Record<string, string | number | boolean | undefined>): boolean {
    const failedClosed = this.deps.settings.stateStoreFailClosed;
    if (failedClosed) log.failedClosed = true;
    telemetry.warn('jit.stateStoreUnavailable', { ...log, stage, errorName: errorName(error) });
    return failedClosed;
  }

  /** Gives a slot back after the reply, retrying while the store is down; reported if it never could. */
  private releaseInBackground(username: string, reservation: Promise<AttemptReservation | undefined>, telemetry: Telemetry, log: Record<string, string | number | boolean | undefined>): void {
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

  /**
   * The Entra password check (README "Password changed in Entra"): before an answer that hands Entra the
   * legacy password, read when the user's password last changed in Entra. A change after provisioning means
   * the user set a password there (self-service reset) that MigratePassword would overwrite: answer Retry
   * and mark the legacy record superseded. Graph failing or too slow follows LegacyErrorAction.
   */
  private async confirmWithEntra(
    decision: Decision,
    userId: string | undefined,
    username: string,
    deadline: Deadline,
    telemetry: Telemetry,
    log: Record<string, string | number | boolean | undefined>,
  ): Promise<{ decision: Decision; entraMs?: number }> {
    const entra = this.deps.entra;
    if (!entra || !needsEntraPasswordCheck(decision)) return { decision };
    const started = performance.now();
    let facts: EntraPasswordFacts;
    if (userId === undefined) {
      telemetry.error('jit.entraCheckFailed', { ...log, detail: 'the request carries no authenticationContext.user.id' });
      facts = { kind: 'unavailable', cause: 'error' };
    } else {
      try {
        const times = await deadline.race(entra.readPasswordTimes(userId, deadline.signal));
        if (times === DEADLINE_PASSED) {
          facts = { kind: 'unavailable', cause: 'deadline' };
        } else {
          facts = passwordChangedAfterCreation(times.createdDateTime, times.lastPasswordChangeDateTime) ? { kind: 'changed' } : { kind: 'unchanged' };
        }
      } catch (error) {
        telemetry.error('jit.entraCheckFailed', { ...log, errorName: errorName(error), detail: safeMessage(error) });
        facts = { kind: 'unavailable', cause: deadline.signal.aborted ? 'deadline' : 'error' };
      }
    }
    const entraMs = elapsed(started);
    const confirmed = afterEntraPasswordCheck(decision, facts, this.policy);
    if (confirmed.reason === 'password-changed-in-entra') {
      // The user id only: the username is personal data the event does not need.
      telemetry.warn('jit.passwordChangedInEntra', { userId });
      const at = this.now();
      this.deps.background.run(
        () => this.deps.credentials.markSuperseded(username, at),
        (error) => telemetry.warn('jit.markSupersededFailed', { ...log, errorName: errorName(error) }),
      );
    }
    return { decision: confirmed, entraMs };
  }

  /**
   * Records the answer and settles the attempt's slot before replying, so a retry or the next attempt sees
   * both: a failure keeps its slot, any other outcome gives it back. A failure verified without a slot (the
   * store failed at reserve) is still recorded if the store answers now.
   */
  private async recordOutcome(
    requestKey: string,
    answer: RecordedAnswer,
    expiresAt: Date,
    username: string,
    decision: Decision,
    reservation: AttemptReservation | undefined,
    deadline: Deadline,
    telemetry: Telemetry,
    log: Record<string, string | number | boolean | undefined>,
  ): Promise<void> {
    const writes: Promise<unknown>[] = [
      this.deps.state.nonces.record(requestKey, answer, expiresAt).catch((error: unknown) => {
        telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'nonce-record', errorName: errorName(error) });
      }),
    ];
    const attempts = this.deps.state.attempts;
    if (reservation && !decision.countsAsFailure) {
      writes.push(
        attempts.release(username, reservation).catch(() => this.releaseInBackground(username, Promise.resolve(reservation), telemetry, log)),
      );
    } else if (!reservation && decision.countsAsFailure) {
      writes.push(
        attempts.reserve(username, this.now(), Number.POSITIVE_INFINITY).catch((error: unknown) => {
          telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'attempt-record', errorName: errorName(error) });
        }),
      );
    }
    // Bounded by a small grace beyond the budget: the reply must still reach Entra well inside 2000 ms.
    const grace = new Deadline(Math.max(deadline.remainingMs(), 0) + 250);
    try {
      await grace.race(Promise.all(writes));
    } finally {
      grace.dispose();
    }
  }

  private errorAnswer(): PasswordSubmitAnswer {
    const { action, title, message } = this.deps.settings.onLegacyError;
    return action === 'Block' ? { action, title, message } : { action };
  }
}

async function readBody(request: HttpRequest, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new RequestShapeError(413, `the request body is larger than ${maxBytes} bytes`);
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) throw new RequestShapeError(415, 'the request body must be application/json');
  const text = await request.text();
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new RequestShapeError(413, `the request body is larger than ${maxBytes} bytes`);
  return text;
}

/** Our own error classes carry fixed, safe messages; anything else is described by its name only. */
function safeMessage(error: unknown): string | undefined {
  if (error instanceof Error && SAFE_ERRORS.has(error.name)) return error.message;
  return undefined;
}

const SAFE_ERRORS = new Set([
  'AuthenticationError',
  'PasswordContextError',
  'JweError',
  'LegacySystemError',
  'StateStoreError',
  'UnrecognizedHashError',
  'MalformedHashError',
  'RequestShapeError',
  'EntraDirectoryError',
]);

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
