/**
 * The sign-in path: authenticate → decrypt → look up → verify → decide → respond.
 * One handler serves Azure (functions/onPasswordSubmit.ts), `jitmigrate serve` and the tests.
 */
import { createHmac } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Settings } from '../config/settings';
import type { KeyRing } from '../crypto/keyRing';
import { normalizeUsername, isValidUsername } from '../legacy/normalize';
import type { RecordedAnswer, StateStore } from '../state/port';
import { errorName, type Telemetry } from '../telemetry/telemetry';
import type { CallerIdentity } from './authenticate';
import { BackgroundTasks, DEADLINE_PASSED, Deadline } from './deadline';
import { decide, isLockedOut, meetsPasswordPolicy, type Decision, type DecisionPolicy, type LegacyFacts } from './decide';
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
  /** Wall clock for lockout windows and nonce expiry; injectable for tests. */
  readonly now?: () => Date;
}

/** How long a claim on a nonce is held before another instance may take it over (a crashed instance). */
const CLAIM_LEASE_MS = 2500;
const PENDING_POLL_MS = 50;
const DEFAULT_ANSWER_TTL_MS = 10 * 60 * 1000;

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
      try {
        const body = await readBody(request, this.deps.settings.maxRequestBytes);
        const parsed = parsePasswordSubmitRequest(body);
        log.correlationId = parsed.correlationId;
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
        telemetry.event('jit.passwordSubmit', { ...log, action: replay.action, replayed: true, latencyMs: elapsed(started) });
        return passwordSubmitResponse(replay, context.nonce);
      }

      const { decision, scheme, recentFailures, verifyMs } = await this.decideFor(username, context.password, deadline, telemetry, log);
      const answer: RecordedAnswer = { action: decision.action, title: decision.title, message: decision.message };
      await this.recordOutcome(requestKey, answer, answerExpiresAt, username, decision, deadline, telemetry, log);

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
      // Idempotency is a safeguard, not a gate: without the state store we still answer correctly once.
      telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'nonce-claim', errorName: errorName(error) });
      return undefined;
    }
  }

  private async decideFor(
    username: string,
    password: string,
    deadline: Deadline,
    telemetry: Telemetry,
    log: Record<string, string | number | boolean | undefined>,
  ): Promise<{ decision: Decision; scheme?: string; recentFailures: number; verifyMs?: number }> {
    let recentFailures = 0;
    try {
      const counted = await deadline.race(this.deps.state.attempts.count(username, this.now()));
      if (counted !== DEADLINE_PASSED) recentFailures = counted;
    } catch (error) {
      telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'attempt-count', errorName: errorName(error) });
    }
    const passwordMeetsPolicy = meetsPasswordPolicy(password, this.deps.settings.passwordPolicy);
    if (isLockedOut(recentFailures, this.policy)) {
      return { decision: decide({ recentFailures, passwordMeetsPolicy }, this.policy), recentFailures };
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
    return { decision: decide({ recentFailures, legacy: check.facts, passwordMeetsPolicy }, this.policy), scheme: check.scheme, recentFailures, verifyMs };
  }

  /** Counts a failure and records the answer before replying, so a retry or the next attempt sees both. */
  private async recordOutcome(
    requestKey: string,
    answer: RecordedAnswer,
    expiresAt: Date,
    username: string,
    decision: Decision,
    deadline: Deadline,
    telemetry: Telemetry,
    log: Record<string, string | number | boolean | undefined>,
  ): Promise<void> {
    const writes: Promise<unknown>[] = [
      this.deps.state.nonces.record(requestKey, answer, expiresAt).catch((error: unknown) => {
        telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'nonce-record', errorName: errorName(error) });
      }),
    ];
    if (decision.countsAsFailure) {
      writes.push(
        this.deps.state.attempts.increment(username, this.now()).catch((error: unknown) => {
          telemetry.warn('jit.stateStoreUnavailable', { ...log, stage: 'attempt-increment', errorName: errorName(error) });
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
]);

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
