/**
 * LegacyB2c: what legacyStore=b2c needs for an External ID deployment whose legacy system is an Azure AD B2C
 * tenant (README "From Azure AD B2C to External ID", "As code"):
 * - in the B2C tenant, through the same explicit provider B2C mode uses (b2cTenantProvider), the ROPC app
 *   registration as B2C requires it (learn "Set up a resource owner password credentials flow in Azure Active
 *   Directory B2C", add-ropc-policy): a public client (fallbackPublicClientEnabled), `oauth2AllowImplicitFlow`
 *   true (implicit access and ID tokens; B2C answers AADB2C90057 otherwise), and the openid and offline_access
 *   permissions its token request names, admin-consented as B2C's portal does for a new registration. Its own
 *   client id in the request's scope (`openid {appId} offline_access`) asks for an access token for the app
 *   itself, which needs no grant (learn "Request an access token in Azure AD B2C", OpenID Connect scopes);
 * - the ROPC user flow (`B2C_1_ROPC`, type resourceOwner) through Graph beta identity/b2cUserFlows: a user flow
 *   rather than a custom policy because Microsoft documents it for ROPC, it needs no starter pack in the tenant,
 *   and the policy generator's layout (one layer, two relying parties) stays as B2C mode uploads it;
 * - in the External ID tenant, the String extension property `b2cObjectId` on the b2c-extensions-app that
 *   `jitmigrate provision-users --preset b2c --b2c-object-id-property` fills, so status, reconcile and finish can
 *   join the two tenants;
 * - the function's LegacyB2c* app settings (b2clogin form: a public client sends no secret).
 */
import * as azuread from '@pulumi/azuread';
import * as pulumi from '@pulumi/pulumi';
import { MICROSOFT_GRAPH_APP_ID } from '../../lib/graph/types';
import type { LegacyB2cStoreConfig } from '../config';
import { GraphB2cUserFlow, GraphExtensionProperty } from '../providers/graph/resources';
import { b2cTenantProvider } from './b2cTenantProvider';
import { permissionId } from './entraApplications';
import type { AppSetting } from './functionHosting';

/** Short name of the External ID extension property that keeps a user's B2C object id. */
export const B2C_OBJECT_ID_PROPERTY = 'b2cObjectId';
/** The delegated Microsoft Graph permissions the ROPC request's scope names. */
export const ROPC_GRAPH_SCOPES = ['openid', 'offline_access'] as const;
/** Graph's userFlowTypeVersion of the ROPC user flow (the portal's only version of that type). */
export const ROPC_USER_FLOW_TYPE_VERSION = 1;

export interface LegacyB2cArgs {
  config: LegacyB2cStoreConfig;
  /** The External ID tenant the b2cObjectId property is made in. */
  externalId: { tenantId: string; graphBaseUrl: string };
}

export class LegacyB2c extends pulumi.ComponentResource {
  /** The explicit azuread provider for the B2C tenant. */
  readonly provider: azuread.Provider;
  /** Client id of the ROPC app registration, once its consent and the user flow exist (LegacyB2cClientId). */
  readonly ropcAppId: pulumi.Output<string>;
  /** `B2C_1_ROPC` as B2C names it (LegacyB2cPolicy). */
  readonly userFlowId: pulumi.Output<string>;
  /** `extension_{b2c-extensions-app appId without hyphens}_b2cObjectId` in the External ID tenant. */
  readonly b2cObjectIdPropertyFullName: pulumi.Output<string>;
  /** LegacyB2cTenant, LegacyB2cClientId, LegacyB2cPolicy, LegacyB2cEndpoint (LegacyStore is FunctionHosting's). */
  readonly appSettings: readonly AppSetting[];

  constructor(name: string, args: LegacyB2cArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('jitmigration:b2c:LegacyB2c', name, {}, opts);
    const { config } = args;
    const stack = pulumi.getStack();
    this.provider = b2cTenantProvider(`${name}-tenant`, config, this);
    const inTenant = { parent: this, provider: this.provider };

    const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }, inTenant);
    const scopeIds = graph.oauth2PermissionScopeIds.apply((ids) => ROPC_GRAPH_SCOPES.map((value) => permissionId(ids, value, 'delegated permission (scope)')));
    const app = new azuread.Application(
      `${name}-ropc`,
      {
        displayName: `JIT password migration ROPC (${stack})`,
        // B2C's audience for user flows: "accounts in any identity provider or organizational directory".
        signInAudience: 'AzureADandPersonalMicrosoftAccount',
        // Public client: ROPC in B2C takes no client secret (it is not validated for confidential clients).
        fallbackPublicClientEnabled: true,
        // The manifest's oauth2AllowImplicitFlow: without it B2C refuses ROPC with AADB2C90057.
        web: { implicitGrant: { accessTokenIssuanceEnabled: true, idTokenIssuanceEnabled: true } },
        // The access token is for the app itself (scope {appId}); v2, as every app here (policy pack).
        api: { requestedAccessTokenVersion: 2 },
        requiredResourceAccesses: [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: scopeIds.apply((ids) => ids.map((id) => ({ id, type: 'Scope' }))) }],
      },
      inTenant,
    );
    const principal = new azuread.ServicePrincipal(`${name}-ropc`, { clientId: app.clientId }, inTenant);
    // No userObjectId: consent for all users (admin consent), so no user is ever asked, which ROPC cannot do.
    const consent = new azuread.ServicePrincipalDelegatedPermissionGrant(
      `${name}-ropc-consent`,
      { servicePrincipalObjectId: principal.objectId, resourceServicePrincipalObjectId: graph.objectId, claimValues: [...ROPC_GRAPH_SCOPES] },
      inTenant,
    );

    const flow = new GraphB2cUserFlow(
      `${name}-ropc-flow`,
      { tenantId: config.tenantId, graphBaseUrl: config.graphBaseUrl, userFlowId: config.userFlow, userFlowType: 'resourceOwner', userFlowTypeVersion: ROPC_USER_FLOW_TYPE_VERSION },
      { parent: this },
    );
    this.userFlowId = flow.userFlowId;
    // The function calls B2C with this id only once B2C can answer: the consent and the flow exist.
    this.ropcAppId = pulumi.all([app.clientId, consent.id, flow.userFlowId]).apply(([clientId]) => clientId);

    const objectIdProperty = new GraphExtensionProperty(`${name}-object-id`, { ...args.externalId, name: B2C_OBJECT_ID_PROPERTY, dataType: 'String' }, { parent: this });
    this.b2cObjectIdPropertyFullName = objectIdProperty.fullName;

    this.appSettings = [
      { name: 'LegacyB2cTenant', value: config.tenantDomain },
      { name: 'LegacyB2cClientId', value: this.ropcAppId },
      { name: 'LegacyB2cPolicy', value: this.userFlowId },
      // Microsoft's documented b2clogin form: no client secret (LegacyB2cClientSecret is the entra form's).
      { name: 'LegacyB2cEndpoint', value: 'b2clogin' },
    ];
    this.registerOutputs({ ropcAppId: this.ropcAppId, userFlowId: this.userFlowId, b2cObjectIdPropertyFullName: this.b2cObjectIdPropertyFullName });
  }
}
