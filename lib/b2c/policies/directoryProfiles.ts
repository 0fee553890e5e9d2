/**
 * The directory (AzureActiveDirectoryProvider) profiles of the layer: the migration-status read, and the
 * writes that set a legacy password. Every password write also persists `passwordPolicies` with
 * DisableStrongPassword (B2C refuses the upload otherwise, reference §9.3) and clears the migration flag.
 */
import { B2C_CLAIMS } from '../contract';
import { technicalProfile, type ClaimReference } from './elements';
import { B2C_LAYER_CLAIMS, B2C_LAYER_PROFILES, B2C_LAYER_TRANSFORMATIONS, B2C_LEGACY_PASSWORD_POLICIES, B2C_STARTER_PACK } from './ids';
import type { ResolvedB2cPolicyOptions } from './options';
import type { XmlElement } from './xml';

const SIGN_IN_EMAIL = 'signInNames.emailAddress';
const LOCAL_ACCOUNT = 'localAccountAuthentication';

/** Override of the base's AAD-Common: the b2c-extensions-app, without which extension attributes are neither read nor written. */
export function aadCommonOverride(options: ResolvedB2cPolicyOptions): XmlElement {
  return technicalProfile({
    id: B2C_STARTER_PACK.aadCommon,
    metadata: [
      ['ClientId', options.extensionsAppClientId],
      ['ApplicationObjectId', options.extensionsAppObjectId],
    ],
  });
}

/** Does B2C have the sign-in name, and is it flagged for migration? A missing user is not an error here. */
function readMigrationStatus(): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.readMigrationStatus,
    metadata: [
      ['Operation', 'Read'],
      ['RaiseErrorIfClaimsPrincipalDoesNotExist', 'false'],
    ],
    includeInSso: false,
    inputClaims: [{ id: B2C_CLAIMS.signInName, partner: SIGN_IN_EMAIL, required: true }],
    outputClaims: [{ id: B2C_CLAIMS.objectId }, { id: B2C_LAYER_CLAIMS.requiresMigration, defaultValue: 'false' }],
    outputClaimsTransformations: [B2C_LAYER_TRANSFORMATIONS.foundInB2c, B2C_LAYER_TRANSFORMATIONS.notInB2c, B2C_LAYER_TRANSFORMATIONS.callApi],
    includeProfile: B2C_STARTER_PACK.aadCommon,
  });
}

/** Password reset: the B2C account for the verified email, if any (the base's read fails when there is none). */
function readByEmailForReset(): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.readByEmailForReset,
    metadata: [
      ['Operation', 'Read'],
      ['RaiseErrorIfClaimsPrincipalDoesNotExist', 'false'],
    ],
    includeInSso: false,
    inputClaims: [{ id: B2C_CLAIMS.email, partner: SIGN_IN_EMAIL, required: true }],
    outputClaims: [{ id: B2C_CLAIMS.objectId }, { id: 'authenticationSource', defaultValue: LOCAL_ACCOUNT }, { id: 'userPrincipalName' }],
    includeProfile: B2C_STARTER_PACK.aadCommon,
  });
}

/** The legacy password may be weak and must not expire; the flag is cleared in the same write. */
const MIGRATED_PASSWORD_CLAIMS: ClaimReference[] = [
  { id: 'passwordPolicies', defaultValue: B2C_LEGACY_PASSWORD_POLICIES, alwaysUseDefault: true },
  { id: B2C_LAYER_CLAIMS.requiresMigration, defaultValue: 'false', alwaysUseDefault: true },
];

/** Sets the password of the existing account `objectId` (pre-created with the flag) and clears the flag. */
function writePasswordAndClearFlag(id: string, passwordClaim: string): XmlElement {
  return technicalProfile({
    id,
    metadata: [
      ['Operation', 'Write'],
      ['RaiseErrorIfClaimsPrincipalDoesNotExist', 'true'],
    ],
    includeInSso: false,
    inputClaims: [{ id: B2C_CLAIMS.objectId, required: true }],
    persistedClaims: [{ id: B2C_CLAIMS.objectId }, { id: passwordClaim, partner: 'password' }, ...MIGRATED_PASSWORD_CLAIMS],
    includeProfile: B2C_STARTER_PACK.aadCommon,
  });
}

/** Creates the account of a user only the legacy store knows, with the profile the function returned. */
function createMigratedUser(id: string, passwordClaim: string): XmlElement {
  return technicalProfile({
    id,
    metadata: [
      ['Operation', 'Write'],
      ['RaiseErrorIfClaimsPrincipalAlreadyExists', 'true'],
    ],
    includeInSso: false,
    inputClaims: [{ id: B2C_CLAIMS.email, partner: SIGN_IN_EMAIL, required: true }],
    persistedClaims: [
      { id: B2C_CLAIMS.email, partner: SIGN_IN_EMAIL },
      { id: passwordClaim, partner: 'password' },
      // Directory users need a display name; the base's sign-up uses the same placeholder.
      { id: B2C_CLAIMS.displayName, defaultValue: 'unknown' },
      { id: B2C_CLAIMS.givenName },
      { id: B2C_CLAIMS.surname },
      ...MIGRATED_PASSWORD_CLAIMS,
    ],
    outputClaims: [
      { id: B2C_CLAIMS.objectId },
      { id: 'newUser', partner: 'newClaimsPrincipalCreated' },
      { id: 'authenticationSource', defaultValue: LOCAL_ACCOUNT },
      { id: 'userPrincipalName' },
      { id: SIGN_IN_EMAIL },
    ],
    includeProfile: B2C_STARTER_PACK.aadCommon,
  });
}

export function directoryProfiles(): XmlElement[] {
  return [
    readMigrationStatus(),
    readByEmailForReset(),
    writePasswordAndClearFlag(B2C_LAYER_PROFILES.writePasswordAndClearFlag, B2C_CLAIMS.password),
    createMigratedUser(B2C_LAYER_PROFILES.createMigratedUser, B2C_CLAIMS.password),
    writePasswordAndClearFlag(B2C_LAYER_PROFILES.writeNewPasswordAndClearFlag, 'newPassword'),
    createMigratedUser(B2C_LAYER_PROFILES.createMigratedUserWithNewPassword, 'newPassword'),
  ];
}
