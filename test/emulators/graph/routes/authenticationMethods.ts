/**
 * A user's phone and email authentication methods (Graph: authentication-post-phonemethods,
 * authentication-post-emailmethods; b2c-to-external-id.md section 5): `POST` and `GET` of
 * `/users/{id}/authentication/phoneMethods` and `/emailMethods`. Phone numbers must be `+{country code}
 * {number}` (an extension as `x{ext}`), one phone per type, `mobile` before `alternateMobile`, one email method
 * per user; a method already there answers 409 "already registered". Kept beside the directory (a WeakMap),
 * not in it: no other route reads them.
 */
import type { Directory } from '../directory';
import { asObject, badRequest, EmulatorError, json, notFound, type EmulatedResponse, type Json } from '../protocol';
import { route, type Route } from '../router';

/** Graph's fixed method ids (phoneAuthenticationMethod, emailAuthenticationMethod). */
const PHONE_METHOD_IDS = { mobile: '3179e48a-750b-4051-897c-87b9720928f7', alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41', office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc' } as const;
const EMAIL_METHOD_ID = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';
const PHONE_FORMAT = /^\+\d{1,3} \d{1,14}(x\d{1,10})?$/;
const EMAIL_FORMAT = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const READ = ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'];
const WRITE = ['UserAuthenticationMethod.ReadWrite.All'];

type PhoneType = keyof typeof PHONE_METHOD_IDS;

export interface UserAuthenticationMethods {
  readonly phones: Map<PhoneType, string>;
  email?: string;
}

const methodsByDirectory = new WeakMap<Directory, Map<string, UserAuthenticationMethods>>();

/** The methods registered for a user (by object id); empty when none. */
export function authenticationMethodsOf(directory: Directory, userId: string): UserAuthenticationMethods {
  let byUser = methodsByDirectory.get(directory);
  if (byUser === undefined) {
    byUser = new Map();
    methodsByDirectory.set(directory, byUser);
  }
  let methods = byUser.get(userId);
  if (methods === undefined) {
    methods = { phones: new Map() };
    byUser.set(userId, methods);
  }
  return methods;
}

export const authenticationMethodRoutes: Route[] = [
  route('POST', 'users/:id/authentication/phoneMethods', WRITE, ({ directory }, request, { id }) => addPhone(directory, userIdOf(directory, id as string), asObject(request.body, 'phoneAuthenticationMethod'))),
  route('GET', 'users/:id/authentication/phoneMethods', READ, ({ directory }, _request, { id }) => {
    const methods = authenticationMethodsOf(directory, userIdOf(directory, id as string));
    return json(200, { value: [...methods.phones].map(([phoneType, phoneNumber]) => phoneMethod(phoneType, phoneNumber)) });
  }),
  route('POST', 'users/:id/authentication/emailMethods', WRITE, ({ directory }, request, { id }) => addEmail(directory, userIdOf(directory, id as string), asObject(request.body, 'emailAuthenticationMethod'))),
  route('GET', 'users/:id/authentication/emailMethods', READ, ({ directory }, _request, { id }) => {
    const { email } = authenticationMethodsOf(directory, userIdOf(directory, id as string));
    return json(200, { value: email === undefined ? [] : [{ id: EMAIL_METHOD_ID, emailAddress: email }] });
  }),
];

function addPhone(directory: Directory, userId: string, body: Json): EmulatedResponse {
  const { phoneNumber, phoneType } = body;
  if (typeof phoneType !== 'string' || !Object.hasOwn(PHONE_METHOD_IDS, phoneType)) throw badRequest(`Invalid phoneType: use ${Object.keys(PHONE_METHOD_IDS).join(', ')}.`, 'badRequest');
  if (typeof phoneNumber !== 'string' || !PHONE_FORMAT.test(phoneNumber)) throw badRequest('Invalid phone number format. Use +{country code} {number}x{extension}.', 'badRequest');
  const methods = authenticationMethodsOf(directory, userId);
  const type = phoneType as PhoneType;
  if (methods.phones.has(type)) throw new EmulatorError(409, 'conflict', `A phone method of type ${type} is already registered for this user.`);
  if (type === 'alternateMobile' && !methods.phones.has('mobile')) throw badRequest('A mobile phone must be registered before an alternateMobile one.', 'badRequest');
  methods.phones.set(type, phoneNumber);
  return json(201, phoneMethod(type, phoneNumber));
}

function addEmail(directory: Directory, userId: string, body: Json): EmulatedResponse {
  const { emailAddress } = body;
  if (typeof emailAddress !== 'string' || !EMAIL_FORMAT.test(emailAddress)) throw badRequest('Invalid emailAddress.', 'badRequest');
  const methods = authenticationMethodsOf(directory, userId);
  if (methods.email !== undefined) throw new EmulatorError(409, 'conflict', 'An email method is already registered for this user.');
  methods.email = emailAddress;
  return json(201, { id: EMAIL_METHOD_ID, emailAddress });
}

function phoneMethod(phoneType: PhoneType, phoneNumber: string): Json {
  return { id: PHONE_METHOD_IDS[phoneType], phoneNumber, phoneType, smsSignInState: 'notAllowedByPolicy' };
}

/** By object id or userPrincipalName, as Graph addresses users. */
function userIdOf(directory: Directory, key: string): string {
  if (directory.users.has(key)) return key;
  const lower = key.toLowerCase();
  for (const user of directory.users.values()) if (String(user.userPrincipalName).toLowerCase() === lower) return String(user.id);
  throw notFound(`Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
}
