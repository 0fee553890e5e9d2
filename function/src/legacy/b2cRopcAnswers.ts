/**
 * What the B2C tenant's ROPC token endpoint answered, reduced to one outcome: the mapping table of README
 * "From Azure AD B2C to External ID" (keep the two together). Pure: status and body in, outcome out.
 *
 * Codes come from `error_codes` (login.microsoftonline.com) or from the code that opens `error_description`
 * (b2clogin.com sends no `error_codes`: `AADB2C90225: The username or password …`); the words after the code are
 * never read. A code not in the table is classified by the OAuth `error` value, as Microsoft's error reference
 * asks (learn.microsoft.com/entra/identity-platform/reference-error-codes: "use the `error` field … never use
 * `error_description` to respond to errors in code"), and an answer without one by its HTTP status.
 */

/** One outcome per row of the mapping table. */
export type RopcOutcome =
  /** 200 with tokens: the password is right. */
  | { readonly kind: 'valid' }
  /** Wrong password or unknown user, the same for both (no enumeration): Retry, counted for lockout. */
  | { readonly kind: 'invalid' }
  /** B2C refused without saying whether the password was right: Block with the refusal's own message. */
  | { readonly kind: 'refused'; readonly refusal: 'locked' | 'disabled' | 'password-reset-required' }
  /** B2C is shedding load: LegacyErrorAction, and a trip of the circuit breaker. */
  | { readonly kind: 'throttled' }
  /** 5xx, an answer outside the contract: LegacyErrorAction. */
  | { readonly kind: 'unavailable' }
  /** The app registration, policy or settings are wrong: LegacyErrorAction, `jit.legacyMisconfigured`, the health check. */
  | { readonly kind: 'misconfigured'; readonly setting: string; readonly fix: string };

export interface RopcAnswerRow {
  /** AADB2C codes as B2C writes them, AADSTS codes as numbers in `error_codes`. */
  readonly codes: readonly string[];
  readonly outcome: RopcOutcome;
  /** Where the code comes from (README cites it). */
  readonly source: string;
}

const misconfigured = (setting: string, fix: string): RopcOutcome => ({ kind: 'misconfigured', setting, fix });
const LOCKED: RopcOutcome = { kind: 'refused', refusal: 'locked' };
const RESET: RopcOutcome = { kind: 'refused', refusal: 'password-reset-required' };

/** The mapping table, by code. README "From Azure AD B2C to External ID" lists the same rows. */
export const ROPC_ANSWER_TABLE: readonly RopcAnswerRow[] = [
  { codes: ['AADB2C90225', 'AADB2C90053', '50126', '50034'], outcome: { kind: 'invalid' }, source: 'wrong password, unknown user' },
  { codes: ['50053', 'AADB2C90111', 'AADB2C90114'], outcome: LOCKED, source: 'locked (smart lockout, locked account)' },
  { codes: ['50057'], outcome: { kind: 'refused', refusal: 'disabled' }, source: 'account disabled' },
  // Microsoft does not document that these imply a correct password: Block with the reset message, never UpdatePassword.
  { codes: ['50055', '50125'], outcome: RESET, source: 'password expired, reset required' },
  // ROPC cannot do MFA or Conditional Access; whether the password was checked first is not documented.
  { codes: ['50076', '50079', '53003'], outcome: RESET, source: 'MFA or Conditional Access interrupts ROPC' },
  { codes: ['AADB2C90244', '50196'], outcome: { kind: 'throttled' }, source: 'throttled' },
  { codes: ['AADB2C90035', 'AADB2C90085'], outcome: { kind: 'unavailable' }, source: 'B2C service unavailable or internal error' },
  {
    codes: ['AADB2C90057'],
    outcome: misconfigured('LegacyB2cClientId', "the ROPC app does not allow the implicit flow: set oauth2AllowImplicitFlow to true in its manifest"),
    source: 'app not configured for the implicit flow',
  },
  {
    codes: ['AADB2C90058'],
    outcome: misconfigured('LegacyB2cClientId', 'the ROPC app is not a public client: set allowPublicClient to true (Allow public client flows) in its registration'),
    source: 'app not a public client',
  },
  {
    codes: ['AADB2C90224'],
    outcome: misconfigured('LegacyB2cPolicy', 'the resource owner flow is not enabled for this app: use an ROPC user flow or custom policy, and an app registered for it'),
    source: 'resource owner flow not enabled',
  },
  {
    codes: ['AADB2C90248'],
    outcome: misconfigured('LegacyB2cClientId', 'the ROPC app must be registered in the B2C tenant (App registrations of the B2C tenant)'),
    source: 'app not created through the B2C portal',
  },
  {
    codes: ['AADB2C90083', 'AADB2C90086'],
    outcome: misconfigured('LegacyB2cPolicy', 'the policy did not accept the ROPC request: set LegacyB2cPolicy to an ROPC user flow or custom policy'),
    source: 'missing parameter or grant type not supported by the policy',
  },
  {
    codes: ['700025'],
    outcome: misconfigured('LegacyB2cClientSecret', 'the app is a public client, which must not send a secret: remove LegacyB2cClientSecret or make the app confidential'),
    source: 'public client sent a secret',
  },
  {
    codes: ['7000218'],
    outcome: misconfigured('LegacyB2cClientSecret', 'the app is a confidential client: set LegacyB2cClientSecret to its secret (a Key Vault reference)'),
    source: 'confidential client sent no secret',
  },
  {
    codes: ['70002', '7000215'],
    outcome: misconfigured('LegacyB2cClientSecret', 'the client credentials were refused: check LegacyB2cClientId and that LegacyB2cClientSecret is the current secret'),
    source: 'invalid client or secret',
  },
  {
    codes: ['700011', '700016'],
    outcome: misconfigured('LegacyB2cClientId', 'the app is not registered in the B2C tenant: check LegacyB2cClientId and LegacyB2cTenant'),
    source: 'app not found in the directory',
  },
  {
    codes: ['65001'],
    outcome: misconfigured('LegacyB2cClientId', 'the ROPC app lacks consent: grant admin consent for openid and offline_access'),
    source: 'consent required',
  },
  {
    codes: ['90002'],
    outcome: misconfigured('LegacyB2cTenant', 'the tenant was not found: set it to the B2C tenant\'s *.onmicrosoft.com domain'),
    source: 'tenant not found',
  },
];

/** OAuth `error` values (RFC 6749 §5.2, Microsoft's additions) for codes the table does not know. */
const BY_ERROR: Readonly<Record<string, RopcOutcome>> = {
  // The resource owner's credentials were refused: a wrong password as far as we can tell.
  invalid_grant: { kind: 'invalid' },
  access_denied: { kind: 'invalid' },
  interaction_required: RESET,
  temporarily_unavailable: { kind: 'throttled' },
  server_error: { kind: 'unavailable' },
  invalid_client: misconfigured('LegacyB2cClientId', 'the client was refused (invalid_client): check LegacyB2cClientId, LegacyB2cClientSecret and LegacyB2cEndpoint'),
  unauthorized_client: misconfigured('LegacyB2cClientId', 'the app may not use the password grant (unauthorized_client): enable public client flows for it'),
  invalid_scope: misconfigured('LegacyB2cClientId', 'the scope was refused (invalid_scope): check LegacyB2cClientId'),
  unsupported_grant_type: misconfigured('LegacyB2cPolicy', 'the password grant is not supported here (unsupported_grant_type): check LegacyB2cPolicy and LegacyB2cEndpoint'),
  invalid_request: misconfigured('LegacyB2cPolicy', 'the token endpoint refused the request (invalid_request): check LegacyB2cTenant, LegacyB2cPolicy and LegacyB2cEndpoint'),
  consent_required: misconfigured('LegacyB2cClientId', 'the ROPC app lacks consent: grant admin consent for openid and offline_access'),
};

const BY_CODE: ReadonlyMap<string, RopcOutcome> = new Map(ROPC_ANSWER_TABLE.flatMap((row) => row.codes.map((code) => [code, row.outcome] as const)));

/** The code that opens `error_description`: `AADB2C90225:` or `AADSTS50126:`. Nothing after the colon is read. */
const LEADING_CODE = /^\s*(AADB2C\d{5}|AADSTS\d{5,7})\b/;

/** The outcome of one answer of the token endpoint. */
export function classifyRopcAnswer(status: number, text: string): RopcOutcome {
  const body = jsonObject(text);
  if (status === 200) return body && (isToken(body.access_token) || isToken(body.id_token)) ? { kind: 'valid' } : { kind: 'unavailable' };
  for (const code of answerCodes(body)) {
    const outcome = BY_CODE.get(code);
    if (outcome) return outcome;
  }
  if (status === 429) return { kind: 'throttled' };
  if (status >= 500) return { kind: 'unavailable' };
  const error = typeof body?.error === 'string' ? body.error : undefined;
  if (error !== undefined && Object.hasOwn(BY_ERROR, error)) return BY_ERROR[error]!;
  if (status === 401 || status === 403 || status === 404) {
    return misconfigured('LegacyB2cTenant', `the token endpoint answered HTTP ${status}: check LegacyB2cTenant, LegacyB2cPolicy and LegacyB2cTokenUrl`);
  }
  return { kind: 'unavailable' };
}

/** Every code the answer carries, the table's spelling: `error_codes` numbers, then the description's leading code. */
export function answerCodes(body: Record<string, unknown> | undefined): string[] {
  if (!body) return [];
  const codes: string[] = [];
  if (Array.isArray(body.error_codes)) for (const c of body.error_codes) if (typeof c === 'number' && Number.isInteger(c)) codes.push(String(c));
  const leading = typeof body.error_description === 'string' ? LEADING_CODE.exec(body.error_description)?.[1] : undefined;
  if (leading) codes.push(leading.startsWith('AADSTS') ? leading.slice('AADSTS'.length) : leading);
  return codes;
}

function isToken(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
