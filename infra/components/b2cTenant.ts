/**
 * B2cTenant: what identityPlatform=b2c needs in the Azure AD B2C tenant and from the function, apart from the
 * policies and their keys (components/b2cPolicies.ts, uploaded once the function runs):
 * - the migration flag `requiresMigration` as an extension property on the tenant's b2c-extensions-app, which
 *   the provider looks up and never creates (reference azure-ad-b2c-jit.md section 7);
 * - for b2cApiAuth=bearer: the function's API app registration (identifier URI `api://{appId}`, v2 tokens, an
 *   application app role that is required for a token) and the caller app registration whose client credentials
 *   the policy uses, granted that role;
 * - the generated secrets (Basic password, API key, RequestKeySecret): made once per b2cSecretVersion, kept as
 *   Pulumi secrets and in Key Vault, and handed to the app as Key Vault references pinned to their version;
 * - optionally the starter pack's IdentityExperienceFramework and ProxyIdentityExperienceFramework apps.
 *
 * Every azuread resource and invoke goes through one explicit provider pinned to the B2C tenant, so an ambient
 * workforce ARM_TENANT_ID cannot redirect them (as EntraApplications does for External ID).
 */
import * as azuread from '@pulumi/azuread';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { MICROSOFT_GRAPH_APP_ID } from '../../lib/graph/types';
import { b2cPolicyKeysFor } from '../../lib/b2c/policies';
import type { B2cConfig } from '../config';
import { GraphExtensionProperty } from '../providers/graph/resources';
import { uuidV5 } from '../roles';
import { b2cTenantProvider } from './b2cTenantProvider';
import { permissionId } from './entraApplications';
import type { AppSetting } from './functionHosting';
import type { AppSecret, KeyMaterial } from './keyMaterial';

/** The user name B2C sends with Basic auth (policy key `<b2cPolicyPrefix>_ApiUsername`); not a secret, the password is. */
export const B2C_BASIC_USERNAME = 'b2c-jit-migration';
/** The app role the caller app holds on the API app; the API's principal requires it for a token. */
export const B2C_API_CALLER_ROLE = 'JitMigration.Call';
/** Key Vault names of the generated secrets. */
export const B2C_SECRET_NAMES = { basicPassword: 'b2c-basic-password', apiKey: 'b2c-api-key', requestKeySecret: 'b2c-request-key-secret' } as const;
/** Length of a generated secret: 64 letters and digits, ~380 bits, above the function's 32-byte minimum. */
const GENERATED_SECRET_LENGTH = 64;

export interface B2cTenantArgs {
  config: B2cConfig;
  /** The vault the generated secrets are kept in (KeyMaterial.storeAppSecret). */
  keys: KeyMaterial;
}

export class B2cTenant extends pulumi.ComponentResource {
  /** The explicit azuread provider for the B2C tenant. */
  readonly provider: azuread.Provider;
  /** `extension_{b2c-extensions-app appId without hyphens}_requiresMigration`. */
  readonly migrationPropertyFullName: pulumi.Output<string>;
  readonly extensionsAppClientId: pulumi.Output<string>;
  readonly extensionsAppObjectId: pulumi.Output<string>;
  /** bearer only: the API app registration's client id (the token audience). */
  readonly apiAppId: pulumi.Output<string> | undefined;
  /** The function's plain B2C settings (IdentityPlatform is FunctionHosting's). */
  readonly appSettings: readonly AppSetting[];
  /** Key Vault references to the generated secrets, for FunctionHosting. */
  readonly appSecrets: readonly AppSecret[];
  /** Policy key name (`B2C_1A_JIT_ApiPassword`, ...) → its value, a Pulumi secret, for B2cPolicies. */
  readonly policyKeyValues: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: B2cTenantArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('jitmigration:b2c:B2cTenant', name, {}, opts);
    const { config, keys } = args;
    const stack = pulumi.getStack();
    const target = { tenantId: config.tenantId, graphBaseUrl: config.graphBaseUrl };

    this.provider = b2cTenantProvider(`${name}-b2c`, config, this);
    const inTenant = { parent: this, provider: this.provider };

    const flag = new GraphExtensionProperty(`${name}-migration-flag`, { ...target, name: config.migrationPropertyName }, { parent: this });
    this.migrationPropertyFullName = flag.fullName;
    this.extensionsAppClientId = flag.applicationAppId;
    this.extensionsAppObjectId = flag.applicationObjectId;

    /** A generated secret: new only when b2cSecretVersion changes (README "Deploy in B2C mode": rotation). */
    const generated = (suffix: string): pulumi.Output<string> =>
      pulumi.secret(
        new random.RandomPassword(`${name}-${suffix}`, { length: GENERATED_SECRET_LENGTH, special: false, keepers: { secretVersion: String(config.secretVersion) } }, { parent: this }).result,
      );
    // Pinned references: a rotated value reaches the app in the same pulumi up that uploads it to the policy key.
    const store = (suffix: string, setting: AppSecret['setting'], secretName: string, value: pulumi.Output<string>): AppSecret =>
      keys.storeAppSecret(`${name}-${suffix}`, { setting, secretName, value, pinned: true });

    // Without the External ID decryption key the function recognizes B2C's retries by this secret.
    const secrets: AppSecret[] = [store('request-key-secret', 'RequestKeySecret', B2C_SECRET_NAMES.requestKeySecret, generated('request-key-secret'))];
    const settings: AppSetting[] = [{ name: 'B2cApiAuth', value: config.apiAuth }];
    const values: Record<string, pulumi.Output<string>> = {};
    switch (config.apiAuth) {
      case 'basic': {
        const password = generated('basic-password');
        secrets.push(store('basic-password', 'B2cBasicPassword', B2C_SECRET_NAMES.basicPassword, password));
        settings.push({ name: 'B2cBasicUsername', value: B2C_BASIC_USERNAME });
        values.BasicAuthenticationUsername = pulumi.secret(B2C_BASIC_USERNAME);
        values.BasicAuthenticationPassword = password;
        this.apiAppId = undefined;
        break;
      }
      case 'apiKey': {
        const key = generated('api-key');
        secrets.push(store('api-key', 'B2cApiKey', B2C_SECRET_NAMES.apiKey, key));
        settings.push({ name: 'B2cApiKeyHeader', value: config.apiKeyHeader });
        values[config.apiKeyHeader] = key;
        this.apiAppId = undefined;
        break;
      }
      case 'bearer': {
        const bearer = this.bearerApps(name, config, stack, inTenant);
        settings.push(
          { name: 'B2cTenantId', value: config.tenantId },
          { name: 'B2cApiAppId', value: bearer.apiAppId },
          { name: 'B2cApiAppIdentifierUri', value: bearer.identifierUri },
          { name: 'B2cCallerAppIds', value: bearer.callerAppId },
        );
        values.BasicAuthenticationUsername = pulumi.secret(bearer.callerAppId);
        values.BasicAuthenticationPassword = bearer.callerSecret;
        this.apiAppId = bearer.apiAppId;
        break;
      }
    }
    // Each policy key the generator's REST profiles read, by its cryptographic key id.
    this.policyKeyValues = Object.fromEntries(
      b2cPolicyKeysFor(config.apiAuth, { policyPrefix: config.policyPrefix, apiKeyHeader: config.apiKeyHeader }).map((key) => {
        const value = values[key.keyId];
        if (!value) throw new Error(`B2cTenant: the policies read a key ${key.name} (${key.keyId}) this stack has no value for with b2cApiAuth=${config.apiAuth}`);
        return [key.name, value];
      }),
    );
    this.appSettings = settings;
    this.appSecrets = secrets;

    if (config.createIdentityExperienceFrameworkApps) this.identityExperienceFrameworkApps(name, config, inTenant);

    this.registerOutputs({ migrationPropertyFullName: this.migrationPropertyFullName, apiAppId: this.apiAppId });
  }

  /** bearer: the API app the token is for, the caller app B2C gets it with, and the role that links them. */
  private bearerApps(name: string, config: B2cConfig, stack: string, inTenant: pulumi.CustomResourceOptions) {
    // ApplicationRegistration: the identifier URI embeds the app's own id, so it is added afterwards (as EntraApplications).
    const api = new azuread.ApplicationRegistration(
      `${name}-api`,
      // v2 tokens: aud = the API's appId, azp = the caller's (function/src/b2c/callerAuthentication.ts).
      { displayName: `JIT password migration B2C API (${stack})`, signInAudience: 'AzureADMyOrg', requestedAccessTokenVersion: 2 },
      inTenant,
    );
    const identifierUri = new azuread.ApplicationIdentifierUri(`${name}-api-uri`, { applicationId: api.id, identifierUri: pulumi.interpolate`api://${api.clientId}` }, inTenant);
    const role = new azuread.ApplicationAppRole(
      `${name}-api-caller-role`,
      {
        applicationId: api.id,
        // Fixed per stack: the role keeps its id, so the assignment below is never replaced.
        roleId: uuidV5(`b2c-api-caller-role:${stack}`),
        allowedMemberTypes: ['Application'],
        value: B2C_API_CALLER_ROLE,
        displayName: 'Call the JIT migration API',
        description: 'Lets the B2C policy caller app get a client-credentials token for the JIT migration function',
      },
      inTenant,
    );
    // appRoleAssignmentRequired: Entra issues a token for the API only to an app that holds the role.
    const apiPrincipal = new azuread.ServicePrincipal(`${name}-api`, { clientId: api.clientId, appRoleAssignmentRequired: true }, inTenant);

    // v2 like every app registration here (policy pack entra-api-apps-request-v2-tokens); it exposes no API itself.
    const caller = new azuread.ApplicationRegistration(
      `${name}-caller`,
      { displayName: `JIT password migration B2C policy caller (${stack})`, signInAudience: 'AzureADMyOrg', requestedAccessTokenVersion: 2 },
      inTenant,
    );
    const callerPrincipal = new azuread.ServicePrincipal(`${name}-caller`, { clientId: caller.clientId }, inTenant);
    const assignment = new azuread.AppRoleAssignment(
      `${name}-caller-role`,
      { appRoleId: role.roleId, principalObjectId: callerPrincipal.objectId, resourceObjectId: apiPrincipal.objectId },
      inTenant,
    );
    // A new secret only when b2cSecretVersion changes; its value goes to the policy key alone, never to the app.
    const secretKey = b2cPolicyKeysFor('bearer', { policyPrefix: config.policyPrefix }).find((key) => key.keyId === 'BasicAuthenticationPassword')!;
    const password = new azuread.ApplicationPassword(
      `${name}-caller-secret`,
      { applicationId: caller.id, displayName: `B2C policy key ${secretKey.name}`, rotateWhenChanged: { secretVersion: String(config.secretVersion) } },
      { ...inTenant, dependsOn: [assignment] },
    );
    return {
      apiAppId: api.clientId,
      identifierUri: identifierUri.identifierUri,
      // The policy asks for a token only once the caller holds the role.
      callerAppId: pulumi.all([caller.clientId, assignment.id]).apply(([clientId]) => clientId),
      callerSecret: pulumi.secret(password.value),
    };
  }

  /**
   * The starter pack's two apps (learn "Tutorial: Create user flows and custom policies", "Register Identity
   * Experience Framework applications"): IdentityExperienceFramework exposes user_impersonation;
   * ProxyIdentityExperienceFramework, a public client, is granted it and openid/offline_access by admin consent.
   */
  private identityExperienceFrameworkApps(name: string, config: B2cConfig, inTenant: pulumi.CustomResourceOptions): void {
    const stack = pulumi.getStack();
    const subdomain = config.tenantDomain.replace(/\.onmicrosoft\.com$/, '');
    const ief = new azuread.ApplicationRegistration(`${name}-ief`, { displayName: 'IdentityExperienceFramework', signInAudience: 'AzureADMyOrg' }, inTenant);
    new azuread.ApplicationRedirectUris(`${name}-ief-redirect`, { applicationId: ief.id, type: 'Web', redirectUris: [`https://${subdomain}.b2clogin.com/${config.tenantDomain}`] }, inTenant);
    new azuread.ApplicationIdentifierUri(`${name}-ief-uri`, { applicationId: ief.id, identifierUri: pulumi.interpolate`api://${ief.clientId}` }, inTenant);
    const scopeId = uuidV5(`b2c-ief-user-impersonation:${stack}`);
    const scope = new azuread.ApplicationPermissionScope(
      `${name}-ief-user-impersonation`,
      {
        applicationId: ief.id,
        scopeId,
        value: 'user_impersonation',
        type: 'Admin',
        adminConsentDisplayName: 'Access IdentityExperienceFramework',
        adminConsentDescription: 'Allow the application to access IdentityExperienceFramework on behalf of the signed-in user.',
      },
      inTenant,
    );
    const iefPrincipal = new azuread.ServicePrincipal(`${name}-ief`, { clientId: ief.clientId }, inTenant);

    const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }, inTenant);
    const graphScopes = ['openid', 'offline_access'];
    const graphScopeIds = graph.oauth2PermissionScopeIds.apply((ids) => graphScopes.map((value) => permissionId(ids, value, 'delegated permission (scope)')));
    const proxy = new azuread.Application(
      `${name}-proxy-ief`,
      {
        displayName: 'ProxyIdentityExperienceFramework',
        signInAudience: 'AzureADMyOrg',
        fallbackPublicClientEnabled: true,
        publicClient: { redirectUris: ['myapp://auth'] },
        requiredResourceAccesses: [
          { resourceAppId: ief.clientId, resourceAccesses: [{ id: scopeId, type: 'Scope' }] },
          { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: graphScopeIds.apply((ids) => ids.map((id) => ({ id, type: 'Scope' }))) },
        ],
      },
      { ...inTenant, dependsOn: [scope] },
    );
    const proxyPrincipal = new azuread.ServicePrincipal(`${name}-proxy-ief`, { clientId: proxy.clientId }, inTenant);
    // No userObjectId: consent for all users, i.e. admin consent.
    new azuread.ServicePrincipalDelegatedPermissionGrant(
      `${name}-proxy-ief-consent`,
      { servicePrincipalObjectId: proxyPrincipal.objectId, resourceServicePrincipalObjectId: iefPrincipal.objectId, claimValues: ['user_impersonation'] },
      { ...inTenant, dependsOn: [scope] },
    );
    new azuread.ServicePrincipalDelegatedPermissionGrant(
      `${name}-proxy-ief-graph-consent`,
      { servicePrincipalObjectId: proxyPrincipal.objectId, resourceServicePrincipalObjectId: graph.objectId, claimValues: graphScopes },
      inTenant,
    );
  }
}
