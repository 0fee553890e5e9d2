/**
 * The RESTful technical profiles that call the function's B2C endpoints (lib/b2c/contract.ts), and for
 * bearer the client-credentials token request before them. Each runs as a validation technical profile, so a
 * 409 `userMessage` shows inline; never `AuthenticationType` None nor `AllowInsecureAuthInProduction`.
 */
import { B2C_AUTH_TYPES, B2C_CLAIMS, B2C_PROFILE_CLAIMS, B2C_ROUTES, type B2cRoute } from '../contract';
import { technicalProfile, type ClaimReference } from './elements';
import { B2C_LAYER_CLAIMS, B2C_LAYER_PROFILES, B2C_PROVIDER_HANDLERS, B2C_STARTER_PACK } from './ids';
import type { ResolvedB2cPolicyOptions } from './options';
import { b2cPolicyKeysFor } from './policyKeys';
import type { XmlElement } from './xml';

const RESTFUL = { name: 'Proprietary', handler: B2C_PROVIDER_HANDLERS.restful } as const;

/** The function's URL for a contract route (routes sit under the function app's `/api` prefix). */
export function b2cServiceUrl(apiOrigin: string, route: B2cRoute): string {
  return `${apiOrigin}/api/${route}`;
}

/** Entra's token endpoint for the tenant (client-credentials grant). */
export function b2cTokenEndpoint(tenant: string): string {
  return `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`;
}

function userMessageMetadata(options: ResolvedB2cPolicyOptions): [string, string][] {
  return [
    ['DefaultUserMessageIfRequestFailed', options.userMessages.requestFailed],
    ['UserMessageIfCircuitOpen', options.userMessages.circuitOpen],
    ['UserMessageIfDnsResolutionFailed', options.userMessages.dnsResolutionFailed],
    ['UserMessageIfRequestTimeout', options.userMessages.requestTimeout],
  ];
}

const PROFILE_OUTPUTS: ClaimReference[] = [{ id: B2C_CLAIMS.migrationOutcome }, ...B2C_PROFILE_CLAIMS.map((id) => ({ id }))];

interface FunctionCall {
  readonly id: string;
  readonly displayName: string;
  readonly route: B2cRoute;
  readonly inputs: readonly ClaimReference[];
  readonly outputs?: readonly ClaimReference[];
}

function functionCallProfile(options: ResolvedB2cPolicyOptions, call: FunctionCall): XmlElement {
  const bearer = options.auth === 'bearer';
  return technicalProfile({
    id: call.id,
    displayName: call.displayName,
    protocol: RESTFUL,
    metadata: [
      ['ServiceUrl', b2cServiceUrl(options.apiOrigin, call.route)],
      ['AuthenticationType', B2C_AUTH_TYPES[options.auth]],
      ['SendClaimsIn', 'Body'],
      ...(bearer ? ([['UseClaimAsBearerToken', B2C_LAYER_CLAIMS.bearerToken]] as [string, string][]) : []),
      ...userMessageMetadata(options),
    ],
    // bearer reads the token from a claim; the other types from policy keys.
    cryptographicKeys: bearer ? [] : b2cPolicyKeysFor(options.auth, { policyPrefix: options.policyPrefix, apiKeyHeader: options.apiKeyHeader }).map((key) => [key.keyId, key.name] as const),
    inputClaims: [...call.inputs, ...(bearer ? [{ id: B2C_LAYER_CLAIMS.bearerToken, required: true }] : [])],
    outputClaims: call.outputs,
    sessionManagement: B2C_STARTER_PACK.sessionNoop,
  });
}

/** The REST profiles of the layer, for the chosen auth type. */
export function restProfiles(options: ResolvedB2cPolicyOptions): XmlElement[] {
  const profiles = [
    functionCallProfile(options, {
      id: B2C_LAYER_PROFILES.signIn,
      displayName: 'Check the password with the legacy store',
      route: B2C_ROUTES.signIn,
      inputs: [{ id: B2C_CLAIMS.signInName, required: true }, { id: B2C_CLAIMS.password, required: true }],
      outputs: PROFILE_OUTPUTS,
    }),
    functionCallProfile(options, {
      id: B2C_LAYER_PROFILES.signUp,
      displayName: 'Refuse sign-up with a legacy user\'s email',
      route: B2C_ROUTES.signUp,
      inputs: [{ id: B2C_CLAIMS.email, required: true }],
    }),
    functionCallProfile(options, {
      id: B2C_LAYER_PROFILES.passwordReset,
      displayName: 'Find a legacy user for password reset',
      route: B2C_ROUTES.passwordReset,
      // objectId is sent only when B2C has the user (an absent claim is left out of the body).
      inputs: [{ id: B2C_CLAIMS.email, required: true }, { id: B2C_CLAIMS.objectId }],
      outputs: PROFILE_OUTPUTS,
    }),
  ];
  return options.auth === 'bearer' ? [accessTokenProfile(options), ...profiles] : profiles;
}

/** bearer: client credentials at Entra's token endpoint, the form-encoded request OAuth 2.0 requires. */
function accessTokenProfile(options: ResolvedB2cPolicyOptions): XmlElement {
  return technicalProfile({
    id: B2C_LAYER_PROFILES.acquireAccessToken,
    displayName: 'Get a token for the function\'s API',
    protocol: RESTFUL,
    metadata: [
      ['ServiceUrl', b2cTokenEndpoint(options.tenant)],
      ['AuthenticationType', 'Basic'],
      ['SendClaimsIn', 'Form'],
      ...userMessageMetadata(options),
    ],
    cryptographicKeys: b2cPolicyKeysFor('bearer', { policyPrefix: options.policyPrefix }).map((key) => [key.keyId, key.name] as const),
    inputClaims: [
      { id: B2C_LAYER_CLAIMS.grantType, defaultValue: 'client_credentials', alwaysUseDefault: true },
      { id: B2C_LAYER_CLAIMS.scope, defaultValue: options.apiScope, alwaysUseDefault: true },
    ],
    outputClaims: [{ id: B2C_LAYER_CLAIMS.bearerToken, partner: 'access_token' }],
    sessionManagement: B2C_STARTER_PACK.sessionNoop,
  });
}
