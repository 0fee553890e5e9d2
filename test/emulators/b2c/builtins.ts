/**
 * The starter-pack base profiles the generated files reference but do not define, modelled with their
 * documented shape (the LocalAccounts TrustFrameworkBase): the generated layer merges on top of these exactly
 * as it would on top of the uploaded base. Their behaviour lives with their provider (AAD, ROPC, JWT issuer).
 */
import { B2C_PROVIDER_HANDLERS, B2C_STARTER_PACK } from '../../../lib/b2c/policies';
import { emptyProfile, type ClaimRef, type TechnicalProfile } from './technicalProfile';

/** Protocol names the stand-in gives the two profiles whose behaviour is not a generic provider's. */
export const ROPC_PROTOCOL = 'OpenIdConnect';
export const JWT_ISSUER_PROTOCOL = 'None';
export const SESSION_PROTOCOL = 'SessionManagement';

export const LOGIN_NON_INTERACTIVE = B2C_STARTER_PACK.loginNonInteractive;

function claim(name: string, options: { partner?: string; defaultValue?: string; always?: boolean; required?: boolean } = {}): ClaimRef {
  return {
    claim: name,
    partner: options.partner ?? name,
    ...(options.defaultValue === undefined ? {} : { defaultValue: options.defaultValue }),
    alwaysUseDefaultValue: options.always ?? false,
    required: options.required ?? false,
  };
}

function profile(id: string, parts: Partial<TechnicalProfile>): TechnicalProfile {
  return { ...emptyProfile(id), ...parts };
}

const aad = (operation: string, items: Record<string, string>): ReadonlyMap<string, string> => new Map([['Operation', operation], ...Object.entries(items)]);

export const BUILT_IN_PROFILES: readonly TechnicalProfile[] = [
  profile(B2C_STARTER_PACK.aadCommon, { protocol: { name: 'Proprietary', handler: B2C_PROVIDER_HANDLERS.azureActiveDirectory }, keys: new Map([['issuer_secret', B2C_STARTER_PACK.tokenSigningKey]]) }),
  profile(B2C_STARTER_PACK.userWriteUsingLogonEmail, {
    metadata: aad('Write', { RaiseErrorIfClaimsPrincipalAlreadyExists: 'true' }),
    inputClaims: [claim('email', { partner: 'signInNames.emailAddress', required: true })],
    persistedClaims: [
      claim('email', { partner: 'signInNames.emailAddress' }),
      claim('newPassword', { partner: 'password' }),
      claim('displayName', { defaultValue: 'unknown' }),
      claim('passwordPolicies', { defaultValue: 'DisablePasswordExpiration' }),
      claim('givenName'),
      claim('surname'),
    ],
    outputClaims: [
      claim('objectId'),
      claim('newUser', { partner: 'newClaimsPrincipalCreated' }),
      claim('authenticationSource', { defaultValue: 'localAccountAuthentication' }),
      claim('userPrincipalName'),
      claim('signInNames.emailAddress'),
    ],
    includes: [B2C_STARTER_PACK.aadCommon],
  }),
  profile(B2C_STARTER_PACK.userReadUsingObjectId, {
    metadata: aad('Read', { RaiseErrorIfClaimsPrincipalDoesNotExist: 'true' }),
    inputClaims: [claim('objectId', { required: true })],
    outputClaims: [claim('signInNames.emailAddress'), claim('displayName'), claim('otherMails'), claim('givenName'), claim('surname')],
    includes: [B2C_STARTER_PACK.aadCommon],
  }),
  // ROPC against the directory: the extensions layer adds client_id and resource_id, which the stand-in does not need.
  profile(LOGIN_NON_INTERACTIVE, {
    protocol: { name: ROPC_PROTOCOL },
    inputClaims: [
      claim('signInName', { partner: 'username', required: true }),
      claim('password', { required: true }),
      claim('grant_type', { defaultValue: 'password', always: true }),
      claim('scope', { defaultValue: 'openid', always: true }),
    ],
    outputClaims: [
      claim('objectId', { partner: 'oid' }),
      claim('tenantId', { partner: 'tid' }),
      claim('givenName', { partner: 'given_name' }),
      claim('surName', { partner: 'family_name' }),
      claim('displayName', { partner: 'name' }),
      claim('userPrincipalName', { partner: 'upn' }),
      claim('authenticationSource', { defaultValue: 'localAccountAuthentication' }),
    ],
  }),
  profile(B2C_STARTER_PACK.jwtIssuer, { protocol: { name: JWT_ISSUER_PROTOCOL } }),
  profile(B2C_STARTER_PACK.sessionNoop, { protocol: { name: SESSION_PROTOCOL } }),
  profile(B2C_STARTER_PACK.sessionAad, { protocol: { name: SESSION_PROTOCOL } }),
  profile('SM-jwt-issuer', { protocol: { name: SESSION_PROTOCOL } }),
];
