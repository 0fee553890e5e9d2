/**
 * The B2C entry (README "B2C mode"): B2C's RESTful technical profiles call /api/b2c/signin, /signup and
 * /password-reset. Its own request and response adapters (request.ts, respond.ts) sit on the stages the
 * External ID callout uses (../pipeline/stages.ts): authenticate → parse → claim → lockout slot, look up and
 * verify → decide → record → respond. The function never writes B2C's directory: the policy does.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { B2cSettings } from '../config/settings';
import type { RecordedAnswer } from '../state/port';
import { errorName, type Telemetry } from '../telemetry/telemetry';
import { DEADLINE_PASSED, Deadline } from '../pipeline/deadline';
import { decideB2cSignIn } from '../pipeline/decide';
import { RequestShapeError } from '../pipeline/request';
import { requestErrorResponse } from '../pipeline/respond';
import { elapsed, readJsonBody, safeMessage, type LogFields, type SignInStages } from '../pipeline/stages';
import type { LegacyAccountLookup } from '../pipeline/verify';
import { parseB2cPasswordReset, parseB2cSignIn, parseB2cSignUp } from './request';
import type { B2cCallerAuthenticator } from './callerAuthentication';
import { b2cAllowedResponse, b2cErrorResponse, b2cMigrationResponse, profileClaims } from './respond';

/** Checks the caller from the request's headers; rejects with an AuthenticationError (callerAuthentication.ts). */
export type B2cCaller = B2cCallerAuthenticator;

export interface B2cHandlerDependencies {
  readonly b2c: B2cSettings;
  readonly stages: SignInStages;
  readonly caller: B2cCaller;
}

/**
 * How long a sign-in's answer is kept for B2C's retry: B2C waits 10 s and tries twice (docs/b2c-contracts.md),
 * so two minutes covers a retry with room. The same wrong password typed again inside it counts once.
 */
const ANSWER_TTL_MS = 2 * 60 * 1000;

/** The `endpoint` field of jit.b2cRequest (the alert rules read it, infra/alerts/queries.ts). */
export type B2cEndpointName = 'signin' | 'signup' | 'password-reset';

export class B2cHandler {
  private readonly stages: SignInStages;

  constructor(private readonly deps: B2cHandlerDependencies) {
    this.stages = deps.stages;
  }

  /** Sign-in: verify the legacy password; `migrated` with the profile, `notLegacy`, or a 409. */
  async signIn(request: HttpRequest, telemetry: Telemetry): Promise<HttpResponseInit> {
    const started = performance.now();
    const { settings, credentials } = this.stages;
    const deadline = new Deadline(settings.calloutBudgetMs);
    const log: LogFields = { endpoint: 'signin' satisfies B2cEndpointName, legacyStore: credentials.storeKind };
    try {
      const refused = await this.authenticate(request, telemetry, log);
      if (refused) return refused;
      let username: string;
      let password: string;
      try {
        ({ username, password } = parseB2cSignIn(await readJsonBody(request, settings.maxRequestBytes)));
      } catch (error) {
        return badRequest(error, telemetry, log);
      }

      // B2C's retry after its timeout resends the same body: it gets the first answer, and counts once.
      const requestKey = this.stages.requestKey(['b2c/signin', username, password]);
      const replay = await this.stages.claim(requestKey, deadline, telemetry, log);
      if (replay) {
        const response = await this.replayed(replay, username, deadline);
        telemetry.event('jit.b2cRequest', { ...log, outcome: replay.outcome ?? 'refused', replayed: log.failedClosed !== true, latencyMs: elapsed(started) });
        return response;
      }

      const verified = await this.stages.verify(username, password, deadline, telemetry, log);
      const decision = decideB2cSignIn(verified.decision, verified.facts, this.stages.policy, this.deps.b2c.messages);
      const answer: RecordedAnswer =
        decision.outcome === 'refused'
          ? { action: 'Block', message: decision.userMessage }
          : { action: decision.outcome === 'migrated' ? 'MigratePassword' : 'Retry', outcome: decision.outcome };
      const expiresAt = new Date(this.stages.now().getTime() + ANSWER_TTL_MS);
      await this.stages.recordOutcome(
        { requestKey, answer, expiresAt, username, countsAsFailure: decision.countsAsFailure, reservation: verified.reservation },
        deadline,
        telemetry,
        log,
      );
      // Marked, never deleted: if B2C's write then fails, the flag stays set and the next sign-in verifies again.
      if (decision.outcome === 'migrated') this.stages.markMigratedInBackground(username, telemetry, log);

      telemetry.event('jit.b2cRequest', {
        ...log,
        outcome: decision.outcome,
        reason: decision.reason,
        scheme: verified.scheme,
        recentFailures: verified.recentFailures,
        replayed: false,
        verifyMs: verified.verifyMs,
        latencyMs: elapsed(started),
      });
      if (decision.outcome === 'refused') return b2cErrorResponse(decision.userMessage);
      return b2cMigrationResponse(decision.outcome, profileClaims(verified.profile, username));
    } finally {
      deadline.dispose();
    }
  }

  /** Sign-up: refuse an e-mail that belongs to a legacy user who has not migrated yet. */
  async signUp(request: HttpRequest, telemetry: Telemetry): Promise<HttpResponseInit> {
    const started = performance.now();
    const log: LogFields = { endpoint: 'signup' satisfies B2cEndpointName, legacyStore: this.stages.credentials.storeKind };
    return this.withLookup(request, telemetry, log, parseB2cSignUp, (found) => {
      if (found.found && !found.migrated) {
        telemetry.event('jit.b2cRequest', { ...log, outcome: 'refused', reason: 'legacy-user', latencyMs: elapsed(started) });
        return b2cErrorResponse(this.deps.b2c.messages.emailTaken);
      }
      telemetry.event('jit.b2cRequest', { ...log, outcome: 'allowed', latencyMs: elapsed(started) });
      return b2cAllowedResponse();
    });
  }

  /**
   * Password reset, after B2C verified the e-mail: a legacy user gets `migrated` with the profile (the policy
   * then writes the new password, creating the account if B2C has none) and the legacy record is marked. The
   * new password is never sent here: the legacy system has nothing to say about it.
   */
  async passwordReset(request: HttpRequest, telemetry: Telemetry): Promise<HttpResponseInit> {
    const started = performance.now();
    const log: LogFields = { endpoint: 'password-reset' satisfies B2cEndpointName, legacyStore: this.stages.credentials.storeKind };
    let objectId: string | undefined;
    const parse = (text: string): { username: string } => {
      const parsed = parseB2cPasswordReset(text);
      objectId = parsed.objectId;
      return parsed;
    };
    return this.withLookup(request, telemetry, log, parse, (found, username) => {
      if (!found.found) {
        const outcome = objectId ? 'notLegacy' : 'refused';
        telemetry.event('jit.b2cRequest', { ...log, outcome, reason: objectId ? undefined : 'unknown-account', latencyMs: elapsed(started) });
        return objectId ? b2cMigrationResponse('notLegacy') : b2cErrorResponse(this.deps.b2c.messages.accountNotFound);
      }
      if (found.status !== 'active') {
        telemetry.event('jit.b2cRequest', { ...log, outcome: 'refused', reason: 'account-blocked', latencyMs: elapsed(started) });
        return b2cErrorResponse(this.stages.settings.blockedAccount.message);
      }
      if (!found.migrated) this.stages.markMigratedInBackground(username, telemetry, log);
      telemetry.event('jit.b2cRequest', { ...log, outcome: 'migrated', reason: 'password-reset', latencyMs: elapsed(started) });
      return b2cMigrationResponse('migrated', profileClaims(found.profile, username));
    });
  }

  /** Authenticate, parse, look the user up within the budget (no password, no lockout slot), then answer. */
  private async withLookup(
    request: HttpRequest,
    telemetry: Telemetry,
    log: LogFields,
    parse: (text: string) => { username: string },
    answer: (found: LegacyAccountLookup, username: string) => HttpResponseInit,
  ): Promise<HttpResponseInit> {
    const { settings, credentials } = this.stages;
    const deadline = new Deadline(settings.calloutBudgetMs);
    try {
      const refused = await this.authenticate(request, telemetry, log);
      if (refused) return refused;
      let username: string;
      try {
        ({ username } = parse(await readJsonBody(request, settings.maxRequestBytes)));
      } catch (error) {
        return badRequest(error, telemetry, log);
      }
      // Start-up refuses B2C mode over a store without look-up (LegacyServiceLookupUrl), so this is a guard only.
      if (!credentials.lookup) return b2cErrorResponse(settings.onLegacyError.message);
      let found: LegacyAccountLookup | typeof DEADLINE_PASSED;
      try {
        found = await deadline.race(credentials.lookup(username, deadline.signal));
      } catch (error) {
        telemetry.error('jit.legacyError', { ...log, errorName: errorName(error), detail: safeMessage(error) });
        found = DEADLINE_PASSED;
      }
      if (found === DEADLINE_PASSED) {
        telemetry.event('jit.b2cRequest', { ...log, outcome: 'refused', reason: deadline.signal.aborted ? 'deadline' : 'legacy-error' });
        return b2cErrorResponse(settings.onLegacyError.message);
      }
      return answer(found, username);
    } finally {
      deadline.dispose();
    }
  }

  /** The first answer again; a `migrated` one with the profile read again (the state store keeps no personal data). */
  private async replayed(answer: RecordedAnswer, username: string, deadline: Deadline): Promise<HttpResponseInit> {
    if (answer.outcome === undefined) return b2cErrorResponse(answer.message ?? this.stages.settings.onLegacyError.message);
    if (answer.outcome === 'notLegacy' || !this.stages.credentials.lookup) return b2cMigrationResponse(answer.outcome, profileClaims(undefined, username));
    const found = await deadline.race(this.stages.credentials.lookup(username, deadline.signal)).catch((): typeof DEADLINE_PASSED => DEADLINE_PASSED);
    const profile = found !== DEADLINE_PASSED && found.found ? found.profile : undefined;
    return b2cMigrationResponse('migrated', profileClaims(profile, username));
  }

  private async authenticate(request: HttpRequest, telemetry: Telemetry, log: LogFields): Promise<HttpResponseInit | undefined> {
    try {
      await this.deps.caller.authenticate(request.headers);
      return undefined;
    } catch (error) {
      telemetry.warn('jit.unauthorized', { ...log, errorName: errorName(error), detail: safeMessage(error) });
      return b2cUnauthorizedResponse(this.deps.caller.kind);
    }
  }
}

/** RFC 9110 §11.6.1: the scheme the caller should use, nothing about which check failed. */
function b2cUnauthorizedResponse(kind: B2cSettings['auth']['kind']): HttpResponseInit {
  const challenge = kind === 'basic' ? 'Basic realm="jit-migration"' : kind === 'bearer' ? 'Bearer' : undefined;
  return { status: 401, headers: { 'cache-control': 'no-store', ...(challenge ? { 'www-authenticate': challenge } : {}) } };
}

function badRequest(error: unknown, telemetry: Telemetry, log: LogFields): HttpResponseInit {
  const status = error instanceof RequestShapeError ? error.status : 400;
  const description = error instanceof RequestShapeError ? error.message : 'the request body could not be read';
  telemetry.warn('jit.badRequest', { ...log, errorName: errorName(error), detail: description });
  return requestErrorResponse(status, description);
}
