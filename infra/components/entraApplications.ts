/**
 * The app registrations in the External ID tenant (docs/entra-contracts.md#extension-app; docs/graph-objects.md):
 * - the extension API app External ID gets its bearer token for (single tenant, v2 tokens, identifier URI
 *   `api://{function host}/{appId}`), its service principal, and the Graph application permission
 *   CustomAuthenticationExtension.Receive.Payload (resolved by name at deploy time) with admin consent;
 * - the Authentication Events service principal 99045fe1-…, ensured and never deleted;
 * - the RSA encryption key on the extension app (keyCredentials + tokenEncryptionKeyId, through Graph);
 * - optionally a test client that signs in through https://jwt.ms.
 *
 * Every azuread resource and invoke uses one explicit provider with the External ID tenant set, so an ambient
 * workforce `ARM_TENANT_ID` (or `ARM_USE_MSI`) cannot redirect them (azure-pulumi.md 5.4).
 */
import * as azuread from '@pulumi/azuread';
import * as pulumi from '@pulumi/pulumi';
import { AUTHENTICATION_EVENTS_APP_ID, MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_VALUE } from '../../lib/graph/types';
import { GraphApplicationEncryptionKey, GraphServicePrincipal } from '../providers/graph/resources';
import { cloudOf } from '../clouds';
import { isGuid } from '../../lib/ids/guid';

export { cloudOf };

export interface EntraApplicationsArgs {
  /** The External ID tenant ID (a GUID). */
  tenantId: string;
  /** The tenant's subdomain (`contoso` of contoso.onmicrosoft.com / contoso.ciamlogin.com). */
  tenantDomain: string;
  /** `https://graph.microsoft.com`, or a national cloud's Graph URL. */
  graphBaseUrl: string;
  /** The function app's host name, e.g. `func-jit.azurewebsites.net`: the identifier URI is built from it. */
  functionHostName: pulumi.Input<string>;
  /** The Key Vault certificate whose private key the function decrypts with. Public data, not secrets. */
  encryptionCertificate: { base64Der: pulumi.Input<string>; notBefore: pulumi.Input<string>; expiresOn: pulumi.Input<string>; thumbprintHex: pulumi.Input<string> };
  /**
   * Key rotation: the certificate being replaced stays listed in keyCredentials (no longer the token encryption
   * key) until this is dropped, so nothing it encrypted is orphaned mid-rotation.
   */
  /** Undefined (or resolving to undefined) until the Key Vault certificate has a previous version. */
  previousEncryptionCertificate?: pulumi.Input<{ base64Der: string; notBefore: string; expiresOn: string; thumbprintHex: string } | undefined>;
  /** Register a test client (redirect https://jwt.ms/) and output a ready sign-in URL. */
  createTestClient: boolean;
}

/** A fixed nonce: the test URL is for a person pasting it into a browser, not for replay protection. */
const TEST_NONCE = 'jit-migration-test';
/** azuread requires a trailing slash on a redirect URI without a path; the authorize request must then match it. */
export const TEST_REDIRECT_URI = 'https://jwt.ms/';

export class EntraApplications extends pulumi.ComponentResource {
  /** The explicit azuread provider for the External ID tenant; pass it to any other azuread resource. */
  readonly provider: azuread.Provider;
  /** `contoso` of contoso.ciamlogin.com, normalised from `tenantDomain`. */
  readonly tenantSubdomain: string;
  readonly extensionAppId: pulumi.Output<string>;
  readonly extensionAppObjectId: pulumi.Output<string>;
  /** `api://{function host}/{extension appId}`, available once the Authentication Events principal and the consent exist. */
  readonly identifierUri: pulumi.Output<string>;
  readonly tokenEncryptionKeyId: pulumi.Output<string>;
  readonly testClientAppId: pulumi.Output<string | undefined>;
  readonly testSignInUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: EntraApplicationsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('jitmigration:entra:EntraApplications', name, {}, opts);
    const tenantId = tenantGuid(args.tenantId);
    const tenantSubdomain = subdomainOf(args.tenantDomain);
    this.tenantSubdomain = tenantSubdomain;
    const stack = pulumi.getStack();

    // tenantId wins over ARM_TENANT_ID; useMsi: false because the SDK defaults it from ARM_USE_MSI, and a managed
    // identity signs in to its own (workforce) tenant whatever tenantId says (azuread Provider docs).
    this.provider = new azuread.Provider(`${name}-external-id`, { tenantId, environment: cloudOf(args.graphBaseUrl), useMsi: false }, { parent: this });
    const inTenant = { parent: this, provider: this.provider };

    // Permission ids are resolved by name from the tenant's Microsoft Graph principal (docs/entra-contracts.md#extension-app).
    const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }, inTenant);
    const receivePayload = graph.appRoleIds.apply((ids) => permissionId(ids, RECEIVE_PAYLOAD_ROLE_VALUE, 'application permission (app role)'));

    // ApplicationRegistration, not Application: the identifier URI embeds the app's own appId, so it is added
    // afterwards (ApplicationIdentifierUri), and Application's update re-sends identifierUris and
    // requiredResourceAccess from its own state; without a refresh first that state lacks the URI, so any later
    // change to the app would remove it (and break the extension). ApplicationRegistration sends only the fields
    // that changed. Neither sends keyCredentials or tokenEncryptionKeyId, so the encryption key is never reverted.
    const extensionApp = new azuread.ApplicationRegistration(
      `${name}-extension-api`,
      {
        displayName: `JIT password migration extension API (${stack})`,
        signInAudience: 'AzureADMyOrg',
        // v2 tokens: aud = appId, azp = 99045fe1-… (docs/entra-contracts.md#caller-token).
        requestedAccessTokenVersion: 2,
      },
      inTenant,
    );
    const apiAccess = new azuread.ApplicationApiAccess(
      `${name}-extension-api-graph`,
      { applicationId: extensionApp.id, apiClientId: MICROSOFT_GRAPH_APP_ID, roleIds: [receivePayload] },
      inTenant,
    );
    const hostName = pulumi.output(args.functionHostName).apply(checkHostName);
    const identifierUri = new azuread.ApplicationIdentifierUri(
      `${name}-extension-api-uri`,
      { applicationId: extensionApp.id, identifierUri: pulumi.interpolate`api://${hostName}/${extensionApp.clientId}` },
      inTenant,
    );
    const extensionPrincipal = new azuread.ServicePrincipal(`${name}-extension-api`, { clientId: extensionApp.clientId }, inTenant);
    // Admin consent for the application permission = an app role assignment to the principal.
    const consent = new azuread.AppRoleAssignment(
      `${name}-receive-payload`,
      { appRoleId: receivePayload, principalObjectId: extensionPrincipal.objectId, resourceObjectId: graph.objectId },
      inTenant,
    );

    // Without it, creating the custom extension fails with AADB2C90063 (docs/entra-contracts.md#extension-app).
    const authenticationEvents = new GraphServicePrincipal(
      `${name}-authentication-events`,
      { tenantId, graphBaseUrl: args.graphBaseUrl, appId: AUTHENTICATION_EVENTS_APP_ID },
      { parent: this },
    );

    const encryptionKey = new GraphApplicationEncryptionKey(
      `${name}-encryption-key`,
      {
        tenantId,
        graphBaseUrl: args.graphBaseUrl,
        applicationObjectId: extensionApp.objectId,
        displayName: 'JIT password migration token encryption',
        certificate: args.encryptionCertificate,
        ...(args.previousEncryptionCertificate ? { previousCertificate: args.previousEncryptionCertificate } : {}),
      },
      { parent: this },
    );

    this.extensionAppId = extensionApp.clientId;
    this.extensionAppObjectId = extensionApp.objectId;
    // Whoever uses the URI (the custom extension) thereby waits for the 99045fe1 principal and the consent.
    this.identifierUri = pulumi.all([identifierUri.identifierUri, authenticationEvents.objectId, consent.id, apiAccess.id]).apply(([uri]) => uri);
    this.tokenEncryptionKeyId = encryptionKey.tokenEncryptionKeyId;

    if (args.createTestClient) {
      const testClient = this.testClient(name, tenantId, tenantSubdomain, graph, inTenant);
      this.testClientAppId = testClient.appId;
      this.testSignInUrl = testClient.signInUrl;
    } else {
      this.testClientAppId = pulumi.output(undefined);
      this.testSignInUrl = pulumi.output(undefined);
    }

    this.registerOutputs({
      extensionAppId: this.extensionAppId,
      extensionAppObjectId: this.extensionAppObjectId,
      identifierUri: this.identifierUri,
      tokenEncryptionKeyId: this.tokenEncryptionKeyId,
      testClientAppId: this.testClientAppId,
      testSignInUrl: this.testSignInUrl,
    });
  }

  /** [JIT-DOC] 4.1: redirect jwt.ms, ID tokens, User.Read admin-consented ("re-granting consent is necessary"). */
  private testClient(
    name: string,
    tenantId: string,
    tenantSubdomain: string,
    graph: pulumi.Output<azuread.GetServicePrincipalResult>,
    inTenant: pulumi.CustomResourceOptions,
  ): { appId: pulumi.Output<string>; signInUrl: pulumi.Output<string> } {
    const scopes = ['openid', 'User.Read'];
    const scopeIds = graph.oauth2PermissionScopeIds.apply((ids) => scopes.map((scope) => permissionId(ids, scope, 'delegated permission (scope)')));
    const app = new azuread.Application(
      `${name}-test-client`,
      {
        displayName: `JIT password migration test client (${pulumi.getStack()})`,
        signInAudience: 'AzureADMyOrg',
        web: { redirectUris: [TEST_REDIRECT_URI], implicitGrant: { idTokenIssuanceEnabled: true } },
        requiredResourceAccesses: [
          { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: scopeIds.apply((ids) => ids.map((id) => ({ id, type: 'Scope' }))) },
        ],
      },
      inTenant,
    );
    const principal = new azuread.ServicePrincipal(`${name}-test-client`, { clientId: app.clientId }, inTenant);
    // No userObjectId: consent for all users, i.e. admin consent.
    new azuread.ServicePrincipalDelegatedPermissionGrant(
      `${name}-test-client-consent`,
      { servicePrincipalObjectId: principal.objectId, resourceServicePrincipalObjectId: graph.objectId, claimValues: scopes },
      inTenant,
    );
    // CIAM authority https://{subdomain}.ciamlogin.com/{tenantId}; prompt=login so every test enters a password
    // (a session cookie would skip the passwordSubmit callout).
    const redirect = encodeURIComponent(TEST_REDIRECT_URI);
    const signInUrl = pulumi.interpolate`https://${tenantSubdomain}.ciamlogin.com/${tenantId}/oauth2/v2.0/authorize?client_id=${app.clientId}&response_type=id_token&redirect_uri=${redirect}&scope=openid&nonce=${TEST_NONCE}&prompt=login`;
    return { appId: app.clientId, signInUrl };
  }
}

/** A permission's id by its value, from the map azuread's getServicePrincipal returns; never guessed. */
export function permissionId(ids: Record<string, string> | undefined, value: string, kind: string): string {
  const id = ids?.[value];
  if (!id) {
    throw new Error(
      `Microsoft Graph in this tenant has no ${kind} named "${value}" (it offers ${Object.keys(ids ?? {}).length} others): ` +
        'check that tenantId is the External ID tenant and that the deploying identity can read service principals',
    );
  }
  return id;
}

function tenantGuid(value: string): string {
  if (!isGuid(value.trim())) {
    throw new Error(`tenantId must be the External ID tenant's ID (a GUID), got "${value}": set entra-jit-migration:externalIdTenantId`);
  }
  return value.trim().toLowerCase();
}

/** Accepts `contoso`, `contoso.onmicrosoft.com` or `contoso.ciamlogin.com`. */
function subdomainOf(value: string): string {
  const subdomain = value.trim().toLowerCase().replace(/\.(onmicrosoft|ciamlogin)\.com$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(subdomain)) {
    throw new Error(`tenantDomain must be the tenant's subdomain, like contoso for contoso.onmicrosoft.com, got "${value}": set entra-jit-migration:externalIdTenantDomain`);
  }
  return subdomain;
}

export function checkHostName(value: string): string {
  const host = value.trim().toLowerCase();
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(host)) {
    throw new Error(`functionHostName must be a bare host name like func-jit.azurewebsites.net (no scheme, path or port), got "${value}"`);
  }
  return host;
}
