/**
 * Typed Microsoft Graph bodies used by this project. Only the properties we read or write are declared;
 * Graph returns more. Sources: Graph v1.0 resource pages (user, objectIdentity, application, keyCredential,
 * servicePrincipal, appRoleAssignment, extensionProperty, onPasswordSubmitCustomExtension,
 * onPasswordSubmitListener, onPasswordMigrationCustomExtensionHandler) and the JSON batching page.
 */

/** The Graph versions the client speaks. */
export const GRAPH_API_VERSIONS = ['v1.0', 'beta'] as const;
export type GraphApiVersion = (typeof GRAPH_API_VERSIONS)[number];
/**
 * The version the JIT objects (onPasswordSubmitCustomExtension, onPasswordSubmitListener and its
 * onPasswordMigrationCustomExtensionHandler) are managed through: they are in v1.0 since March 2026, while the
 * JIT guide's examples still call beta, which stays selectable. Both versions serve the same objects under the
 * same ids.
 */
export const JIT_OBJECTS_API_VERSION: GraphApiVersion = 'v1.0';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The largest `$top` Graph takes for `GET /users` (learn.microsoft.com/graph/paging): the fewest pages to throttle. */
export const USERS_PAGE_SIZE = 999;

/** The well-known app IDs the JIT set-up touches (docs/entra-contracts.md#extension-app). */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const AUTHENTICATION_EVENTS_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';
/** Resolve the role id by this value from the Graph service principal's appRoles (docs/entra-contracts.md#extension-app). */
export const RECEIVE_PAYLOAD_ROLE_VALUE = 'CustomAuthenticationExtension.Receive.Payload';

/** `{"error":{"code","message","innerError":{"request-id","date"}}}` (Graph "Error responses" page). */
export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError?: { 'request-id'?: string; 'client-request-id'?: string; date?: string; code?: string };
  };
}

/** A page of a collection; `@odata.nextLink` is absolute and already carries the query (paging page). */
export interface GraphCollection<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

/** objectIdentity: for local accounts `signInType` is `emailAddress` or `userName` and `issuer` the tenant domain. */
export interface ObjectIdentity {
  signInType: 'emailAddress' | 'userName' | 'federated' | 'userPrincipalName' | (string & {});
  issuer: string;
  issuerAssignedId: string;
}

export interface PasswordProfile {
  password?: string;
  forceChangePasswordNextSignIn?: boolean;
  forceChangePasswordNextSignInWithMfa?: boolean;
}

/** `extension_{appIdWithoutHyphens}_{name}` attributes sit on the user next to the declared properties. */
export type ExtensionAttributeName = `extension_${string}_${string}`;

export interface User {
  id?: string;
  displayName?: string;
  accountEnabled?: boolean;
  userPrincipalName?: string;
  mailNickname?: string;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  creationType?: string | null;
  /** Returned only on `$select`. */
  identities?: ObjectIdentity[];
  /** Write-only: Graph never returns the password. */
  passwordProfile?: PasswordProfile | null;
  passwordPolicies?: string | null;
  createdDateTime?: string;
  /** Extension attributes (returned only on `$select`) and any other property Graph adds. */
  [property: string]: unknown;
}

/** keyCredential: the JIT encryption key is `AsymmetricX509Cert` + `Encrypt`, `key` = base64 DER certificate. */
export interface KeyCredential {
  keyId: string;
  type: 'AsymmetricX509Cert' | 'X509CertAndPassword' | (string & {});
  usage: 'Encrypt' | 'Verify' | 'Sign' | (string & {});
  /** Graph returns it only on `GET applications/{id}?$select=keyCredentials`; otherwise null. */
  key?: string | null;
  displayName?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
  customKeyIdentifier?: string | null;
}

export interface ResourceAccess {
  id: string;
  type: 'Role' | 'Scope';
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: ResourceAccess[];
}

export interface Application {
  id?: string;
  appId?: string;
  displayName?: string;
  signInAudience?: 'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount' | 'PersonalMicrosoftAccount';
  identifierUris?: string[];
  keyCredentials?: KeyCredential[];
  tokenEncryptionKeyId?: string | null;
  api?: { requestedAccessTokenVersion?: 1 | 2 | null; [property: string]: unknown };
  requiredResourceAccess?: RequiredResourceAccess[];
  [property: string]: unknown;
}

export interface AppRole {
  id: string;
  value: string | null;
  displayName?: string;
  description?: string;
  allowedMemberTypes?: string[];
  isEnabled?: boolean;
}

export interface ServicePrincipal {
  id?: string;
  appId: string;
  displayName?: string;
  appRoles?: AppRole[];
  servicePrincipalNames?: string[];
  [property: string]: unknown;
}

export interface AppRoleAssignment {
  id?: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
  principalDisplayName?: string;
  resourceDisplayName?: string;
  principalType?: string;
  createdDateTime?: string;
}

export type ExtensionPropertyDataType = 'Binary' | 'Boolean' | 'DateTime' | 'Integer' | 'LargeInteger' | 'String';

export interface ExtensionProperty {
  id?: string;
  /** On create, the short name; Graph answers with `extension_{appIdWithoutHyphens}_{name}`. */
  name: string;
  dataType: ExtensionPropertyDataType;
  targetObjects: Array<'User' | 'Group' | 'AdministrativeUnit' | 'Application' | 'Device' | 'Organization'>;
  isMultiValued?: boolean;
  appDisplayName?: string;
}

/** docs/entra-contracts.md#custom-extension; `resourceId` must be `api://{targetUrl host}/{extension appId}`. */
export interface OnPasswordSubmitCustomExtension {
  '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension';
  id?: string;
  displayName?: string;
  description?: string;
  endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint'; targetUrl: string };
  authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication'; resourceId: string };
  /** `timeoutInMilliseconds` 200–2000, `maximumRetries` 0–1 (customExtensionClientConfiguration). */
  clientConfiguration?: { timeoutInMilliseconds?: number | null; maximumRetries?: number | null };
  behaviorOnError?: unknown;
}

export interface OnPasswordMigrationCustomExtensionHandler {
  '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler';
  /** `extension_{b2c-extensions-app appId without hyphens}_{name}`, a Boolean attribute (docs/entra-contracts.md#listener). */
  migrationPropertyId: string;
  customExtension: { id: string };
  configuration?: unknown;
}

/** docs/entra-contracts.md#listener */
export interface OnPasswordSubmitListener {
  '@odata.type': '#microsoft.graph.onPasswordSubmitListener';
  id?: string;
  displayName?: string;
  priority: number;
  conditions: {
    applications: { includeAllApplications?: boolean; includeApplications: Array<{ appId: string }> };
  };
  handler: OnPasswordMigrationCustomExtensionHandler;
  authenticationEventsFlowId?: string | null;
}

/** One request of `POST /$batch`: `url` is relative to the version (`/users/{id}`), never absolute. */
export interface BatchRequest {
  id: string;
  method: HttpMethod;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

export interface BatchResponse<T = unknown> {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: T;
}
