/**
 * `/users`: create (user-post-users), get, list with `$filter`/`$select`/`$top`, `$count`, update, delete.
 * Local accounts follow objectIdentity: `emailAddress` ids are email addresses, `userName` ids are
 * alphanumeric with - or _, at most 64 characters; issuer+issuerAssignedId is unique in the tenant.
 * `identities` and extension attributes are returned only on `$select`, as Graph does.
 */
import { randomUUID } from 'node:crypto';
import type { Directory } from '../directory';
import { filterFor, isAdvancedQuery, page, project, rejectUnsupportedOptions, selectedProperties, type CollectionQueryRules } from '../query';
import { checkIdentitiesFilter, issuerIgnoredForLocalAccounts } from './userFilters';
import { asObject, badRequest, json, noContent, notFound, type EmulatedRequest, type Json } from '../protocol';
import { PERMISSIONS, route, type Route } from '../router';
import {
  invalidValue,
  isEmail,
  isObject,
  meetsPasswordComplexity,
  optionalBoolean,
  optionalString,
  rejectUnknownProperties,
  requireBoolean,
  requireString,
  requireValue,
} from '../shapes';
import { EXTENSION_ATTRIBUTE } from '../../../../lib/ids/extensionAttribute';

const WRITABLE = new Set([
  'accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'userPrincipalName', 'identities',
  'passwordProfile', 'passwordPolicies', 'creationType', 'otherMails', 'jobTitle', 'department', 'companyName', 'city',
  'country', 'usageLocation', 'preferredLanguage', 'employeeId', 'userType', 'mobilePhone', 'businessPhones',
  'officeLocation', 'streetAddress', 'postalCode', 'state',
]);
/** `lastPasswordChangeDateTime`: set when the user is created and whenever a password is written (user resource). */
const READ_ONLY = ['id', 'createdDateTime', 'lastPasswordChangeDateTime'];
/** v1.0 default properties of a user (user resource "Properties" note). */
const DEFAULT_SELECT = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];
const FILTERABLE = new Set(['id', 'displayname', 'accountenabled', 'userprincipalname', 'mail', 'mailnickname', 'givenname', 'surname', 'creationtype', 'identities', 'othermails', 'usertype', 'employeeid', 'createddatetime']);
const DUPLICATE_IDENTITY = 'Another object with the same value for property identities already exists.';
const COMPLEXITY = 'The specified password does not comply with password complexity requirements. Please provide a different password.';

export const userRoutes: Route[] = [
  route('GET', 'users/$count', PERMISSIONS.usersRead, ({ directory }, request) => countUsers(directory, request)),
  route('GET', 'users', PERMISSIONS.usersRead, ({ directory }, request) => listUsers(directory, request)),
  route('POST', 'users', PERMISSIONS.usersWrite, ({ directory }, request) => createUser(directory, request)),
  route('GET', 'users/:id', PERMISSIONS.usersRead, ({ directory }, request, { id }) => getUser(directory, request, id as string)),
  route('PATCH', 'users/:id', PERMISSIONS.usersWrite, ({ directory }, request, { id }) => updateUser(directory, request, id as string)),
  route('DELETE', 'users/:id', PERMISSIONS.usersWrite, ({ directory }, _request, { id }) => {
    const user = findUser(directory, id as string);
    directory.users.delete(user.id as string);
    return noContent();
  }),
];

function createUser(directory: Directory, request: EmulatedRequest) {
  return json(201, representation(insertUser(directory, asObject(request.body, 'User'))));
}

/** POST /users without HTTP (the emulator's in-process writes): the same checks, the stored record back. */
export function insertUser(directory: Directory, body: Json): Json {
  rejectUnknownProperties(body, WRITABLE, (name) => EXTENSION_ATTRIBUTE.test(name));
  requireString(body, 'displayName', 'User');
  requireBoolean(body, 'accountEnabled', 'User');
  const passwordPolicies = checkPasswordPolicies(body.passwordPolicies);
  const passwordProfile = checkPasswordProfile(requireValue(body, 'passwordProfile', 'User'), passwordPolicies, true);
  const id = randomUUID();
  const now = directory.clock().toISOString();
  if (body.identities === undefined) {
    requireString(body, 'userPrincipalName', 'User');
    requireString(body, 'mailNickname', 'User', 64);
  }
  const identities = body.identities === undefined ? [] : checkIdentities(directory, body.identities, undefined);
  const userPrincipalName = body.userPrincipalName === undefined ? `${id}@${directory.tenantDomain}` : checkUserPrincipalName(directory, body.userPrincipalName, undefined);
  checkOtherProperties(body);
  const extensions = checkExtensionAttributes(directory, body);

  const user: Json = {
    id,
    businessPhones: [],
    givenName: null,
    jobTitle: null,
    mail: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    creationType: identities.some(isLocalIdentity) ? 'LocalAccount' : null,
    userType: 'Member',
    createdDateTime: now,
    lastPasswordChangeDateTime: now,
    ...withoutExtensions(body),
    passwordProfile,
    userPrincipalName,
    identities: [...identities, upnIdentity(directory, userPrincipalName)],
  };
  applyExtensions(user, extensions);
  directory.users.set(id, user);
  directory.created(id);
  return user;
}

function getUser(directory: Directory, request: EmulatedRequest, key: string) {
  rejectUnsupportedOptions(request, ['$select']);
  const user = findUser(directory, key);
  if (directory.isReplicating(user.id as string)) throw missing(key);
  return json(200, project(representation(user), selectedProperties(request, (name) => isSelectable(directory, name), 'user'), DEFAULT_SELECT));
}

function listUsers(directory: Directory, request: EmulatedRequest) {
  rejectUnsupportedOptions(request, ['$filter', '$select', '$top', '$count', '$skiptoken']);
  const selected = selectedProperties(request, (name) => isSelectable(directory, name), 'user');
  const predicate = filterFor(request, queryRules(directory));
  const matching = [...directory.users.values()].filter(predicate);
  const { value, nextLink } = page(request, matching, 999);
  const body: Json = { '@odata.context': `${request.serviceRoot}/$metadata#users` };
  // Without the advanced-query header Graph silently ignores $count=true (aad-advanced-queries).
  if (request.query.get('$count') === 'true' && isAdvancedQuery(request)) body['@odata.count'] = matching.length;
  body.value = value.map((user) => project(representation(user), selected, DEFAULT_SELECT));
  if (nextLink) body['@odata.nextLink'] = nextLink;
  return json(200, body);
}

function countUsers(directory: Directory, request: EmulatedRequest) {
  rejectUnsupportedOptions(request, ['$filter']);
  if (!isAdvancedQuery(request)) throw badRequest('$count is not currently supported.');
  const predicate = filterFor(request, queryRules(directory));
  return { status: 200, text: String([...directory.users.values()].filter(predicate).length) };
}

function updateUser(directory: Directory, request: EmulatedRequest, key: string) {
  findUser(directory, key); // an unknown user is a 404 before a malformed body is a 400
  patchUser(directory, key, asObject(request.body, 'User'));
  return noContent();
}

/** PATCH /users/{id} without HTTP (the emulator's in-process writes): the same checks. */
export function patchUser(directory: Directory, key: string, body: Json): void {
  const user = findUser(directory, key);
  rejectUnknownProperties(body, WRITABLE, (name) => EXTENSION_ATTRIBUTE.test(name));
  if (body.displayName !== undefined) requireString(body, 'displayName', 'User');
  if (body.accountEnabled !== undefined) requireBoolean(body, 'accountEnabled', 'User');
  const passwordPolicies = body.passwordPolicies === undefined ? (user.passwordPolicies as string | undefined) : checkPasswordPolicies(body.passwordPolicies);
  const passwordProfile = body.passwordProfile === undefined ? undefined : checkPasswordProfile(body.passwordProfile, passwordPolicies, false);
  const userPrincipalName = body.userPrincipalName === undefined ? (user.userPrincipalName as string) : checkUserPrincipalName(directory, body.userPrincipalName, user.id as string);
  const identities =
    body.identities === undefined
      ? ((user.identities as Json[]).filter((identity) => identity.signInType !== 'userPrincipalName'))
      : checkIdentities(directory, body.identities, user.id as string);
  checkOtherProperties(body);
  const extensions = checkExtensionAttributes(directory, body);

  Object.assign(user, withoutExtensions(body), { userPrincipalName, identities: [...identities, upnIdentity(directory, userPrincipalName)] });
  if (passwordProfile) user.passwordProfile = { ...(user.passwordProfile as Json | undefined), ...passwordProfile };
  if (passwordProfile?.password !== undefined) user.lastPasswordChangeDateTime = directory.clock().toISOString();
  applyExtensions(user, extensions);
}

function queryRules(directory: Directory): CollectionQueryRules {
  return {
    resource: 'User',
    maxTop: 999,
    isFilterable: (name) => FILTERABLE.has(name.toLowerCase()) || directory.userExtensionProperty(name) !== undefined,
    checkFilter: checkIdentitiesFilter,
    rewrite: issuerIgnoredForLocalAccounts,
  };
}

function findUser(directory: Directory, key: string): Json {
  const byId = directory.users.get(key);
  if (byId) return byId;
  const lower = key.toLowerCase();
  const byName = [...directory.users.values()].find((user) => String(user.userPrincipalName).toLowerCase() === lower);
  if (!byName) throw missing(key);
  return byName;
}

function missing(key: string) {
  return notFound(`Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
}

function isSelectable(directory: Directory, name: string): boolean {
  return WRITABLE.has(name) || READ_ONLY.includes(name) || DEFAULT_SELECT.includes(name) || directory.userExtensionProperty(name) !== undefined;
}

/** Graph never returns the password. */
function representation(user: Json): Json {
  return { ...user, passwordProfile: null };
}

const isLocalIdentity = (identity: Json): boolean => /^(emailAddress|userName)/.test(String(identity.signInType));

function identityKey(identity: Json): string {
  const id = String(identity.issuerAssignedId).toLowerCase();
  return isLocalIdentity(identity) ? `local|${id}` : `${String(identity.issuer).toLowerCase()}|${id}`;
}

function checkIdentities(directory: Directory, value: unknown, userId: string | undefined): Json[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidValue('identities', 'User', 'identities must be a non-empty array of objectIdentity.');
  const identities: Json[] = [];
  const seen = new Set<string>();
  for (const item of value) {
    if (!isObject(item)) throw invalidValue('identities', 'User');
    rejectUnknownProperties(item, new Set(['signInType', 'issuer', 'issuerAssignedId']));
    const signInType = requireString(item, 'signInType', 'objectIdentity');
    const issuer = requireString(item, 'issuer', 'objectIdentity', 512);
    const issuerAssignedId = requireString(item, 'issuerAssignedId', 'objectIdentity', 64);
    if (signInType === 'userPrincipalName') continue; // maintained from userPrincipalName below
    if (signInType.startsWith('emailAddress') && !isEmail(issuerAssignedId)) throw invalidValue('issuerAssignedId', 'objectIdentity', 'It must be a valid email address.');
    if (signInType === 'userName' && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(issuerAssignedId)) {
      throw invalidValue('issuerAssignedId', 'objectIdentity', 'A userName starts with a letter or digit and contains only letters, digits, - and _.');
    }
    const identity = { signInType, issuer, issuerAssignedId };
    if (seen.has(identityKey(identity))) throw badRequest(DUPLICATE_IDENTITY);
    seen.add(identityKey(identity));
    identities.push(identity);
  }
  for (const other of directory.users.values()) {
    if (other.id === userId) continue;
    for (const identity of other.identities as Json[]) if (seen.has(identityKey(identity))) throw badRequest(DUPLICATE_IDENTITY);
  }
  return identities;
}

function upnIdentity(directory: Directory, userPrincipalName: string): Json {
  return { signInType: 'userPrincipalName', issuer: directory.tenantDomain, issuerAssignedId: userPrincipalName };
}

function checkUserPrincipalName(directory: Directory, value: unknown, userId: string | undefined): string {
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(value) || value.length > 113) throw invalidValue('userPrincipalName', 'User');
  const taken = [...directory.users.values()].some((user) => user.id !== userId && String(user.userPrincipalName).toLowerCase() === value.toLowerCase());
  if (taken) throw badRequest('Another object with the same value for property userPrincipalName already exists.');
  return value;
}

function checkPasswordPolicies(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const allowed = ['DisablePasswordExpiration', 'DisableStrongPassword', 'None'];
  if (typeof value !== 'string' || value.split(',').some((policy) => !allowed.includes(policy.trim()))) throw invalidValue('passwordPolicies', 'User');
  return value;
}

function checkPasswordProfile(value: unknown, passwordPolicies: string | undefined, creating: boolean): Json {
  if (!isObject(value)) throw invalidValue('passwordProfile', 'User');
  rejectUnknownProperties(value, new Set(['password', 'forceChangePasswordNextSignIn', 'forceChangePasswordNextSignInWithMfa']));
  const password = creating ? requireString(value, 'password', 'passwordProfile') : optionalString(value, 'password', 'passwordProfile', 256);
  optionalBoolean(value, 'forceChangePasswordNextSignIn', 'passwordProfile');
  optionalBoolean(value, 'forceChangePasswordNextSignInWithMfa', 'passwordProfile');
  const strongRequired = !(passwordPolicies ?? '').includes('DisableStrongPassword');
  if (typeof password === 'string' && strongRequired && !meetsPasswordComplexity(password)) throw badRequest(COMPLEXITY);
  return { ...value };
}

function checkOtherProperties(body: Json): void {
  for (const name of ['givenName', 'surname', 'mail', 'jobTitle', 'department', 'companyName', 'creationType', 'userType', 'employeeId']) {
    optionalString(body, name, 'User');
  }
  if (body.mail !== undefined && body.mail !== null && !isEmail(String(body.mail))) throw invalidValue('mail', 'User');
  if (body.mailNickname !== undefined && (typeof body.mailNickname !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(body.mailNickname))) {
    throw invalidValue('mailNickname', 'User');
  }
  if (body.otherMails !== undefined && (!Array.isArray(body.otherMails) || body.otherMails.some((mail) => typeof mail !== 'string'))) {
    throw invalidValue('otherMails', 'User');
  }
}

/** Extension attributes must be registered for User, with a value of the registered dataType (or null to clear). */
function checkExtensionAttributes(directory: Directory, body: Json): Array<[string, unknown]> {
  const checked: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(body)) {
    if (!EXTENSION_ATTRIBUTE.test(name)) continue;
    const definition = directory.userExtensionProperty(name);
    if (!definition) throw badRequest(`Property '${name}' does not exist as a declared property or extension property.`);
    const values = definition.isMultiValued && Array.isArray(value) ? value : [value];
    if (!values.every((item) => item === null || fitsDataType(item, String(definition.dataType)))) {
      throw badRequest(`Invalid value specified for property '${name}' of resource 'User': expected ${String(definition.dataType)}.`);
    }
    checked.push([String(definition.name), value]);
  }
  return checked;
}

function fitsDataType(value: unknown, dataType: string): boolean {
  switch (dataType) {
    case 'Boolean':
      return typeof value === 'boolean';
    case 'String':
      return typeof value === 'string' && value.length <= 256;
    case 'Integer':
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31;
    case 'LargeInteger':
      return Number.isInteger(value);
    case 'DateTime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'Binary':
      return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
    default:
      return false;
  }
}

function applyExtensions(user: Json, extensions: Array<[string, unknown]>): void {
  for (const [name, value] of extensions) {
    for (const key of Object.keys(user)) if (key.toLowerCase() === name.toLowerCase()) delete user[key];
    if (value !== null) user[name] = value;
  }
}

function withoutExtensions(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([name]) => !EXTENSION_ATTRIBUTE.test(name) && name !== 'passwordProfile' && name !== 'identities'));
}
