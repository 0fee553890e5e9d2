/**
 * The generated policies, run by the B2C stand-in against a fake function API, for each auth type and each
 * directory adapter (in-memory, the Graph emulator's users): the three local-account journeys do what the
 * design says, and only when the XML and the API agree.
 */
import { B2C_API_AUTHS, B2C_LAYER_PROFILES, B2C_LEGACY_PASSWORD_POLICIES } from '../../../lib/b2c/policies';
import { RESET_UNKNOWN_MESSAGE, SIGN_UP_BLOCKED_MESSAGE, WRONG_PASSWORD_MESSAGE, type LegacyUser } from './fakeFunctionApi';
import { addPreProvisioned, migrationFlagAttribute, type B2cDirectory, type B2cUser, type JourneyResult } from './index';
import { DIRECTORY_KINDS, EXTENSIONS_APP_ID, startDirectory, startHarness, type Harness } from './testPolicies';

const FLAG = migrationFlagAttribute(EXTENSIONS_APP_ID);
const PRE = 'pre@example.com';
const PRE_LEGACY_PASSWORD = 'Legacy-Pass1!';
const LEGACY_ONLY = 'legacy@example.com';
/** Weak on purpose: the migrated account must accept it (DisableStrongPassword). */
const LEGACY_ONLY_PASSWORD = 'legacypass';
const PLAIN = 'plain@example.com';
const PLAIN_PASSWORD = 'Plain-Pass1!';
const FLAG_FALSE = 'flagfalse@example.com';

function legacyStore(): Map<string, LegacyUser> {
  return new Map<string, LegacyUser>([
    [PRE, { password: PRE_LEGACY_PASSWORD, profile: { displayName: 'Pre Provisioned', givenName: 'Pre', surname: 'Provisioned' } }],
    [LEGACY_ONLY, { password: LEGACY_ONLY_PASSWORD, profile: { email: LEGACY_ONLY, displayName: 'Lee Gacy', givenName: 'Lee', surname: 'Gacy' } }],
  ]);
}

function expectOk(result: JourneyResult): asserts result is JourneyResult & { ok: true } {
  if (!result.ok) throw new Error(`journey failed on ${result.page}: ${result.userMessage}`);
}

function snapshot(users: readonly B2cUser[]): string {
  return JSON.stringify(users.map((user) => ({ ...user })));
}

/** No account takes `password`: a refused attempt wrote nothing. */
function noneAccepts(directory: B2cDirectory, password: string): boolean {
  return directory.all().every((user) => !directory.checkPassword(user.objectId, password));
}

const CASES = B2C_API_AUTHS.flatMap((auth) => DIRECTORY_KINDS.map((kind) => [auth, kind] as const));

describe.each(CASES)('B2C stand-in on the generated policies (%s, %s directory)', (auth, kind) => {
  let harness: Harness;
  let stopDirectory: () => Promise<void>;
  let preId: string;

  beforeEach(async () => {
    const started = await startDirectory(kind);
    stopDirectory = () => started.stop();
    harness = await startHarness(auth, legacyStore(), { directory: started.directory });
    const { directory } = harness.standIn;
    preId = addPreProvisioned(directory, EXTENSIONS_APP_ID, { email: PRE, displayName: 'Pre Provisioned' }).objectId;
    directory.create({ email: PLAIN, password: PLAIN_PASSWORD, displayName: 'Plain' });
    directory.create({ email: FLAG_FALSE, password: PLAIN_PASSWORD, displayName: 'Flag False', [FLAG]: false });
  });
  afterEach(async () => {
    await harness.api.stop();
    await stopDirectory();
  });

  it('migrates a pre-provisioned user on sign-in: password written, flag cleared, policies set, and the password works after', async () => {
    const first = await harness.standIn.signIn(PRE, PRE_LEGACY_PASSWORD);
    expectOk(first);
    expect(first.objectId).toBe(preId);
    expect(first.claims.sub).toBe(preId);
    const { directory } = harness.standIn;
    expect(directory.get(preId)).toMatchObject({ passwordPolicies: B2C_LEGACY_PASSWORD_POLICIES, [FLAG]: false });
    expect(directory.checkPassword(preId, PRE_LEGACY_PASSWORD)).toBe(true);
    expect(first.trace.restCalls.filter((call) => call.path === '/api/b2c/signin')).toEqual([
      expect.objectContaining({ profile: B2C_LAYER_PROFILES.signIn, claims: ['signInName', 'password'], status: 200 }),
    ]);
    expect(first.trace.profiles).toContainEqual({ id: B2C_LAYER_PROFILES.createMigratedUser, outcome: 'skipped', page: B2C_LAYER_PROFILES.signInPage });

    const callsBefore = harness.api.requests.length;
    const second = await harness.standIn.signIn(PRE, PRE_LEGACY_PASSWORD);
    expectOk(second);
    expect(second.objectId).toBe(preId);
    expect(second.trace.restCalls).toEqual([]);
    expect(harness.api.requests).toHaveLength(callsBefore);
  });

  it('creates a legacy-only user with the legacy profile on sign-in, with the (weak) legacy password', async () => {
    const result = await harness.standIn.signIn(LEGACY_ONLY, LEGACY_ONLY_PASSWORD);
    expectOk(result);
    const user = harness.standIn.directory.findByEmail(LEGACY_ONLY)!;
    expect(harness.standIn.directory.checkPassword(user.objectId, LEGACY_ONLY_PASSWORD)).toBe(true);
    expect(user).toMatchObject({
      objectId: result.objectId,
      displayName: 'Lee Gacy',
      givenName: 'Lee',
      surname: 'Gacy',
      passwordPolicies: B2C_LEGACY_PASSWORD_POLICIES,
      [FLAG]: false,
    });
    // No `email` claim: the sign-in page does not hand the API's email to the journey (as in the starter pack).
    expect(result.claims).toMatchObject({ sub: user.objectId, displayName: 'Lee Gacy' });
    expect(result.trace.profiles).toContainEqual({ id: B2C_LAYER_PROFILES.writePasswordAndClearFlag, outcome: 'skipped', page: B2C_LAYER_PROFILES.signInPage });
    expect((await harness.standIn.signIn(LEGACY_ONLY, LEGACY_ONLY_PASSWORD)).trace.restCalls).toEqual([]);
  });

  it('shows the API 409 message on a wrong legacy password and changes nothing', async () => {
    const before = snapshot(harness.standIn.directory.all());
    for (const email of [PRE, LEGACY_ONLY]) {
      const result = await harness.standIn.signIn(email, 'Wrong-Pass1!');
      expect(result).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.signInPage, userMessage: WRONG_PASSWORD_MESSAGE });
    }
    expect(snapshot(harness.standIn.directory.all())).toBe(before);
    expect(noneAccepts(harness.standIn.directory, 'Wrong-Pass1!')).toBe(true);
  });

  it('never calls the API for a user whose flag is false or absent', async () => {
    for (const email of [PLAIN, FLAG_FALSE]) {
      const result = await harness.standIn.signIn(email, PLAIN_PASSWORD);
      expectOk(result);
      expect(result.trace.profiles).toContainEqual({ id: B2C_LAYER_PROFILES.signIn, outcome: 'skipped', page: B2C_LAYER_PROFILES.signInPage });
      expect(await harness.standIn.signIn(email, 'Wrong-Pass1!')).toMatchObject({ ok: false, userMessage: 'Your password is incorrect' });
    }
    expect(harness.api.requests).toEqual([]);
    expect(harness.tokenRequests).toEqual([]);
  });

  it('blocks sign-up with a not-yet-migrated legacy email, and signs up a new email', async () => {
    const blocked = await harness.standIn.signUp(LEGACY_ONLY, 'New-Pass1!', { displayName: 'Someone' });
    expect(blocked).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.signUpPage, userMessage: SIGN_UP_BLOCKED_MESSAGE });
    expect(harness.standIn.directory.findByEmail(LEGACY_ONLY)).toBeUndefined();

    const fresh = await harness.standIn.signUp('new@example.com', 'New-Pass1!', { displayName: 'New Person' });
    expectOk(fresh);
    expect(harness.standIn.directory.findByEmail('new@example.com')).toMatchObject({ objectId: fresh.objectId, displayName: 'New Person' });
    expect(harness.standIn.directory.checkPassword(fresh.objectId, 'New-Pass1!')).toBe(true);
    expect(fresh.trace.restCalls.map((call) => [call.path, call.claims])).toContainEqual(['/api/b2c/signup', ['email']]);
  });

  it('migrates pre-provisioned and legacy-only users on password reset, never sending the new password', async () => {
    const pre = await harness.standIn.passwordReset(PRE, 'Reset-Pass1!');
    expectOk(pre);
    expect(pre.objectId).toBe(preId);
    expect(harness.standIn.directory.get(preId)).toMatchObject({ [FLAG]: false, passwordPolicies: B2C_LEGACY_PASSWORD_POLICIES });
    expect(harness.standIn.directory.checkPassword(preId, 'Reset-Pass1!')).toBe(true);
    expect(pre.trace.restCalls.map((call) => [call.path, call.claims])).toContainEqual(['/api/b2c/password-reset', ['email', 'objectId']]);

    const legacyOnly = await harness.standIn.passwordReset(LEGACY_ONLY, 'Reset-Pass2!');
    expectOk(legacyOnly);
    expect(harness.standIn.directory.findByEmail(LEGACY_ONLY)).toMatchObject({ objectId: legacyOnly.objectId, displayName: 'Lee Gacy', [FLAG]: false });
    expect(harness.standIn.directory.checkPassword(legacyOnly.objectId, 'Reset-Pass2!')).toBe(true);
    expect(legacyOnly.trace.restCalls.map((call) => [call.path, call.claims])).toContainEqual(['/api/b2c/password-reset', ['email']]);

    const bodies = harness.api.requests.map((request) => request.body).join('\n');
    expect(bodies).not.toContain('Reset-Pass');
    expect(JSON.stringify([pre.trace, legacyOnly.trace])).not.toContain('Reset-Pass');
    expectOk(await harness.standIn.signIn(PRE, 'Reset-Pass1!'));
    expectOk(await harness.standIn.signIn(LEGACY_ONLY, 'Reset-Pass2!'));
  });

  it('resets a plain B2C user through the API answer notLegacy', async () => {
    const plain = harness.standIn.directory.findByEmail(PLAIN)!;
    const result = await harness.standIn.passwordReset(PLAIN, 'Reset-Pass3!');
    expectOk(result);
    expect(result.objectId).toBe(plain.objectId);
    expect(harness.standIn.directory.checkPassword(plain.objectId, 'Reset-Pass3!')).toBe(true);
    expect(result.trace.profiles).toContainEqual({ id: B2C_LAYER_PROFILES.createMigratedUserWithNewPassword, outcome: 'skipped', page: B2C_LAYER_PROFILES.resetWritePasswordPage });
  });

  it('refuses sign-up with the email of an existing B2C account', async () => {
    const result = await harness.standIn.signUp(PLAIN, 'New-Pass1!');
    expect(result).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.signUpPage });
    expect(harness.standIn.directory.all()).toHaveLength(3);
  });

  it('refuses a reset for an email neither B2C nor the legacy store knows', async () => {
    const result = await harness.standIn.passwordReset('nobody@example.com', 'Reset-Pass1!');
    expect(result).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.resetDiscoveryPage, userMessage: RESET_UNKNOWN_MESSAGE });
    expect(harness.standIn.directory.findByEmail('nobody@example.com')).toBeUndefined();
  });

  it('never puts a password value in the trace', async () => {
    const result = await harness.standIn.signIn(PRE, PRE_LEGACY_PASSWORD);
    expect(JSON.stringify(result.trace)).not.toContain(PRE_LEGACY_PASSWORD);
  });
});
