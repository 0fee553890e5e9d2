import { afterEntraPasswordCheck, decide, meetsPasswordPolicy, needsEntraPasswordCheck, type Decision, type DecisionPolicy, type LegacyFacts, type SignInFacts } from './decide';

const policy: DecisionPolicy = {
  lockoutThreshold: 5,
  lockout: { title: 'Locked', message: 'Too many attempts' },
  blockedAccount: { title: 'Blocked', message: 'Account disabled' },
  lockedAccount: { title: 'Locked for now', message: 'Account locked' },
  passwordResetRequired: { title: 'Reset', message: 'Reset your password' },
  onLegacyError: { action: 'Block', title: 'Unavailable', message: 'Try later' },
};

const valid: LegacyFacts = { kind: 'checked', passwordValid: true, status: 'active', mustChangePassword: false };
const facts = (over: Partial<SignInFacts> = {}): SignInFacts => ({ recentFailures: 0, legacy: valid, passwordMeetsPolicy: true, ...over });

describe('decide (the README decision table)', () => {
  it.each<[string, SignInFacts, string, string, boolean]>([
    ['valid, compliant', facts(), 'MigratePassword', 'migrated', false],
    ['valid, weak', facts({ passwordMeetsPolicy: false }), 'UpdatePassword', 'weak-password', false],
    ['valid, must change', facts({ legacy: { ...valid, mustChangePassword: true } }), 'UpdatePassword', 'must-change-password', false],
    ['wrong password', facts({ legacy: { ...valid, passwordValid: false } }), 'Retry', 'wrong-password', true],
    ['unknown user', facts({ legacy: { kind: 'unknown-user' } }), 'Retry', 'wrong-password', true],
    ['disabled, right password', facts({ legacy: { ...valid, status: 'disabled' } }), 'Block', 'account-blocked', false],
    ['locked, right password', facts({ legacy: { ...valid, status: 'locked' } }), 'Block', 'account-blocked', false],
    ['disabled, wrong password', facts({ legacy: { ...valid, status: 'disabled', passwordValid: false } }), 'Retry', 'wrong-password', true],
    ['lockout threshold reached', facts({ recentFailures: 5 }), 'Block', 'locked-out', false],
    ['below threshold', facts({ recentFailures: 4 }), 'MigratePassword', 'migrated', false],
    ['legacy error', facts({ legacy: { kind: 'unavailable', cause: 'error' } }), 'Block', 'legacy-error', false],
    ['deadline', facts({ legacy: { kind: 'unavailable', cause: 'deadline' } }), 'Block', 'deadline', false],
    ['valid, record superseded by an Entra password', facts({ legacy: { ...valid, superseded: true } }), 'Retry', 'password-changed-in-entra', false],
    ['wrong password, record superseded', facts({ legacy: { ...valid, superseded: true, passwordValid: false } }), 'Retry', 'wrong-password', true],
    ['disabled, record superseded', facts({ legacy: { ...valid, superseded: true, status: 'disabled' } }), 'Block', 'account-blocked', false],
    ['refused: locked (password not known)', facts({ legacy: { kind: 'refused', refusal: 'locked' } }), 'Block', 'account-blocked', false],
    ['refused: disabled (password not known)', facts({ legacy: { kind: 'refused', refusal: 'disabled' } }), 'Block', 'account-blocked', false],
    ['refused: password reset required', facts({ legacy: { kind: 'refused', refusal: 'password-reset-required' } }), 'Block', 'password-reset-required', false],
    ['refused, even below a weak password', facts({ legacy: { kind: 'refused', refusal: 'password-reset-required' }, passwordMeetsPolicy: false }), 'Block', 'password-reset-required', false],
  ])('%s', (_name, input, action, reason, counts) => {
    const decision = decide(input, policy);
    expect(decision.action).toBe(action);
    expect(decision.reason).toBe(reason);
    expect(decision.countsAsFailure).toBe(counts);
  });

  it('carries the configured messages on Block', () => {
    expect(decide(facts({ recentFailures: 9 }), policy)).toMatchObject({ title: 'Locked', message: 'Too many attempts' });
    expect(decide(facts({ legacy: { ...valid, status: 'disabled' } }), policy)).toMatchObject({ title: 'Blocked', message: 'Account disabled' });
    expect(decide(facts({ legacy: { kind: 'unavailable', cause: 'error' } }), policy)).toMatchObject({ title: 'Unavailable', message: 'Try later' });
  });

  it('tells a locked account from a disabled one, and asks for a reset with its own message', () => {
    expect(decide(facts({ legacy: { ...valid, status: 'locked' } }), policy)).toMatchObject({ title: 'Locked for now', message: 'Account locked' });
    expect(decide(facts({ legacy: { kind: 'refused', refusal: 'locked' } }), policy)).toMatchObject({ title: 'Locked for now', message: 'Account locked' });
    expect(decide(facts({ legacy: { kind: 'refused', refusal: 'disabled' } }), policy)).toMatchObject({ title: 'Blocked', message: 'Account disabled' });
    expect(decide(facts({ legacy: { kind: 'refused', refusal: 'password-reset-required' } }), policy)).toMatchObject({ title: 'Reset', message: 'Reset your password' });
  });

  it('uses Retry without a message when the error action is Retry', () => {
    const retryPolicy: DecisionPolicy = { ...policy, onLegacyError: { action: 'Retry', title: 't', message: 'm' } };
    const decision = decide(facts({ legacy: { kind: 'unavailable', cause: 'deadline' } }), retryPolicy);
    expect(decision).toEqual({ action: 'Retry', reason: 'deadline', countsAsFailure: false });
  });

  it('blocks a locked-out user without legacy facts', () => {
    expect(decide({ recentFailures: 5, passwordMeetsPolicy: true }, policy).action).toBe('Block');
  });
});

describe('meetsPasswordPolicy (Entra default: 8-256, 3 of 4 classes)', () => {
  const entra = { minLength: 8, maxLength: 256, minCharacterClasses: 3 };
  it.each([
    ['Passw0rd', true],
    ['password1!', true],
    ['PASSWORD1', false],
    ['PASSWORD1!', true],
    ['Pass!word', true],
    ['password', false],
    ['Password', false],
    ['Pa1!', false],
    ['Pa1!'.repeat(64), true],
    ['Pa1!'.repeat(64) + 'x', false],
    ['Ünïcödé1x', true],
  ])('%s → %s', (password, expected) => {
    expect(meetsPasswordPolicy(password, entra)).toBe(expected);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(meetsPasswordPolicy('😀😀😀😀aA1', { minLength: 7, maxLength: 7, minCharacterClasses: 3 })).toBe(true);
  });
});

describe('afterEntraPasswordCheck (a password set in Entra wins)', () => {
  const migrate = decide(facts(), policy);
  const update = decide(facts({ passwordMeetsPolicy: false }), policy);

  it('is needed exactly for the answers that hand Entra the legacy password', () => {
    expect(needsEntraPasswordCheck(migrate)).toBe(true);
    expect(needsEntraPasswordCheck(update)).toBe(true);
    for (const other of [facts({ legacy: { ...valid, passwordValid: false } }), facts({ recentFailures: 5 }), facts({ legacy: { ...valid, status: 'disabled' } })]) {
      expect(needsEntraPasswordCheck(decide(other, policy))).toBe(false);
    }
  });

  it.each<[string, Decision]>([
    ['MigratePassword', migrate],
    ['UpdatePassword', update],
  ])('%s becomes Retry when the password changed in Entra, and stays when it did not', (_name, decision) => {
    expect(afterEntraPasswordCheck(decision, { kind: 'changed' }, policy)).toEqual({ action: 'Retry', reason: 'password-changed-in-entra', countsAsFailure: false });
    expect(afterEntraPasswordCheck(decision, { kind: 'unchanged' }, policy)).toBe(decision);
  });

  it('follows LegacyErrorAction when Graph could not answer', () => {
    expect(afterEntraPasswordCheck(migrate, { kind: 'unavailable', cause: 'error' }, policy)).toEqual({
      action: 'Block',
      reason: 'entra-error',
      title: 'Unavailable',
      message: 'Try later',
      countsAsFailure: false,
    });
    const retryPolicy: DecisionPolicy = { ...policy, onLegacyError: { action: 'Retry', title: 't', message: 'm' } };
    expect(afterEntraPasswordCheck(update, { kind: 'unavailable', cause: 'deadline' }, retryPolicy)).toEqual({ action: 'Retry', reason: 'deadline', countsAsFailure: false });
  });

  it('never changes a decision that did not need the check', () => {
    const wrong = decide(facts({ legacy: { ...valid, passwordValid: false } }), policy);
    expect(afterEntraPasswordCheck(wrong, { kind: 'changed' }, policy)).toBe(wrong);
    expect(afterEntraPasswordCheck(wrong, { kind: 'unavailable', cause: 'error' }, policy)).toBe(wrong);
  });
});
