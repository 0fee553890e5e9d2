/**
 * What happens to each Azure AD B2C user in the move to External ID, decided from the user object alone (pure:
 * no I/O). The line written for a user that migrates is the export's contract with `provision-users --preset
 * b2c` (docs/export-b2c.md); a user that does not migrate becomes a report entry with its reason.
 *
 * Graph facts relied on (learn.microsoft.com/graph/api/resources/objectidentity; b2c-to-external-id.md
 * sections 6 and 7): local accounts sign in with an `emailAddress` (or `emailAddress…`) or `userName` identity;
 * social accounts carry `signInType: "federated"` with the provider as `issuer` (`facebook.com`); every user
 * also has a `userPrincipalName` identity; invited guests have `#EXT#` in their UPN.
 */
import type { ObjectIdentity, User } from '../../../lib/graph';

/** How a migrating user signs in to External ID. */
export type Classification = 'email' | 'username';

/** Why a user is not migrated; each is counted and listed in the report. */
export type NotMigratedReason = 'social' | 'guest' | 'username-only' | 'username-invalid' | 'no-local-identity';

export const NOT_MIGRATED_REASONS: readonly NotMigratedReason[] = ['social', 'guest', 'username-only', 'username-invalid', 'no-local-identity'];

/** One line of the export file (schema `jitmigrate.b2c-user/1`, docs/export-b2c.md). */
export interface ExportedB2cUser {
  readonly b2cObjectId: string;
  readonly classification: Classification;
  /** The sign-in name: the email for `email`, the username for `username`. */
  readonly username: string;
  /** The local email identity (absent for `username`). */
  readonly email?: string;
  readonly displayName?: string;
  readonly givenName?: string;
  readonly surname?: string;
  readonly mail?: string;
  readonly otherMails: readonly string[];
  readonly mobilePhone?: string;
  readonly accountEnabled: boolean;
  /** `disabled` when B2C has the account disabled: it is created disabled. */
  readonly status: 'active' | 'disabled';
  /** Social providers the user also signed in with: they move to External ID's own providers, not to this user. */
  readonly federatedIssuers?: readonly string[];
  /** The `--attributes` values, by short name (the part after `extension_<appId>_`); absent values are left out. */
  readonly extensionAttributes?: Readonly<Record<string, unknown>>;
}

/** One line of the report file: a user that is not migrated, and why. */
export interface NotMigratedUser {
  readonly b2cObjectId: string;
  readonly reason: NotMigratedReason;
  readonly displayName?: string;
  /** `social`: the providers (identity issuers). */
  readonly issuers?: readonly string[];
  /** `username-only`, `username-invalid`: the B2C username. */
  readonly username?: string;
  /** `guest`: the `#EXT#` user principal name. */
  readonly userPrincipalName?: string;
  /** `no-local-identity`: the sign-in types the user has (`phoneNumber`, …). */
  readonly signInTypes?: readonly string[];
  readonly accountEnabled: boolean;
}

export type ClassifiedUser = { readonly migrate: true; readonly user: ExportedB2cUser } | { readonly migrate: false; readonly entry: NotMigratedUser };

export interface ClassifyOptions {
  /** `--allow-usernames`: username-only local accounts migrate with a username identity (External ID preview). */
  readonly allowUsernames: boolean;
  /** `--attributes`: full B2C names (`extension_<appId>_<name>`) with the short name each is written under. */
  readonly attributes: readonly ExtensionAttribute[];
}

export interface ExtensionAttribute {
  readonly name: string;
  readonly shortName: string;
}

/** What provisioning needs (issue 16 section 2), plus the UPN that marks `#EXT#` guests. */
export const BASE_SELECT = ['id', 'accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'otherMails', 'mobilePhone', 'identities', 'userType', 'creationType', 'userPrincipalName'] as const;

/** External ID's `userName` identities: a letter or digit first, then letters, digits, - and _, at most 64 (objectIdentity). */
export const EXTERNAL_ID_USERNAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const GUEST_MARK = '#ext#';

export function classifyB2cUser(user: User, options: ClassifyOptions): ClassifiedUser {
  const id = String(user.id);
  const identities = identitiesOf(user);
  const accountEnabled = user.accountEnabled !== false;
  const displayName = text(user.displayName);
  const report = (reason: NotMigratedReason, extra: Partial<NotMigratedUser> = {}): ClassifiedUser => ({
    migrate: false,
    entry: { b2cObjectId: id, reason, ...(displayName === undefined ? {} : { displayName }), ...extra, accountEnabled },
  });

  const upn = guestPrincipalName(user, identities);
  if (upn !== undefined || text(user.userType)?.toLowerCase() === 'guest') return report('guest', upn === undefined ? {} : { userPrincipalName: upn });

  const federatedIssuers = unique(identities.filter((identity) => identity.signInType === 'federated').map((identity) => identity.issuer));
  const email = identities.find((identity) => /^emailAddress/i.test(identity.signInType));
  const username = identities.find((identity) => identity.signInType === 'userName');
  if (email !== undefined) return migrate(user, 'email', email.issuerAssignedId, federatedIssuers, options);
  if (username !== undefined) {
    if (!options.allowUsernames) return report('username-only', { username: username.issuerAssignedId });
    if (!EXTERNAL_ID_USERNAME.test(username.issuerAssignedId)) return report('username-invalid', { username: username.issuerAssignedId });
    return migrate(user, 'username', username.issuerAssignedId, federatedIssuers, options);
  }
  if (federatedIssuers.length > 0) return report('social', { issuers: federatedIssuers });
  return report('no-local-identity', { signInTypes: unique(identities.map((identity) => identity.signInType)) });
}

function migrate(user: User, classification: Classification, signInName: string, federatedIssuers: readonly string[], options: ClassifyOptions): ClassifiedUser {
  const accountEnabled = user.accountEnabled !== false;
  const extensionAttributes = extensionValues(user, options.attributes);
  const exported: ExportedB2cUser = {
    b2cObjectId: String(user.id),
    classification,
    username: signInName,
    ...optional('email', classification === 'email' ? signInName : undefined),
    ...optional('displayName', text(user.displayName)),
    ...optional('givenName', text(user.givenName)),
    ...optional('surname', text(user.surname)),
    ...optional('mail', text(user.mail)),
    otherMails: Array.isArray(user.otherMails) ? user.otherMails.filter((mail): mail is string => typeof mail === 'string') : [],
    ...optional('mobilePhone', text(user.mobilePhone)),
    accountEnabled,
    status: accountEnabled ? 'active' : 'disabled',
    ...(federatedIssuers.length > 0 ? { federatedIssuers } : {}),
    ...(Object.keys(extensionAttributes).length > 0 ? { extensionAttributes } : {}),
  };
  return { migrate: true, user: exported };
}

/** Graph spells an extension attribute as registered; match the requested name without regard to case. */
function extensionValues(user: User, attributes: readonly ExtensionAttribute[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const keys = Object.keys(user);
  for (const attribute of attributes) {
    const key = keys.find((candidate) => candidate.toLowerCase() === attribute.name.toLowerCase());
    const value = key === undefined ? undefined : (user as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) values[attribute.shortName] = value;
  }
  return values;
}

function guestPrincipalName(user: User, identities: readonly ObjectIdentity[]): string | undefined {
  const names = [text(user.userPrincipalName), ...identities.filter((identity) => identity.signInType === 'userPrincipalName').map((identity) => identity.issuerAssignedId)];
  return names.find((name) => name?.toLowerCase().includes(GUEST_MARK));
}

function identitiesOf(user: User): ObjectIdentity[] {
  if (!Array.isArray(user.identities)) return [];
  return user.identities.filter(
    (identity): identity is ObjectIdentity =>
      typeof identity === 'object' && identity !== null && typeof identity.signInType === 'string' && typeof identity.issuerAssignedId === 'string',
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value !== ''))];
}
