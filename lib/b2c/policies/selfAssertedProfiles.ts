/**
 * The pages of the journeys, each a full self-asserted profile under the layer's own id: including the
 * base's profile would put the base's validation profiles (login-NonInteractive first) ahead of ours, and a
 * derived list is appended, never merged (reference §5 "VTP ordering"). So each list below is the whole
 * order B2C runs.
 */
import type { B2cMigrationOutcome } from '../contract';
import { B2C_CLAIMS } from '../contract';
import { technicalProfile, type Precondition, type ValidationProfile } from './elements';
import { B2C_LAYER_CLAIMS, B2C_LAYER_EXCHANGES, B2C_LAYER_PROFILES, B2C_PROVIDER_HANDLERS, B2C_STARTER_PACK } from './ids';
import type { ResolvedB2cPolicyOptions } from './options';
import type { XmlElement } from './xml';

const SELF_ASSERTED = { name: 'Proprietary', handler: B2C_PROVIDER_HANDLERS.selfAsserted } as const;
const MIGRATED: B2cMigrationOutcome = 'migrated';
const SIGNING_KEY = [['issuer_secret', B2C_STARTER_PACK.tokenSigningKey]] as const;

const SKIP_VTP = 'SkipThisValidationTechnicalProfile';
/** Only a user B2C lacks, or one flagged for migration, is checked against the legacy store. */
const skipUnlessApiCall: Precondition = { type: 'ClaimEquals', executeActionsIf: true, values: [B2C_LAYER_CLAIMS.callApi, 'False'], action: SKIP_VTP };
const skipUnlessMigrated: Precondition = { type: 'ClaimEquals', executeActionsIf: false, values: [B2C_CLAIMS.migrationOutcome, MIGRATED], action: SKIP_VTP };
const skipUnlessInB2c: Precondition = { type: 'ClaimsExist', executeActionsIf: false, values: [B2C_CLAIMS.objectId], action: SKIP_VTP };
const skipIfInB2c: Precondition = { type: 'ClaimsExist', executeActionsIf: true, values: [B2C_CLAIMS.objectId], action: SKIP_VTP };

/** bearer: the token request runs just before the call that uses it, under the same preconditions. */
function withToken(options: ResolvedB2cPolicyOptions, call: ValidationProfile): ValidationProfile[] {
  return options.auth === 'bearer' ? [{ id: B2C_LAYER_PROFILES.acquireAccessToken, preconditions: call.preconditions }, call] : [call];
}

/** Sign-in: status read, legacy check, password write or account creation, then B2C's own password check. */
function signInPage(options: ResolvedB2cPolicyOptions): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.signInPage,
    displayName: 'Local account sign-in',
    protocol: SELF_ASSERTED,
    metadata: [
      ['SignUpTarget', B2C_LAYER_EXCHANGES.signUp],
      ['setting.operatingMode', 'Email'],
      ['ContentDefinitionReferenceId', 'api.selfasserted'],
      ['IncludeClaimResolvingInClaimsHandling', 'true'],
    ],
    includeInSso: false,
    inputClaims: [{ id: B2C_CLAIMS.signInName, defaultValue: '{OIDC:LoginHint}', alwaysUseDefault: true }],
    outputClaims: [{ id: B2C_CLAIMS.signInName, required: true }, { id: B2C_CLAIMS.password, required: true }, { id: B2C_CLAIMS.objectId }, { id: 'authenticationSource' }],
    validationProfiles: [
      { id: B2C_LAYER_PROFILES.readMigrationStatus },
      ...withToken(options, { id: B2C_LAYER_PROFILES.signIn, preconditions: [skipUnlessApiCall] }),
      { id: B2C_LAYER_PROFILES.writePasswordAndClearFlag, preconditions: [skipUnlessMigrated, skipUnlessInB2c] },
      { id: B2C_LAYER_PROFILES.createMigratedUser, preconditions: [skipUnlessMigrated, skipIfInB2c] },
      { id: B2C_STARTER_PACK.loginNonInteractive },
    ],
    sessionManagement: B2C_STARTER_PACK.sessionAad,
  });
}

/** Sign-up: the function refuses an email a not-yet-migrated legacy user holds, before the account is written. */
function signUpPage(options: ResolvedB2cPolicyOptions): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.signUpPage,
    displayName: 'Email sign-up',
    protocol: SELF_ASSERTED,
    metadata: [['ContentDefinitionReferenceId', 'api.localaccountsignup']],
    cryptographicKeys: SIGNING_KEY,
    inputClaims: [{ id: B2C_CLAIMS.email }],
    outputClaims: [
      { id: B2C_CLAIMS.objectId },
      { id: B2C_CLAIMS.email, partner: 'Verified.Email', required: true },
      { id: 'newPassword', required: true },
      { id: 'reenterPassword', required: true },
      { id: 'executed-SelfAsserted-Input', defaultValue: 'true' },
      { id: 'authenticationSource' },
      { id: 'newUser' },
      { id: B2C_CLAIMS.displayName },
      { id: B2C_CLAIMS.givenName },
      { id: B2C_CLAIMS.surname },
    ],
    validationProfiles: [...withToken(options, { id: B2C_LAYER_PROFILES.signUp }), { id: B2C_STARTER_PACK.userWriteUsingLogonEmail }],
    sessionManagement: B2C_STARTER_PACK.sessionAad,
  });
}

/**
 * Password reset, page 1: the verified email, the B2C account if any, and the function's answer. The
 * outcome and the legacy profile are output so page 2 can create the account.
 */
function resetDiscoveryPage(options: ResolvedB2cPolicyOptions): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.resetDiscoveryPage,
    displayName: 'Reset password using email address',
    protocol: SELF_ASSERTED,
    metadata: [['ContentDefinitionReferenceId', 'api.localaccountpasswordreset']],
    cryptographicKeys: SIGNING_KEY,
    includeInSso: false,
    outputClaims: [
      { id: B2C_CLAIMS.email, partner: 'Verified.Email', required: true },
      { id: B2C_CLAIMS.objectId },
      { id: 'userPrincipalName' },
      { id: 'authenticationSource' },
      { id: B2C_CLAIMS.migrationOutcome },
      { id: B2C_CLAIMS.displayName },
      { id: B2C_CLAIMS.givenName },
      { id: B2C_CLAIMS.surname },
    ],
    validationProfiles: [{ id: B2C_LAYER_PROFILES.readByEmailForReset }, ...withToken(options, { id: B2C_LAYER_PROFILES.passwordReset })],
  });
}

/** Password reset, page 2: the new password on the B2C account, or a new account for a legacy-only user. */
function resetWritePasswordPage(): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.resetWritePasswordPage,
    displayName: 'Change password',
    protocol: SELF_ASSERTED,
    metadata: [['ContentDefinitionReferenceId', 'api.localaccountpasswordreset']],
    cryptographicKeys: SIGNING_KEY,
    inputClaims: [{ id: B2C_CLAIMS.objectId }],
    outputClaims: [{ id: 'newPassword', required: true }, { id: 'reenterPassword', required: true }, { id: B2C_CLAIMS.objectId }],
    validationProfiles: [
      { id: B2C_LAYER_PROFILES.writeNewPasswordAndClearFlag, preconditions: [skipUnlessInB2c] },
      { id: B2C_LAYER_PROFILES.createMigratedUserWithNewPassword, preconditions: [skipIfInB2c, skipUnlessMigrated] },
    ],
  });
}

export function selfAssertedProfiles(options: ResolvedB2cPolicyOptions): XmlElement[] {
  return [signInPage(options), signUpPage(options), resetDiscoveryPage(options), resetWritePasswordPage()];
}
