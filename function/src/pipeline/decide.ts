/**
 * The pure decision core: facts in, action out. No I/O, no clock, no randomness.
 * The README's decision table mirrors this file; keep them together.
 */
import type { AccountStatus, LegacyRefusal } from '../legacy/port';
import type { ErrorAction, PasswordPolicy, UserMessage } from '../config/settings';

export type PasswordSubmitAction = 'MigratePassword' | 'UpdatePassword' | 'Retry' | 'Block';

/** What the legacy system told us, reduced to what the decision needs. */
export type LegacyFacts =
  | { readonly kind: 'unavailable'; readonly cause: 'error' | 'deadline' }
  | { readonly kind: 'unknown-user' }
  /** The legacy system refused the sign-in without saying whether the password was right (the B2C tenant). */
  | { readonly kind: 'refused'; readonly refusal: LegacyRefusal }
  | {
      readonly kind: 'checked';
      readonly passwordValid: boolean;
      readonly status: AccountStatus;
      readonly mustChangePassword: boolean;
      /** The legacy record is marked superseded: a password set in Entra replaced it. */
      readonly superseded?: boolean;
    };

/**
 * What Entra says about the user's password (README "Password changed in Entra"): read only when the
 * answer would otherwise hand Entra the legacy password (MigratePassword or UpdatePassword).
 */
export type EntraPasswordFacts =
  | { readonly kind: 'unchanged' }
  /** Set in Entra after the account was made (self-service reset): the legacy password is stale. */
  | { readonly kind: 'changed' }
  | { readonly kind: 'unavailable'; readonly cause: 'error' | 'deadline' };

export interface SignInFacts {
  /** Failed attempts already recorded for this username in the lockout window. */
  readonly recentFailures: number;
  /** Absent when the user is locked out before the legacy check ran. */
  readonly legacy?: LegacyFacts;
  readonly passwordMeetsPolicy: boolean;
}

export interface DecisionPolicy {
  readonly lockoutThreshold: number;
  readonly lockout: UserMessage;
  readonly blockedAccount: UserMessage;
  /** A legacy account locked (for now), apart from a disabled one. */
  readonly lockedAccount: UserMessage;
  /** The legacy system wants a new password first (an expired password in B2C): the user resets it in External ID. */
  readonly passwordResetRequired: UserMessage;
  readonly onLegacyError: { readonly action: ErrorAction } & UserMessage;
}

export type DecisionReason =
  | 'migrated'
  | 'weak-password'
  | 'must-change-password'
  | 'wrong-password'
  | 'account-blocked'
  | 'password-reset-required'
  | 'locked-out'
  | 'legacy-error'
  | 'deadline'
  | 'password-changed-in-entra'
  | 'entra-error'
  | 'state-store-unavailable';

export interface Decision {
  readonly action: PasswordSubmitAction;
  readonly reason: DecisionReason;
  readonly title?: string;
  readonly message?: string;
  /** True when this attempt counts towards the lockout threshold. */
  readonly countsAsFailure: boolean;
}

/** True when the legacy check should be skipped because the username is locked out. */
export function isLockedOut(recentFailures: number, policy: Pick<DecisionPolicy, 'lockoutThreshold'>): boolean {
  return recentFailures >= policy.lockoutThreshold;
}

export function decide(facts: SignInFacts, policy: DecisionPolicy): Decision {
  if (isLockedOut(facts.recentFailures, policy) || facts.legacy === undefined) {
    return { action: 'Block', reason: 'locked-out', ...policy.lockout, countsAsFailure: false };
  }
  const legacy = facts.legacy;
  if (legacy.kind === 'unavailable') return errorDecision(legacy.cause === 'deadline' ? 'deadline' : 'legacy-error', policy);
  if (legacy.kind === 'refused') return refusalDecision(legacy.refusal, policy);
  // Unknown user and wrong password look the same from outside, and so does the state of an
  // account whose password was wrong: a blocked account is revealed only to its password's holder.
  if (legacy.kind === 'unknown-user' || !legacy.passwordValid) {
    return { action: 'Retry', reason: 'wrong-password', countsAsFailure: true };
  }
  if (legacy.status !== 'active') return refusalDecision(legacy.status, policy);
  // Already found stale by an earlier sign-in: a password the user set in Entra wins (see afterEntraPasswordCheck).
  if (legacy.superseded) return PASSWORD_CHANGED_IN_ENTRA;
  if (legacy.mustChangePassword) {
    return { action: 'UpdatePassword', reason: 'must-change-password', countsAsFailure: false };
  }
  if (!facts.passwordMeetsPolicy) {
    return { action: 'UpdatePassword', reason: 'weak-password', countsAsFailure: false };
  }
  return { action: 'MigratePassword', reason: 'migrated', countsAsFailure: false };
}

/** Block with the refusal's own message: a locked account, a disabled one, or a password to reset first. */
function refusalDecision(refusal: LegacyRefusal, policy: DecisionPolicy): Decision {
  switch (refusal) {
    case 'locked':
      return { action: 'Block', reason: 'account-blocked', ...policy.lockedAccount, countsAsFailure: false };
    case 'disabled':
      return { action: 'Block', reason: 'account-blocked', ...policy.blockedAccount, countsAsFailure: false };
    case 'password-reset-required':
      return { action: 'Block', reason: 'password-reset-required', ...policy.passwordResetRequired, countsAsFailure: false };
  }
}

/**
 * LegacyErrorAction: the answer when a system the decision needs (legacy store, Graph) could not answer in
 * time, or, with StateStoreFailClosed, when the state store could not guard the attempt.
 */
export function errorDecision(reason: 'deadline' | 'legacy-error' | 'entra-error' | 'state-store-unavailable', policy: DecisionPolicy): Decision {
  const { action, title, message } = policy.onLegacyError;
  return { action, reason, ...(action === 'Block' ? { title, message } : {}), countsAsFailure: false };
}

const PASSWORD_CHANGED_IN_ENTRA: Decision = Object.freeze({ action: 'Retry', reason: 'password-changed-in-entra', countsAsFailure: false });

/** True when the decision hands Entra the legacy password, so the Entra check must run first. */
export function needsEntraPasswordCheck(decision: Decision): boolean {
  return decision.action === 'MigratePassword' || decision.action === 'UpdatePassword';
}

/**
 * The second, last step of the decision, for a decision that `needsEntraPasswordCheck`: a password set in
 * Entra after the account was made wins, since MigratePassword or UpdatePassword would overwrite it with the
 * legacy one (an old password, often the reason for the reset). Retry: Entra reports a wrong password.
 */
export function afterEntraPasswordCheck(decision: Decision, entra: EntraPasswordFacts, policy: DecisionPolicy): Decision {
  if (!needsEntraPasswordCheck(decision)) return decision;
  switch (entra.kind) {
    case 'unchanged':
      return decision;
    case 'changed':
      return PASSWORD_CHANGED_IN_ENTRA;
    case 'unavailable':
      return errorDecision(entra.cause === 'deadline' ? 'deadline' : 'entra-error', policy);
  }
}

const CHARACTER_CLASSES: readonly RegExp[] = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u];

/**
 * Entra's default policy: 8-256 characters and 3 of lowercase, uppercase, digit, symbol
 * (learn.microsoft.com/entra/identity/authentication/concept-password-ban-bad-combined-policy).
 * A password Entra would refuse must go through UpdatePassword, not MigratePassword.
 */
export function meetsPasswordPolicy(password: string, policy: PasswordPolicy): boolean {
  const length = [...password].length;
  if (length < policy.minLength || length > policy.maxLength) return false;
  const classes = CHARACTER_CLASSES.filter((re) => re.test(password)).length;
  return classes >= policy.minCharacterClasses;
}

/** B2C mode's answer to a sign-in (README "B2C mode", decision table): the same decision, in B2C's terms. */
export type B2cSignInDecision =
  /** 200, `migrationOutcome: migrated`: the policy writes this password (and creates the account if needed). */
  | { readonly outcome: 'migrated'; readonly reason: DecisionReason; readonly countsAsFailure: false }
  /** 200, `migrationOutcome: notLegacy`: not a legacy user; B2C's own sign-in decides. */
  | { readonly outcome: 'notLegacy'; readonly reason: 'not-legacy'; readonly countsAsFailure: false }
  /** 409 with `userMessage`, shown inline by B2C. */
  | { readonly outcome: 'refused'; readonly reason: DecisionReason; readonly userMessage: string; readonly countsAsFailure: boolean };

export interface B2cSignInMessages {
  readonly wrongPassword: string;
  readonly passwordExpired: string;
}

/**
 * Maps the shared decision onto B2C's three answers. An unknown user is `notLegacy`, not a failure: B2C calls
 * only for a flagged account or one it does not have, and its own `login-NonInteractive` then answers as
 * B2C always does. A weak legacy password migrates (the policy writes it with DisableStrongPassword); a
 * password the legacy system marked for change gets a message pointing at the reset journey, which migrates.
 */
export function decideB2cSignIn(decision: Decision, legacy: LegacyFacts | undefined, policy: DecisionPolicy, messages: B2cSignInMessages): B2cSignInDecision {
  if (legacy?.kind === 'unknown-user' && decision.reason === 'wrong-password') return { outcome: 'notLegacy', reason: 'not-legacy', countsAsFailure: false };
  switch (decision.reason) {
    case 'migrated':
    case 'weak-password':
      return { outcome: 'migrated', reason: decision.reason, countsAsFailure: false };
    case 'must-change-password':
      return { outcome: 'refused', reason: decision.reason, userMessage: messages.passwordExpired, countsAsFailure: false };
    case 'wrong-password':
      return { outcome: 'refused', reason: decision.reason, userMessage: messages.wrongPassword, countsAsFailure: decision.countsAsFailure };
    case 'account-blocked':
      return { outcome: 'refused', reason: decision.reason, userMessage: policy.blockedAccount.message, countsAsFailure: false };
    // Only the B2C tenant as a legacy store refuses so, and it serves the External ID callout only (settings.ts).
    case 'password-reset-required':
      return { outcome: 'refused', reason: decision.reason, userMessage: messages.passwordExpired, countsAsFailure: false };
    case 'locked-out':
      return { outcome: 'refused', reason: decision.reason, userMessage: policy.lockout.message, countsAsFailure: false };
    // A password set in External ID replaced this record's (both modes on one store): the legacy one is stale.
    case 'password-changed-in-entra':
      return { outcome: 'refused', reason: decision.reason, userMessage: messages.wrongPassword, countsAsFailure: false };
    case 'legacy-error':
    case 'deadline':
    case 'entra-error':
    case 'state-store-unavailable':
      return { outcome: 'refused', reason: decision.reason, userMessage: policy.onLegacyError.message, countsAsFailure: false };
  }
}
