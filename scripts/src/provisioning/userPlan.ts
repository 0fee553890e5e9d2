/**
 * From an exported legacy user to the Graph user that stands in for it until its first sign-in: pure and
 * free of secrets. The password, the userPrincipalName and the mailNickname are chosen at send time.
 *
 * Body per user-post-users and the JIT guide ([JIT-DOC] 1.3, docs/entra-contracts.md#migration-flag): a local account with an
 * `emailAddress` identity issued by the tenant domain, `forceChangePasswordNextSignIn: false` (else the JIT
 * callout never runs) and the Boolean migration flag set to true on the user itself.
 */
import { isEmailAddress, MAX_PROFILE_LENGTHS, normalizeUsername } from '../../../function/src/legacy';
import type { ExportRow, ExportedUser } from '../legacyExport/types';
import type { ValueChange } from './errorReport';
import type { Failure } from './outcomes';
import type { ProvisioningTarget } from './target';
import { userShapeFor } from './userShape';
import { planMethods, type PlannedMethods } from './methodPlan';
import { EXTENSION_ATTRIBUTE } from '../../../lib/ids/extensionAttribute';

export interface UserDraft {
  readonly record: number;
  readonly username: string;
  /**
   * The sign-in email, normalized as every look-up normalizes it (normalize.ts): the `emailAddress` identity and the key for duplicates.
   * For a B2C username account (`signInType: userName`) the username instead: the `userName` identity, looked up the same way.
   */
  readonly email: string;
  /** Set for a B2C username account only: its identity is `userName`, not `emailAddress`. */
  readonly signInType?: 'userName';
  /** `--mfa-methods`: the methods to register once the user exists. */
  readonly methods?: PlannedMethods;
  /** The create body without passwordProfile, userPrincipalName and mailNickname. */
  readonly profile: Readonly<Record<string, unknown>>;
  /** Values of the export this body carries changed (the error report lists each). */
  readonly changes: readonly ValueChange[];
}

export type PlannedRow =
  | { readonly ok: true; readonly draft: UserDraft }
  | { readonly ok: false; readonly record: number; readonly username?: string; readonly failure: Failure };

/** objectIdentity: issuerAssignedId has a 64 character limit and must be a valid email for `emailAddress`. */
const MAX_SIGN_IN_NAME = 64;
/** Writable user properties a mapping may target (user resource); single strings unless listed as collections. */
const STRING_PROPERTIES = [
  'givenName', 'surname', 'mail', 'jobTitle', 'department', 'companyName', 'city', 'country', 'state', 'streetAddress',
  'postalCode', 'usageLocation', 'preferredLanguage', 'employeeId', 'mobilePhone', 'officeLocation',
];
const COLLECTION_PROPERTIES = ['otherMails', 'businessPhones'];
/** What this command owns: a mapping that sets these could unflag the user, or sign them in with a known password. */
const RESERVED = ['id', 'accountEnabled', 'displayName', 'identities', 'passwordProfile', 'passwordPolicies', 'userPrincipalName', 'mailNickname', 'creationType'];
/** Graph's lengths (user resource), which the legacy stores keep to as well. */
const MAX_NAME_PART = MAX_PROFILE_LENGTHS.givenName;
const MAX_DISPLAY_NAME = MAX_PROFILE_LENGTHS.displayName;

export { isEmailAddress };

export function planUser(row: ExportRow, target: ProvisioningTarget): PlannedRow {
  if (!row.ok) {
    return { ok: false, record: row.record, username: row.username, failure: { code: 'invalid-row', reason: row.reason } };
  }
  const { user } = row;
  const refuse = (failure: Failure): PlannedRow => ({ ok: false, record: user.record, username: user.username, failure });

  const usernameAccount = user.b2c?.signInType === 'userName';
  const { email, change: emailChange } = usernameAccount ? { email: user.username, change: undefined } : signInEmail(user);
  if (email === undefined) {
    const tenantKind = userShapeFor(target.platform).tenantKind;
    return refuse({ code: 'no-email', reason: `the record has no email address: ${tenantKind} local accounts sign in with their email; add one to the export (or map the email column)` });
  }
  if (!usernameAccount && !isEmailAddress(email)) return refuse({ code: 'invalid-email', reason: `"${email}" is not a valid email address: correct it in the export` });
  if (email.length > MAX_SIGN_IN_NAME) {
    return refuse({ code: 'invalid-email', reason: `the email is ${email.length} characters long and Graph allows ${MAX_SIGN_IN_NAME} in a sign-in name: give the user a shorter email` });
  }

  const attributes = mappedAttributes(user, target.migrationProperty);
  if (!attributes.ok) return refuse(attributes.failure);
  for (const [name, value] of [['givenName', user.givenName], ['surname', user.surname]] as const) {
    if (value !== undefined && value.trim().length > MAX_NAME_PART) {
      return refuse({ code: 'invalid-attribute', reason: `${name} is longer than Graph's ${MAX_NAME_PART} characters: shorten it in the export` });
    }
  }

  const displayName = displayNameOf(user, email);
  const profile: Record<string, unknown> = {
    // A disabled legacy account stays disabled: Entra then refuses it before any password is checked.
    // Locked accounts stay enabled: locks are temporary, and the JIT function answers Block while one holds.
    accountEnabled: user.status !== 'disabled',
    displayName: displayName.value,
    identities: [{ signInType: usernameAccount ? 'userName' : 'emailAddress', issuer: target.domain, issuerAssignedId: email }],
    passwordPolicies: 'DisablePasswordExpiration',
    ...attributes.values,
  };
  if (nonBlank(user.givenName)) profile.givenName = user.givenName.trim();
  if (nonBlank(user.surname)) profile.surname = user.surname.trim();
  profile[target.migrationProperty] = true;
  // The join key between the two tenants (status, reconcile and finish read it back).
  if (target.b2cObjectIdProperty !== undefined && user.b2c !== undefined) profile[target.b2cObjectIdProperty] = user.b2c.objectId;
  const methods = planMethods(user, usernameAccount ? undefined : email, target.mfaMethods);
  const changes = [emailChange, displayName.change, methods.change].filter((change) => change !== undefined);
  return {
    ok: true,
    draft: {
      record: user.record,
      username: user.username,
      email,
      ...(usernameAccount ? { signInType: 'userName' as const } : {}),
      ...(methods.planned ? { methods: methods.planned } : {}),
      profile,
      changes: changes.length === 0 ? NO_CHANGES : changes,
    },
  };
}

const NO_CHANGES: readonly ValueChange[] = Object.freeze([]);

/**
 * The sign-in name Entra will send the JIT function: the username when it is an email, else the email
 * field, both normalized as every look-up normalizes them (the reader has done so for the username already). Trimming and lower-casing go without a
 * word (Entra compares email sign-in names case-insensitively); any other change (NFKC: full-width or
 * compatibility characters) is reported.
 */
function signInEmail(user: ExportedUser): { email?: string; change?: ValueChange } {
  const username = normalizeUsername(user.username);
  if (isEmailAddress(username)) return { email: username };
  if (!nonBlank(user.email)) return {};
  const email = normalizeUsername(user.email);
  if (email === user.email.trim().toLowerCase()) return { email };
  return {
    email,
    change: {
      code: 'normalized-email',
      reason: `the email "${user.email.trim()}" became the sign-in name "${email}" (Unicode NFKC, as every look-up normalizes it): correct the export if that is not the user's address`,
    },
  };
}

function displayNameOf(user: ExportedUser, email: string): { value: string; change?: ValueChange } {
  const fullName = [user.givenName, user.surname].filter(nonBlank).map((part) => part.trim()).join(' ');
  const name = nonBlank(user.displayName) ? user.displayName.trim() : fullName !== '' ? fullName : (email.split('@')[0] as string);
  if (name.length <= MAX_DISPLAY_NAME) return { value: name };
  // Never half a surrogate pair.
  const cut = name.slice(0, /[\uD800-\uDBFF]/.test(name[MAX_DISPLAY_NAME - 1] ?? '') ? MAX_DISPLAY_NAME - 1 : MAX_DISPLAY_NAME).trimEnd();
  return {
    value: cut,
    change: {
      code: 'shortened-display-name',
      reason: `the display name is ${name.length} characters long and Graph allows ${MAX_DISPLAY_NAME}: it was cut to its first ${cut.length}; shorten it in the export to choose the text`,
    },
  };
}

type MappedAttributes = { ok: true; values: Record<string, unknown> } | { ok: false; failure: Failure };

function mappedAttributes(user: ExportedUser, migrationProperty: string): MappedAttributes {
  const values: Record<string, unknown> = {};
  const invalid = (reason: string): MappedAttributes => ({ ok: false, failure: { code: 'invalid-attribute', reason } });
  for (const [name, value] of Object.entries(user.attributes)) {
    if (RESERVED.includes(name) || name.toLowerCase() === migrationProperty.toLowerCase()) {
      return invalid(`the mapping sets ${name}, which provision-users controls: remove ${name} from the field mapping`);
    }
    if (EXTENSION_ATTRIBUTE.test(name)) {
      values[name] = value;
    } else if (STRING_PROPERTIES.includes(name)) {
      if (typeof value === 'boolean') return invalid(`${name} must be text, not ${value}: fix the mapping or the export`);
      values[name] = String(value);
    } else if (COLLECTION_PROPERTIES.includes(name)) {
      if (typeof value !== 'string') return invalid(`${name} must be text, not ${value}: fix the mapping or the export`);
      values[name] = [value];
    } else {
      const known = [...STRING_PROPERTIES, ...COLLECTION_PROPERTIES].find((property) => property.toLowerCase() === name.toLowerCase());
      const fix = known
        ? `spell it ${known}`
        : `map it to a user property (${STRING_PROPERTIES.slice(2, 6).join(', ')}…) or to a custom attribute extension_<appId>_${name.replace(/\W/g, '')}`;
      return invalid(`"${name}" is not a Graph user property this command can set: ${fix}`);
    }
  }
  return { ok: true, values };
}

function nonBlank(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
