/**
 * The AzureActiveDirectoryProvider against the stand-in directory: Read and Write by the profile's first
 * input claim (objectId, signInNames.emailAddress or userPrincipalName), persisted claims written under their
 * PartnerClaimType, extension claims resolved through AAD-Common's ClientId. Errors carry B2C's default
 * messages unless the profile's metadata overrides them.
 */
import { claimValue, type ClaimsBag } from './claims';
import { type B2cDirectory, type B2cUser, type B2cUserChanges, type NewB2cUser, extensionAttribute } from './directory';
import { missingRequiredClaim, type ProviderResult } from './providerResult';
import { B2cPolicyError, type ClaimRef, type TechnicalProfile } from './technicalProfile';

const NOT_FOUND = 'An account could not be found for the provided user ID.';
const ALREADY_EXISTS = 'A user with the specified ID already exists. Please choose a different one.';
const WEAK_PASSWORD = 'The password does not meet the complexity requirements. Please provide a different password.';

type Attribute = 'objectId' | 'userPrincipalName' | 'email' | 'password' | 'passwordPolicies' | 'displayName' | 'givenName' | 'surname' | 'accountEnabled' | 'otherMails' | 'newClaimsPrincipalCreated';
const ATTRIBUTES: Readonly<Record<string, Attribute>> = {
  objectid: 'objectId',
  userprincipalname: 'userPrincipalName',
  'signinnames.emailaddress': 'email',
  password: 'password',
  passwordpolicies: 'passwordPolicies',
  displayname: 'displayName',
  givenname: 'givenName',
  surname: 'surname',
  accountenabled: 'accountEnabled',
  othermails: 'otherMails',
  newclaimsprincipalcreated: 'newClaimsPrincipalCreated',
};
const KEYS: readonly Attribute[] = ['objectId', 'email', 'userPrincipalName'];

export function runAadProfile(profile: TechnicalProfile, bag: ClaimsBag, directory: B2cDirectory): ProviderResult {
  const attributeOf = attributeResolver(profile);
  const keyRef = profile.inputClaims[0];
  if (keyRef === undefined) throw new B2cPolicyError(`${profile.id}: an AAD profile needs an input claim to find the user by`);
  const keyAttribute = attributeOf(keyRef.partner);
  if (typeof keyAttribute !== 'string' || !KEYS.includes(keyAttribute)) throw new B2cPolicyError(`${profile.id}: the AAD provider cannot find a user by ${keyRef.partner}`);
  const keyValue = claimValue(keyRef, bag);
  if (keyValue === undefined && keyRef.required) return missingRequiredClaim(profile, keyRef.claim);
  const existing = keyValue === undefined ? undefined : findBy(directory, keyAttribute, keyValue);
  const flag = (key: string) => profile.metadata.get(key)?.toLowerCase() === 'true';
  const operation = profile.metadata.get('Operation');

  if (existing === undefined && flag('RaiseErrorIfClaimsPrincipalDoesNotExist')) {
    return { ok: false, userMessage: profile.metadata.get('UserMessageIfClaimsPrincipalDoesNotExist') ?? NOT_FOUND };
  }
  if (existing !== undefined && flag('RaiseErrorIfClaimsPrincipalAlreadyExists')) {
    return { ok: false, userMessage: profile.metadata.get('UserMessageIfClaimsPrincipalAlreadyExists') ?? ALREADY_EXISTS };
  }
  if (operation === 'Read') return { ok: true, answer: existing === undefined ? new Map() : readAnswer(profile.outputClaims, existing, attributeOf, false) };
  if (operation !== 'Write') throw new B2cPolicyError(`${profile.id}: AAD Operation ${operation ?? '(none)'} is not modelled by the stand-in`);

  const writes = persistedValues(profile, bag, attributeOf);
  if (existing === undefined && keyAttribute === 'objectId') throw new B2cPolicyError(`${profile.id}: cannot create a user by objectId`);
  const target: B2cUserChanges = existing ?? (keyAttribute === 'email' && keyValue !== undefined ? { email: keyValue } : {});
  const updated: B2cUserChanges = { ...target, ...writes };
  if (writes.password !== undefined && !(updated.passwordPolicies ?? '').includes('DisableStrongPassword') && !isStrongPassword(writes.password)) {
    return { ok: false, userMessage: WEAK_PASSWORD };
  }
  if (existing !== undefined) {
    return { ok: true, answer: readAnswer(profile.outputClaims, directory.update(existing.objectId, writes), attributeOf, false) };
  }
  for (const required of ['email', 'password', 'displayName'] as const) {
    if (updated[required] === undefined) return { ok: false, userMessage: `${profile.id}: cannot create a local account without ${required === 'email' ? 'signInNames.emailAddress' : required}` };
  }
  // Complete now: the email key (or a persisted one), password and displayName were checked just above.
  const created = directory.create(updated as NewB2cUser);
  return { ok: true, answer: readAnswer(profile.outputClaims, created, attributeOf, true) };
}

type ResolvedAttribute = Attribute | { readonly extension: `extension_${string}` };

function attributeResolver(profile: TechnicalProfile): (partner: string) => ResolvedAttribute {
  return (partner) => {
    const known = ATTRIBUTES[partner.toLowerCase()];
    if (known !== undefined) return known;
    if (partner.startsWith('extension_')) {
      const clientId = profile.metadata.get('ClientId');
      if (clientId === undefined || profile.metadata.get('ApplicationObjectId') === undefined) {
        throw new B2cPolicyError(`${profile.id}: ${partner} is an extension attribute, but AAD-Common has no ClientId / ApplicationObjectId metadata`);
      }
      return { extension: extensionAttribute(clientId, partner.slice('extension_'.length)) };
    }
    throw new B2cPolicyError(`${profile.id}: ${partner} is not a directory attribute the stand-in knows`);
  };
}

function findBy(directory: B2cDirectory, attribute: Attribute, value: string): B2cUser | undefined {
  if (attribute === 'objectId') return directory.get(value);
  if (attribute === 'email') return directory.findByEmail(value);
  return directory.findByUserPrincipalName(value);
}

function readAnswer(outputs: readonly ClaimRef[], user: B2cUser, attributeOf: (partner: string) => ResolvedAttribute, created: boolean): Map<string, string> {
  const answer = new Map<string, string>();
  for (const ref of outputs) {
    // An output claim that only sets a value (authenticationSource) is no attribute: its default applies.
    if (ref.defaultValue !== undefined && ATTRIBUTES[ref.partner.toLowerCase()] === undefined && !ref.partner.startsWith('extension_')) continue;
    const attribute = attributeOf(ref.partner);
    let value: string | boolean | undefined;
    if (typeof attribute !== 'string') value = user[attribute.extension];
    else if (attribute === 'newClaimsPrincipalCreated') value = created;
    else if (attribute === 'accountEnabled') value = true;
    else if (attribute === 'password') throw new B2cPolicyError('the AAD provider never returns a password');
    else if (attribute !== 'otherMails') value = user[attribute];
    if (value !== undefined) answer.set(ref.partner, String(value));
  }
  return answer;
}

function persistedValues(profile: TechnicalProfile, bag: ClaimsBag, attributeOf: (partner: string) => ResolvedAttribute): B2cUserChanges {
  const writes: B2cUserChanges = {};
  for (const ref of profile.persistedClaims) {
    const value = claimValue(ref, bag);
    const attribute = attributeOf(ref.partner);
    if (value === undefined) continue;
    if (typeof attribute !== 'string') writes[attribute.extension] = value === 'true' ? true : value === 'false' ? false : value;
    else if (attribute === 'objectId' || attribute === 'userPrincipalName') continue; // the key, not a change
    else if (attribute === 'accountEnabled' || attribute === 'otherMails' || attribute === 'newClaimsPrincipalCreated') throw new B2cPolicyError(`${profile.id}: the stand-in does not write ${ref.partner}`);
    else writes[attribute] = value;
  }
  return writes;
}

/** Entra's strong-password rule: 8 to 256 characters, three of lower case, upper case, digits, symbols. */
function isStrongPassword(password: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(password)).length;
  return password.length >= 8 && password.length <= 256 && classes >= 3;
}
