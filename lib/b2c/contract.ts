/**
 * The REST contract between the generated B2C custom policies and the function's B2C endpoints: one copy,
 * read by the policy generator (what the XML sends and expects), by the function's request and response
 * adapters, and by the B2C stand-in the sandbox and the tests use. B2C sends claims as flat JSON keyed by
 * `PartnerClaimType` (SendClaimsIn=Body) and maps a 200 body's keys onto output claims; an error is a 409
 * with `version`, `status` and `userMessage` (docs/b2c-contracts.md).
 */

/** Routes under the function app's `/api` prefix. */
export const B2C_ROUTES = {
  signIn: 'b2c/signin',
  signUp: 'b2c/signup',
  passwordReset: 'b2c/password-reset',
  health: 'b2c/health',
} as const;

export type B2cRoute = (typeof B2C_ROUTES)[keyof typeof B2C_ROUTES];

/** JSON keys (B2C `PartnerClaimType`s) of the requests and the 200 answers. */
export const B2C_CLAIMS = {
  signInName: 'signInName',
  password: 'password',
  email: 'email',
  objectId: 'objectId',
  migrationOutcome: 'migrationOutcome',
  displayName: 'displayName',
  givenName: 'givenName',
  surname: 'surname',
} as const;

/** The profile claims a 200 may carry, each only when the legacy store knows it (B2C refuses nulls). */
export const B2C_PROFILE_CLAIMS = ['email', 'displayName', 'givenName', 'surname'] as const;
export type B2cProfileClaim = (typeof B2C_PROFILE_CLAIMS)[number];

/**
 * `migrationOutcome` values: `migrated` = the legacy store vouched for the user (the password on sign-in,
 * the verified email on reset) and the policy writes or creates the B2C account; `notLegacy` = the legacy
 * store has nothing to hand over and the policy goes on as plain B2C.
 */
export const B2C_MIGRATION_OUTCOMES = ['migrated', 'notLegacy'] as const;
export type B2cMigrationOutcome = (typeof B2C_MIGRATION_OUTCOMES)[number];

/** The `version` of every 409 body. */
export const B2C_ERROR_VERSION = '1.0.0';

/** B2C's `AuthenticationType` per `B2cApiAuth` setting / `--auth` value. */
export const B2C_AUTH_TYPES = {
  bearer: 'Bearer',
  basic: 'Basic',
  clientCertificate: 'ClientCertificate',
  apiKey: 'ApiKeyHeader',
} as const;
export type B2cApiAuth = keyof typeof B2C_AUTH_TYPES;

/**
 * The default (README "B2C mode", docs/b2c-contracts.md#caller-authentication): a ≥ 32-byte secret compared in
 * constant time costs B2C no extra round trip and depends on no preview feature; `bearer` keeps the secret
 * out of the function but adds a token request to every sign-in, `clientCertificate` depends on platform
 * enforcement Flex Consumption does not document.
 */
export const DEFAULT_B2C_API_AUTH: B2cApiAuth = 'basic';

/** The shortest shared secret (Basic password, API key, retry key) the function accepts: guessing it must not pay. */
export const MIN_B2C_SHARED_SECRET_BYTES = 32;

/** The migration flag's name on the b2c-extensions-app (`extension_<app id without dashes>_requiresMigration`). */
export const B2C_MIGRATION_FLAG = 'requiresMigration';

/** The 200 body of the sign-in and password-reset endpoints. */
export type B2cMigrationAnswer = { readonly migrationOutcome: B2cMigrationOutcome } & Partial<Record<B2cProfileClaim, string>>;

/** Every 4xx body B2C shows inline (the REST technical profile runs as a validation technical profile). */
export interface B2cErrorBody {
  readonly version: typeof B2C_ERROR_VERSION;
  readonly status: 409;
  readonly userMessage: string;
}
