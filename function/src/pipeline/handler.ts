/**
 * The sign-in path: authenticate → decrypt → look up → verify → decide → respond.
 * One handler serves Azure (functions/onPasswordSubmit.ts), `jitmigrate serve` and the tests.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { ExternalIdSettings } from '../config/settings';
import type { KeyRing } from '../crypto/keyRing';
import { normalizeUsername, isValidUsername } from '../legacy/normalize';
import type { RecordedAnswer } from '../state/port';
import { errorName, type Telemetry } from '../telemetry/telemetry';
import type { CallerIdentity } from './authenticate';
import { DEADLINE_PASSED, Deadline } from './deadline';
import { passwordChangedAfterCreation } from '../entra/passwordChange';
import type { EntraDirectory } from '../entra/port';
import { afterEntraPasswordCheck, needsEntraPasswordCheck, type Decision, type EntraPasswordFacts } from './decide';
import { decryptPasswordContext, type PasswordContext } from './decrypt';
import { parsePasswordSubmitRequest, RequestShapeError } from './request';
import { passwordSubmitResponse, requestErrorResponse, unauthorizedResponse, type PasswordSubmitAnswer } from './respond';
import { elapsed, readJsonBody, safeMessage, type LogFields, type SignInStages } from './stages';

export interface PasswordSubmitDependencies {
  readonly externalId: ExternalIdSettings;
  readonly stages: SignInStages;
  readonly authenticator: { authenticate(authorizationHeader: string | undefined): Promise<CallerIdentity> };
  readonly keyRing: KeyRing;
  /** The Entra password check; absent when PasswordChangeCheck=off. */
  readonly entra?: EntraDirectory;
}

const DEFAULT_ANSWER_TTL_MS = 10 * 60 * 1000;

export class PasswordSubmitHandler {
  private readonly stages: SignInStages;

  constructor(private readonly deps: PasswordSubmitDependencies) {
    this.stages = deps.stages;
  }

  async handle(request: HttpRequest, telemetry: Telemetry): Promise<HttpResponseInit> {
    const started = performance.now();
    const { settings, credentials } = this.stages;
    const deadline = new Deadline(settings.calloutBudgetMs);
    const log: LogFields = { legacyStore: credentials.storeKind };
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
        const body = await readJsonBody(request, settings.maxRequestBytes);
        const parsed = parsePasswordSubmitRequest(body);
        log.correlationId = parsed.correlationId;
        userId = parsed.userId;
        if (parsed.tenantId !== undefined && parsed.tenantId.toLowerCase() !== this.deps.externalId.tenantId) {
          throw new RequestShapeError(400, 'data.tenantId is not the configured ExternalIdTenantId');
        }
        context = await decryptPasswordContext(parsed.encryptedPasswordContext, this.deps.keyRing, {
          expectedAudiences: this.expectedAudiences(),
          clockSkewSeconds: settings.clockSkewSeconds,
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
      const answerExpiresAt = new Date(context.expiresAt?.getTime() ?? this.stages.now().getTime() + DEFAULT_ANSWER_TTL_MS);
      const requestKey = this.stages.requestKey([context.nonce, username, context.password]);
      const replay = await this.stages.claim(requestKey, deadline, telemetry, log);
      if (replay) {
        telemetry.event('jit.passwordSubmit', { ...log, action: replay.action, replayed: log.failedClosed !== true, latencyMs: elapsed(started) });
        return passwordSubmitResponse(externalIdAnswer(replay), context.nonce);
      }

      const verified = await this.stages.verify(username, context.password, deadline, telemetry, log);
      const { scheme, recentFailures, verifyMs } = verified;
      const { decision, entraMs } = await this.confirmWithEntra(verified.decision, userId, username, deadline, telemetry, log);
      const answer: RecordedAnswer = { action: decision.action, title: decision.title, message: decision.message };
      const outcome = { requestKey, answer, expiresAt: answerExpiresAt, username, countsAsFailure: decision.countsAsFailure, reservation: verified.reservation };
      await this.stages.recordOutcome(outcome, deadline, telemetry, log);

      // After MigratePassword, mark the legacy record without delaying or failing the reply.
      if (decision.action === 'MigratePassword') this.stages.markMigratedInBackground(username, telemetry, log);

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
    const { extensionAppId, extensionAppIdentifierUri } = this.deps.externalId;
    return extensionAppIdentifierUri ? [extensionAppId, extensionAppIdentifierUri] : [extensionAppId];
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
    log: LogFields,
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
    const confirmed = afterEntraPasswordCheck(decision, facts, this.stages.policy);
    if (confirmed.reason === 'password-changed-in-entra') {
      // The user id only: the username is personal data the event does not need.
      telemetry.warn('jit.passwordChangedInEntra', { userId });
      const at = this.stages.now();
      this.stages.background.run(
        () => this.stages.credentials.markSuperseded(username, at),
        (error) => telemetry.warn('jit.markSupersededFailed', { ...log, errorName: errorName(error) }),
      );
    }
    return { decision: confirmed, entraMs };
  }

}

/** A recorded answer as Entra's action (a B2C answer never shares a request key with this endpoint). */
function externalIdAnswer(answer: RecordedAnswer): PasswordSubmitAnswer {
  const { action, title, message } = answer;
  return { action, ...(title !== undefined ? { title } : {}), ...(message !== undefined ? { message } : {}) };
}
