/**
 * The point of the stand-in: a policy whose XML disagrees with the API, or with itself, fails locally. Each
 * case breaks one thing in the generated files (the unbroken files pass the same journeys in standIn.test.ts),
 * plus the RESTful provider's handling of answers B2C refuses, timeouts and retries.
 */
import { B2C_LAYER_PROFILES, DEFAULT_B2C_USER_MESSAGES } from '../../../lib/b2c/policies';
import type { LegacyUser } from './fakeFunctionApi';
import { addPreProvisioned, B2cPolicyError, migrationFlagAttribute } from './index';
import { EXTENSIONS_APP_ID, generatedFiles, startHarness, type Harness } from './testPolicies';

const PRE = 'pre@example.com';
const PASSWORD = 'Legacy-Pass1!';
const LEGACY_ONLY = 'legacy@example.com';
const FLAG = migrationFlagAttribute(EXTENSIONS_APP_ID);

/** The generated files with `from` replaced by `to` inside one technical profile (or anywhere, without one). */
function brokenXmls(from: string, to: string, profileId?: string): string[] {
  let replaced = 0;
  const xmls = generatedFiles('basic').map(({ xml }) => {
    if (profileId === undefined) {
      replaced += xml.split(from).length - 1;
      return xml.split(from).join(to);
    }
    const start = xml.indexOf(`<TechnicalProfile Id="${profileId}">`);
    if (start < 0) return xml;
    const end = xml.indexOf('</TechnicalProfile>', start);
    const block = xml.slice(start, end);
    replaced += block.split(from).length - 1;
    return xml.slice(0, start) + block.split(from).join(to) + xml.slice(end);
  });
  if (replaced === 0) throw new Error(`nothing to break: ${from} not found`);
  return xmls;
}

function legacyStore(): Map<string, LegacyUser> {
  return new Map<string, LegacyUser>([
    [PRE, { password: PASSWORD, profile: { displayName: 'Pre' } }],
    [LEGACY_ONLY, { password: PASSWORD, profile: { displayName: 'Legacy' } }],
  ]);
}

describe('B2C stand-in on broken policies', () => {
  let harness: Harness | undefined;
  afterEach(() => harness?.api.stop());

  async function start(xmls?: readonly string[], requestTimeoutMs?: number): Promise<Harness & { preId: string }> {
    harness = await startHarness('basic', legacyStore(), { ...(xmls === undefined ? {} : { xmls }), ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }) });
    const preId = addPreProvisioned(harness.standIn.directory, EXTENSIONS_APP_ID, { email: PRE, displayName: 'Pre' }).objectId;
    return { ...harness, preId };
  }

  it('fails sign-in when the ServiceUrl path is not the API route, and changes nothing', async () => {
    const { standIn, preId } = await start(brokenXmls('/api/b2c/signin', '/api/b2c/sign-in', B2C_LAYER_PROFILES.signIn));
    const result = await standIn.signIn(PRE, PASSWORD);
    expect(result).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.signInPage, userMessage: DEFAULT_B2C_USER_MESSAGES.requestFailed });
    expect(result.trace.restCalls).toEqual([expect.objectContaining({ path: '/api/b2c/sign-in', status: 404 })]);
    expect(standIn.directory.get(preId)).toMatchObject({ [FLAG]: true });
  });

  it('fails sign-in when an input claim goes out under another name', async () => {
    const { standIn } = await start(brokenXmls('<InputClaim ClaimTypeReferenceId="signInName" Required="true" />', '<InputClaim ClaimTypeReferenceId="signInName" PartnerClaimType="username" Required="true" />', B2C_LAYER_PROFILES.signIn));
    const result = await standIn.signIn(PRE, PASSWORD);
    expect(result).toMatchObject({ ok: false, userMessage: DEFAULT_B2C_USER_MESSAGES.requestFailed });
    expect(result.trace.restCalls).toEqual([expect.objectContaining({ claims: ['username', 'password'], status: 400 })]);
  });

  it('does not migrate when the answer key is mapped to another claim name', async () => {
    const { standIn, preId } = await start(brokenXmls('<OutputClaim ClaimTypeReferenceId="migrationOutcome" />', '<OutputClaim ClaimTypeReferenceId="migrationOutcome" PartnerClaimType="outcome" />', B2C_LAYER_PROFILES.signIn));
    const result = await standIn.signIn(PRE, PASSWORD);
    expect(result).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.signInPage, userMessage: 'Your password is incorrect' });
    expect(result.trace.profiles).toContainEqual({ id: B2C_LAYER_PROFILES.writePasswordAndClearFlag, outcome: 'skipped', page: B2C_LAYER_PROFILES.signInPage });
    expect(standIn.directory.get(preId)).toMatchObject({ [FLAG]: true });
  });

  it('never calls the API when AAD-Common names another b2c-extensions-app (the flag reads as absent)', async () => {
    const { standIn, api } = await start(brokenXmls(EXTENSIONS_APP_ID, '11111111-2222-4333-8444-555555555555'));
    expect(await standIn.signIn(PRE, PASSWORD)).toMatchObject({ ok: false, userMessage: 'Your password is incorrect' });
    expect(api.requests).toEqual([]);
  });

  it('cannot create a legacy-only user on reset when the discovery page does not hand on migrationOutcome', async () => {
    const { standIn } = await start(brokenXmls('<OutputClaim ClaimTypeReferenceId="migrationOutcome" />', '', B2C_LAYER_PROFILES.resetDiscoveryPage));
    const result = await standIn.passwordReset(LEGACY_ONLY, 'Reset-Pass1!');
    expect(result.ok).toBe(false);
    expect(result.trace.profiles).toContainEqual({ id: B2C_LAYER_PROFILES.createMigratedUserWithNewPassword, outcome: 'skipped', page: B2C_LAYER_PROFILES.resetWritePasswordPage });
    expect(standIn.directory.findByEmail(LEGACY_ONLY)).toBeUndefined();
  });

  it('falls through to the sign-up page when the sign-in page does not hand on objectId', async () => {
    const { standIn } = await start(brokenXmls('<OutputClaim ClaimTypeReferenceId="objectId" />', '', B2C_LAYER_PROFILES.signInPage));
    expect(await standIn.signIn(PRE, PASSWORD)).toMatchObject({ ok: false, page: B2C_LAYER_PROFILES.signUpPage });
  });

  it('rejects a claims transformation method it does not model, and a profile defined nowhere', async () => {
    const unknownMethod = await start(brokenXmls('TransformationMethod="OrClaims"', 'TransformationMethod="AndClaims"'));
    await expect(unknownMethod.standIn.signIn(PRE, PASSWORD)).rejects.toThrow(new B2cPolicyError('claims transformation JIT-CallApi: TransformationMethod AndClaims is not modelled by the stand-in'));
    await harness?.api.stop();
    const missingProfile = await start(brokenXmls('<ValidationTechnicalProfile ReferenceId="login-NonInteractive" />', '<ValidationTechnicalProfile ReferenceId="login-NonInteractiv" />'));
    await expect(missingProfile.standIn.signIn(PRE, PASSWORD)).rejects.toThrow(B2cPolicyError);
  });

  it.each([
    ['a null claim in a 200', { status: 200, body: JSON.stringify({ migrationOutcome: 'migrated', displayName: null }) }],
    ['a 500', { status: 500, body: '{}' }],
    ['a 200 that is not JSON', { status: 200, body: 'ok' }],
    ['a 409 without userMessage', { status: 409, body: JSON.stringify({ status: 409 }) }],
  ])('shows DefaultUserMessageIfRequestFailed for %s and changes nothing', async (_case, answer) => {
    const { standIn, api, preId } = await start();
    api.override = () => answer;
    expect(await standIn.signIn(PRE, PASSWORD)).toMatchObject({ ok: false, userMessage: DEFAULT_B2C_USER_MESSAGES.requestFailed });
    expect(standIn.directory.get(preId)).toMatchObject({ [FLAG]: true });
  });

  it('retries once after a timeout, and shows UserMessageIfRequestTimeout when the retry times out too', async () => {
    const { standIn, api } = await start(undefined, 200);
    let calls = 0;
    api.override = () => (++calls === 1 ? { status: 200, body: '{}', delayMs: 1_000 } : undefined);
    const retried = await standIn.signIn(PRE, PASSWORD);
    expect(retried.ok).toBe(true);
    expect(retried.trace.restCalls).toEqual([expect.objectContaining({ attempts: 2, status: 200 })]);

    api.override = () => ({ status: 200, body: '{}', delayMs: 1_000 });
    const timedOut = await standIn.signIn(LEGACY_ONLY, PASSWORD);
    expect(timedOut).toMatchObject({ ok: false, userMessage: DEFAULT_B2C_USER_MESSAGES.requestTimeout });
    expect(timedOut.trace.restCalls).toEqual([expect.objectContaining({ attempts: 2, error: 'timeout' })]);
  });
});
