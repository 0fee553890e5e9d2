/**
 * The emulated tenant's objects, kept as the JSON Graph would return (before `$select`), plus what a fresh
 * External ID tenant already holds: the Microsoft Graph service principal with its app roles and the
 * b2c-extensions-app (docs/entra-contracts.md#migration-flag, #extension-app).
 */
import { randomUUID } from 'node:crypto';
import type { Json } from './protocol';

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const AUTHENTICATION_EVENTS_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';
export const RECEIVE_PAYLOAD_ROLE_ID = '214e810f-fda8-4fd7-a475-29461495eb00';
export const B2C_EXTENSIONS_APP_DISPLAY_NAME = 'b2c-extensions-app. Do not modify. Used by AADB2C for storing user data.';

/** Microsoft-owned apps whose service principal can be created in any tenant without an application object. */
export const FIRST_PARTY_APPS: ReadonlyMap<string, string> = new Map([
  [MICROSOFT_GRAPH_APP_ID, 'Microsoft Graph'],
  [AUTHENTICATION_EVENTS_APP_ID, 'Azure Active Directory Authentication Extensions'],
]);

/** A few of Graph's application permissions; ids as published in the Graph permissions reference. */
const GRAPH_APP_ROLES: Json[] = [
  { value: 'CustomAuthenticationExtension.Receive.Payload', id: RECEIVE_PAYLOAD_ROLE_ID, displayName: 'Receive custom authentication extension HTTP requests' },
  { value: 'User.ReadWrite.All', id: '741f803b-c850-494e-b5df-cde7c675a1ca', displayName: 'Read and write all users\' full profiles' },
  { value: 'Application.ReadWrite.All', id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', displayName: 'Read and write all applications' },
  { value: 'User.Read.All', id: 'df021288-bdef-4463-88db-98f22de89214', displayName: 'Read all users\' full profiles' },
].map((role) => ({ allowedMemberTypes: ['Application'], description: role.displayName, isEnabled: true, origin: 'Application', ...role }));

export interface DirectoryOptions {
  tenantId: string;
  tenantDomain: string;
  b2cExtensionsAppId: string;
  seedAuthenticationEventsServicePrincipal: boolean;
}

export class Directory {
  readonly users = new Map<string, Json>();
  readonly applications = new Map<string, Json>();
  readonly extensionProperties = new Map<string, Json>();
  readonly servicePrincipals = new Map<string, Json>();
  readonly appRoleAssignments = new Map<string, Json>();
  readonly customAuthenticationExtensions = new Map<string, Json>();
  readonly authenticationEventListeners = new Map<string, Json>();
  /** B2C custom policies by lower-cased id: `{ id, xml }` (routes/trustFramework.ts). */
  readonly trustFrameworkPolicies = new Map<string, Json>();
  /** B2C policy keys by lower-cased id: `{ id, keys }`, each key with its uploaded material. */
  readonly trustFrameworkKeySets = new Map<string, Json>();
  /** B2C user flows by lower-cased id (`B2C_1_…`), as Graph serves them (routes/b2cUserFlows.ts). */
  readonly b2cUserFlows = new Map<string, Json>();
  /** A test's stand-in for B2C's policy validation: a message refuses the upload with 400. */
  policyUploadRefusal: ((policyId: string, xml: string) => string | undefined) | undefined;
  /** Extension property id → owning application's object id. */
  readonly extensionOwners = new Map<string, string>();
  /** How long a just-created object answers 404 to GET by id. */
  replicationDelayMs = 0;
  /** The directory's clock for the users' timestamps (createdDateTime, lastPasswordChangeDateTime). */
  clock: () => Date = () => new Date();
  authenticationEventsServicePrincipalDeleted = false;
  private readonly createdAt = new Map<string, number>();

  constructor(readonly options: DirectoryOptions) {
    this.seed();
  }

  get tenantDomain(): string {
    return this.options.tenantDomain;
  }

  /** Marks a new object for the replication-delay fault. */
  created(id: string): void {
    this.createdAt.set(id, Date.now());
  }

  isReplicating(id: string): boolean {
    const at = this.createdAt.get(id);
    return at !== undefined && Date.now() - at < this.replicationDelayMs;
  }

  applicationByAppId(appId: string): Json | undefined {
    return [...this.applications.values()].find((app) => String(app.appId).toLowerCase() === appId.toLowerCase());
  }

  servicePrincipalByAppId(appId: string): Json | undefined {
    return [...this.servicePrincipals.values()].find((sp) => String(sp.appId).toLowerCase() === appId.toLowerCase());
  }

  /** Extension properties by full name (`extension_{appId}_{name}`), case-insensitive as Graph matches names. */
  extensionPropertyByName(name: string): Json | undefined {
    return [...this.extensionProperties.values()].find((property) => String(property.name).toLowerCase() === name.toLowerCase());
  }

  /** A sign-in's password check (the B2C stand-in's login-NonInteractive): the password last set through passwordProfile. */
  passwordMatches(userId: string, password: string): boolean {
    const profile = this.users.get(userId)?.passwordProfile as Json | undefined;
    return typeof profile?.password === 'string' && profile.password === password;
  }

  userExtensionProperty(name: string): Json | undefined {
    const property = this.extensionPropertyByName(name);
    return property && (property.targetObjects as string[]).includes('User') ? property : undefined;
  }

  addServicePrincipal(appId: string, displayName: string, extra: Json = {}): Json {
    const id = randomUUID();
    const servicePrincipal: Json = {
      id,
      appId,
      displayName,
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      appRoles: [],
      servicePrincipalNames: [appId],
      servicePrincipalType: 'Application',
      tags: [],
      ...extra,
    };
    this.servicePrincipals.set(id, servicePrincipal);
    return servicePrincipal;
  }

  private seed(): void {
    this.addServicePrincipal(MICROSOFT_GRAPH_APP_ID, 'Microsoft Graph', {
      appRoles: GRAPH_APP_ROLES,
      servicePrincipalNames: [MICROSOFT_GRAPH_APP_ID, 'https://graph.microsoft.com'],
    });
    if (this.options.seedAuthenticationEventsServicePrincipal) {
      this.addServicePrincipal(AUTHENTICATION_EVENTS_APP_ID, FIRST_PARTY_APPS.get(AUTHENTICATION_EVENTS_APP_ID) as string);
    }
    const id = randomUUID();
    this.applications.set(id, {
      ...newApplicationDefaults(this.options.tenantDomain),
      id,
      appId: this.options.b2cExtensionsAppId,
      displayName: B2C_EXTENSIONS_APP_DISPLAY_NAME,
    });
    this.addServicePrincipal(this.options.b2cExtensionsAppId, B2C_EXTENSIONS_APP_DISPLAY_NAME);
  }
}

/** What Graph fills in on an application created with only a displayName. */
export function newApplicationDefaults(tenantDomain: string): Json {
  return {
    api: { acceptMappedClaims: null, knownClientApplications: [], oauth2PermissionScopes: [], preAuthorizedApplications: [], requestedAccessTokenVersion: null },
    appRoles: [],
    createdDateTime: new Date().toISOString(),
    description: null,
    identifierUris: [],
    info: {},
    isFallbackPublicClient: null,
    keyCredentials: [],
    notes: null,
    optionalClaims: null,
    passwordCredentials: [],
    publicClient: { redirectUris: [] },
    publisherDomain: tenantDomain,
    requiredResourceAccess: [],
    signInAudience: 'AzureADMyOrg',
    spa: { redirectUris: [] },
    tags: [],
    tokenEncryptionKeyId: null,
    web: { homePageUrl: null, logoutUrl: null, redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
  };
}
