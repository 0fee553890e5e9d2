/**
 * The ids the migration layer defines (claim types, claims transformations, technical profiles, journeys)
 * and the starter-pack ids it builds on. The B2C stand-in and the tests read the generated XML by these
 * names, so they are exported from one place.
 */
import { B2C_MIGRATION_FLAG } from '../contract';

/** Claim types the layer adds (besides the starter pack's). */
export const B2C_LAYER_CLAIMS = {
  /** The b2c-extensions-app attribute; B2C maps `extension_<name>` to `extension_<app id>_<name>` through AAD-Common. */
  requiresMigration: `extension_${B2C_MIGRATION_FLAG}`,
  migrationOutcome: 'migrationOutcome',
  foundInB2c: 'jitFoundInB2c',
  notInB2c: 'jitNotInB2c',
  callApi: 'jitCallApi',
  /** bearer only: the client-credentials token and the form fields that ask for it. */
  bearerToken: 'bearerToken',
  grantType: 'grant_type',
  scope: 'scope',
} as const;

export const B2C_LAYER_TRANSFORMATIONS = {
  foundInB2c: 'JIT-FoundInB2c',
  notInB2c: 'JIT-NotInB2c',
  callApi: 'JIT-CallApi',
} as const;

export const B2C_LAYER_PROFILES = {
  readMigrationStatus: 'AAD-JIT-ReadMigrationStatus',
  readByEmailForReset: 'AAD-JIT-ReadByEmailForReset',
  acquireAccessToken: 'REST-JIT-AcquireAccessToken',
  signIn: 'REST-JIT-SignIn',
  signUp: 'REST-JIT-SignUp',
  passwordReset: 'REST-JIT-PasswordReset',
  writePasswordAndClearFlag: 'AAD-JIT-WritePasswordAndClearFlag',
  createMigratedUser: 'AAD-JIT-CreateMigratedUser',
  writeNewPasswordAndClearFlag: 'AAD-JIT-WriteNewPasswordAndClearFlag',
  createMigratedUserWithNewPassword: 'AAD-JIT-CreateMigratedUserWithNewPassword',
  signInPage: 'SelfAsserted-JIT-LocalAccountSignin-Email',
  signUpPage: 'SelfAsserted-JIT-LocalAccountSignUp',
  resetDiscoveryPage: 'LocalAccount-JIT-DiscoveryUsingEmailAddress',
  resetWritePasswordPage: 'LocalAccount-JIT-WritePassword',
} as const;

export const B2C_LAYER_JOURNEYS = {
  signUpOrSignIn: 'JIT-SignUpOrSignIn',
  passwordReset: 'JIT-PasswordReset',
} as const;

/** What the layer uses from the starter pack (TrustFrameworkBase), by id. */
export const B2C_STARTER_PACK = {
  aadCommon: 'AAD-Common',
  loginNonInteractive: 'login-NonInteractive',
  userWriteUsingLogonEmail: 'AAD-UserWriteUsingLogonEmail',
  userReadUsingObjectId: 'AAD-UserReadUsingObjectId',
  jwtIssuer: 'JwtIssuer',
  sessionNoop: 'SM-Noop',
  sessionAad: 'SM-AAD',
  redeemRefreshToken: 'RedeemRefreshToken',
  tokenSigningKey: 'B2C_1A_TokenSigningKeyContainer',
} as const;

/** Claims exchange ids of the journeys (the sign-in page's SignUpTarget names the sign-up one). */
export const B2C_LAYER_EXCHANGES = {
  signIn: 'LocalAccountSigninEmailExchange',
  signUp: 'SignUpWithLogonEmailExchange',
  readUser: 'AADUserReadWithObjectId',
  resetDiscovery: 'PasswordResetUsingEmailAddressExchange',
  resetNewCredentials: 'NewCredentials',
} as const;

export const B2C_PROVIDER_HANDLERS = {
  restful: 'Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null',
  azureActiveDirectory: 'Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null',
  selfAsserted: 'Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null',
} as const;

/** The weak-password allowance B2C demands on a profile that writes a legacy password (reference §9.3). */
export const B2C_LEGACY_PASSWORD_POLICIES = 'DisablePasswordExpiration, DisableStrongPassword';
