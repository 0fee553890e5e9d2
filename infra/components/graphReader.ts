/**
 * GraphReader: the identity the function reads users with from the External ID tenant's Microsoft Graph for
 * its password-change check (`GET /users/{id}?$select=createdDateTime,lastPasswordChangeDateTime`), holding
 * one application permission, User.Read.All, admin-consented: the least of those Graph's "Get user" page
 * lists for application callers. Never a secret in an app setting or in Pulumi state:
 * - `certificate` (default): a single-tenant app registration in the External ID tenant, its service
 *   principal, the consent, and a certificate credential whose public half comes from the Key Vault
 *   certificate KeyMaterial generates; the key stays in the vault and reaches the function through a Key
 *   Vault reference (`GraphClientCertificate`), like the decryption key.
 * - `managedIdentity`: a multitenant app in the subscription's tenant that trusts the function's managed
 *   identity (federated identity credential), with its service principal, and the consent, in the External ID
 *   tenant (learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
 *   UNVERIFIED: External ID documents single-tenant apps; whether its tenants accept another tenant's
 *   multitenant app is not documented.
 *
 * Everything in the External ID tenant goes through EntraApplications' pinned azuread provider; the home app of
 * the managed-identity route through a second explicit provider pinned to the subscription's tenant.
 */
import * as azuread from '@pulumi/azuread';
import * as pulumi from '@pulumi/pulumi';
import { MICROSOFT_GRAPH_APP_ID } from '../../lib/graph/types';
import { keyIdFor } from '../providers/graph/applicationEncryptionKey';
import { cloudOf, permissionId } from './entraApplications';
import type { AppSecret, GraphClientCertificate } from './keyMaterial';

/** Resolved by this value from the tenant's Microsoft Graph principal, like Receive.Payload. */
export const USER_READ_ALL_ROLE_VALUE = 'User.Read.All';
/** What the managed identity's assertion is issued for, in the global cloud (the trust doc above). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export type GraphAuthentication = 'certificate' | 'managedIdentity';

/** What FunctionHosting turns into the `PasswordChangeCheck`, `GraphAuthentication`, `GraphClientId` and `GraphBaseUrl` settings. */
export type PasswordChangeCheckSettings =
  | { readonly mode: 'off' }
  | { readonly mode: 'graph'; readonly authentication: GraphAuthentication; readonly clientId: pulumi.Input<string>; readonly graphBaseUrl: string };

interface GraphReaderCommonArgs {
  /** EntraApplications.provider: azuread pinned to the External ID tenant. */
  externalIdProvider: azuread.Provider;
  /** `https://graph.microsoft.com`, or a national cloud's (certificate route only). */
  graphBaseUrl: string;
}

export type GraphReaderArgs = GraphReaderCommonArgs &
  (
    | {
        authentication: 'certificate';
        /** KeyMaterial.graphClientCertificate (KeyMaterial's `graphClientCertificate` argument set). */
        certificate: GraphClientCertificate | undefined;
      }
    | {
        authentication: 'managedIdentity';
        /** The subscription's tenant: the home of the app and of the managed identity. */
        azureTenantId: pulumi.Input<string>;
        /** The function's user-assigned identity's principal (object) id: the federated credential's subject. */
        functionPrincipalId: pulumi.Input<string>;
      }
  );

export class GraphReader extends pulumi.ComponentResource {
  /** `GraphClientId`: available once the principal, the consent and the credential exist. */
  readonly clientId: pulumi.Output<string>;
  /** `GraphClientCertificate` (certificate route), its reference waiting for the app's credential; else none. */
  readonly appSecrets: readonly AppSecret[];
  readonly settings: PasswordChangeCheckSettings;

  constructor(name: string, args: GraphReaderArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('jitmigration:entra:GraphReader', name, {}, opts);
    const inTenant = { parent: this, provider: args.externalIdProvider };
    const displayName = `JIT password migration Graph reader (${pulumi.getStack()})`;

    const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }, inTenant);
    const userReadAll = graph.appRoleIds.apply((ids) => permissionId(ids, USER_READ_ALL_ROLE_VALUE, 'application permission (app role)'));
    // Declared on the app so its registration shows what it holds; the assignment below is the grant.
    const requiredResourceAccesses = [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: userReadAll, type: 'Role' }] }];

    let app: azuread.Application;
    let credential: pulumi.CustomResource;
    let secret: AppSecret | undefined;
    if (args.authentication === 'certificate') {
      if (!args.certificate) throw new Error('GraphReader: the certificate route needs the Key Vault certificate: pass graphClientCertificate to KeyMaterial and KeyMaterial.graphClientCertificate here');
      secret = args.certificate.secret;
      app = new azuread.Application(`${name}-app`, { displayName, signInAudience: 'AzureADMyOrg', requiredResourceAccesses }, inTenant);
      const certificate = args.certificate.certificate;
      // Dates and keyId come from the certificate: stable inputs, so no diff until Key Vault issues a new
      // version; then a new credential is added before the old one goes (create before delete).
      credential = new azuread.ApplicationCertificate(
        `${name}-certificate`,
        {
          applicationId: app.id,
          type: 'AsymmetricX509Cert',
          encoding: 'base64',
          value: certificate.base64Der,
          startDate: certificate.notBefore.apply(rfc3339),
          endDate: certificate.expiresOn.apply(rfc3339),
          keyId: certificate.thumbprintHex.apply(keyIdFor),
        },
        inTenant,
      );
    } else {
      const home = new azuread.Provider(`${name}-azure-tenant`, { tenantId: args.azureTenantId, environment: cloudOf(args.graphBaseUrl) }, { parent: this });
      const inHome = { parent: this, provider: home };
      // Multitenant: a managed identity can be trusted only by an app of its own tenant, which must be
      // provisioned into the tenant whose Graph it reads.
      app = new azuread.Application(`${name}-home-app`, { displayName, signInAudience: 'AzureADMultipleOrgs', requiredResourceAccesses }, inHome);
      credential = new azuread.ApplicationFederatedIdentityCredential(
        `${name}-managed-identity`,
        {
          applicationId: app.id,
          displayName: 'function-managed-identity',
          description: 'The JIT migration function app\'s user-assigned managed identity',
          audiences: [TOKEN_EXCHANGE_AUDIENCE],
          issuer: pulumi.interpolate`https://login.microsoftonline.com/${args.azureTenantId}/v2.0`,
          subject: args.functionPrincipalId,
        },
        inHome,
      );
    }
    const principal = new azuread.ServicePrincipal(`${name}-app`, { clientId: app.clientId }, inTenant);
    // Admin consent for the application permission = an app role assignment to the principal.
    const consent = new azuread.AppRoleAssignment(
      `${name}-user-read-all`,
      { appRoleId: userReadAll, principalObjectId: principal.objectId, resourceObjectId: graph.objectId },
      inTenant,
    );

    this.clientId = pulumi.all([app.clientId, principal.id, consent.id, credential.id]).apply(([clientId]) => clientId);
    this.settings = { mode: 'graph', authentication: args.authentication, clientId: this.clientId, graphBaseUrl: args.graphBaseUrl };
    // The app setting moves to a new key version only once the app's credential holds its certificate.
    this.appSecrets = secret ? [{ ...secret, reference: pulumi.all([secret.reference, credential.id]).apply(([reference]) => reference) }] : [];

    this.registerOutputs({ clientId: this.clientId });
  }
}

/** `2026-01-01T00:00:00Z`: azuread reads the credential's dates back in this form (RFC 3339, whole seconds). */
function rfc3339(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`GraphReader: the Key Vault certificate reported an invalid date '${iso}': run pulumi up --refresh`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
