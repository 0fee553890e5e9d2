import { decide, meetsPasswordPolicy, type DecisionPolicy, type LegacyFacts, type SignInFacts } from './decide';

const policy: DecisionPolicy = {
  lockoutThreshold: 5,
  lockout: { title: 'Locked', message: 'Too many attempts' },
  blockedAccount: { title: 'Blocked', message: 'Account disabled' },
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
