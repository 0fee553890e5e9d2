/**
 * KeyMaterial: the Key Vault (RBAC, purge protection, 90-day soft delete, diagnostics to Log Analytics)
 * and the RSA key pair Entra encrypts passwords to, generated inside the vault as a self-signed, exportable
 * PEM certificate ([JIT-DOC] 2.1.3; docs/entra-contracts.md#encryption-key). The private key never leaves Key Vault through this
 * program: the function reads it through a Key Vault reference, Entra gets only the public certificate.
 *
 * With the password-change check's certificate route, a second self-signed certificate is generated the same
 * way: the key the function signs its Graph client assertions with (GraphReader puts its public half on the
 * reader app). Both vault certificates live here, behind the one deployer role assignment.
 *
 * The app's read access (Key Vault Secrets User) is granted by FunctionHosting, which owns the identity,
 * at the narrowest scope ARM supports: each secret (`{vaultId}/secrets/{name}`), listed in `appSecrets`.
 *
 * With `existingVault` (a platform team's vault, README "Bring your own resources") no vault is created and
 * nothing on it is changed (no diagnostic setting, network rule or private endpoint): only the certificates,
 * the secret and this stack's role assignments go into it.
 */
import * as pulumi from '@pulumi/pulumi';
import * as keyvault from '@pulumi/azure-native/keyvault';
import * as monitor from '@pulumi/azure-native/monitor';
import type { CertificateConfig, ExistingKeyVault } from '../config';
import { KeyVaultCertificate } from '../providers/keyVaultCertificate';
import type { PrivateEndpoints } from './network';
import { assignRole } from '../roles';

/** App settings that hold Key Vault references (README "Configuration reference"). */
export type SecretSetting = 'DecryptionPrivateKey' | 'DecryptionPrivateKeyPrevious' | 'LegacyServiceApiKey' | 'GraphClientCertificate';

export interface AppSecret {
  readonly setting: SecretSetting;
  readonly secretName: string;
  /**
   * `@Microsoft.KeyVault(SecretUri=...)`: the only form in which a secret appears in app settings.
   * Undefined = the setting is omitted (no previous key yet).
   */
  readonly reference: pulumi.Output<string | undefined>;
  /** ARM id of the secret: the role assignment scope. */
  readonly scope: pulumi.Output<string>;
}

export interface KeyMaterialArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  vaultName: pulumi.Input<string>;
  /** An existing RBAC vault to use instead of creating one (`vaultName`, `publicNetworkAccess`, `privateEndpoints` unused). */
  existingVault?: ExistingKeyVault;
  /** Entra tenant of the Azure subscription (not the External ID tenant). */
  azureTenantId: pulumi.Input<string>;
  subscriptionId: pulumi.Input<string>;
  publicNetworkAccess: 'Enabled' | 'Disabled';
  /** networkMode=private: the vault's private endpoint goes here (its public network access is then Disabled). */
  privateEndpoints?: PrivateEndpoints;
  logAnalyticsWorkspaceId: pulumi.Input<string>;
  certificate: CertificateConfig;
  /** Rotation override; unset = the certificate's previous version, once it has one (README.md#key-rotation). */
  previousCertificate?: { readonly name: string; readonly version?: string };
  /** A secret Output; stored as a Key Vault secret and referenced, never put in an app setting. */
  legacyServiceApiKey?: pulumi.Output<string>;
  /** The Graph reader's signing certificate (passwordChangeCheck=graph, graphAuthentication=certificate). */
  graphClientCertificate?: CertificateConfig;
  /**
   * Object id of the deploying principal: gets Key Vault Certificates Officer on the vault so the
   * certificate provider can create the certificate (RBAC vaults grant no data-plane access by default).
   */
  deployer?: { objectId: pulumi.Input<string>; principalType: 'User' | 'ServicePrincipal' };
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Key Vault reference syntax (App Service docs "Key Vault references"); versionless = latest version. */
export function keyVaultReference(secretUri: string): string {
  if (!/^https:\/\/[^/]+\/secrets\/[0-9a-zA-Z-]+(\/[0-9a-f]{32})?$/i.test(secretUri)) {
    throw new Error(`keyVaultReference: '${secretUri}' is not a Key Vault secret URI (https://<vault>/secrets/<name>[/<version>])`);
  }
  return `@Microsoft.KeyVault(SecretUri=${secretUri})`;
}

/** The public half of a vault certificate: what Entra gets. */
export interface PublicCertificate {
  base64Der: pulumi.Output<string>;
  notBefore: pulumi.Output<string>;
  expiresOn: pulumi.Output<string>;
  thumbprintHex: pulumi.Output<string>;
}

export interface PlainCertificate {
  base64Der: string;
  notBefore: string;
  expiresOn: string;
  thumbprintHex: string;
}

/** The Graph reader's certificate: its public half for the app's credential, its key for the function. */
export interface GraphClientCertificate {
  readonly certificate: PublicCertificate;
  /** `GraphClientCertificate`, pinned to the version whose public half the app's credential holds. */
  readonly secret: AppSecret;
}

const LEGACY_API_KEY_SECRET = 'legacy-service-api-key';

export class KeyMaterial extends pulumi.ComponentResource {
  /** Undefined with `existingVault`. */
  readonly vault: keyvault.Vault | undefined;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultId: pulumi.Output<string>;
  /** `https://{name}.vault.azure.net/` */
  readonly vaultUri: pulumi.Output<string>;
  readonly certificate: KeyVaultCertificate;
  /** Public half for Entra's key credential. */
  readonly encryptionCertificate: PublicCertificate;
  /** The version before the current one (after a renewal or rotation), kept listed in Entra during the switch. */
  readonly previousEncryptionCertificate: pulumi.Output<PlainCertificate | undefined>;
  readonly appSecrets: readonly AppSecret[];
  /** Undefined unless `graphClientCertificate` was asked for; its secret is not in `appSecrets` (GraphReader orders it). */
  readonly graphClientCertificate: GraphClientCertificate | undefined;
  /** networkMode=private: the vault's private endpoint, which the function app waits for. */
  readonly privateEndpoint: pulumi.Resource | undefined;

  constructor(name: string, args: KeyMaterialArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:KeyMaterial', name, {}, opts);

    const existing = args.existingVault;
    this.vault = existing
      ? undefined
      : new keyvault.Vault(
          `${name}-vault`,
          {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            vaultName: args.vaultName,
            properties: {
              tenantId: args.azureTenantId,
              sku: { family: 'A', name: 'standard' },
              // AVM key-vault defaults: Azure RBAC instead of access policies, purge protection,
              // 90-day soft delete. Purge protection and soft delete cannot be turned off once set.
              enableRbacAuthorization: true,
              enablePurgeProtection: true,
              enableSoftDelete: true,
              softDeleteRetentionInDays: 90,
              enabledForDeployment: false,
              enabledForDiskEncryption: false,
              enabledForTemplateDeployment: false,
              publicNetworkAccess: args.publicNetworkAccess,
              // App Service resolves references from the platform, not as a trusted service: a firewall that
              // denies public traffic needs private networking for the app (and the deployer).
              networkAcls: { bypass: 'AzureServices', defaultAction: args.publicNetworkAccess === 'Enabled' ? 'Allow' : 'Deny' },
            },
            tags: args.tags,
          },
          { parent: this },
        );
    this.vaultName = this.vault ? this.vault.name : pulumi.output(existing!.name);
    this.vaultId = this.vault ? this.vault.id : pulumi.output(existing!.id);
    this.vaultUri = this.vault ? this.vault.properties.apply((p) => p.vaultUri ?? '') : pulumi.output(existing!.uri);
    // The Secret resource names the vault's own group, which need not be the stack's.
    const vaultResourceGroupName = existing ? existing.resourceGroupName : args.resourceGroupName;

    if (this.vault) {
      new monitor.DiagnosticSetting(
        `${name}-vault-diagnostics`,
        {
          name: 'to-log-analytics',
          resourceUri: this.vault.id,
          workspaceId: args.logAnalyticsWorkspaceId,
          // allLogs includes the AuditEvent category: every secret/certificate read is recorded.
          logs: [{ categoryGroup: 'allLogs', enabled: true }],
          metrics: [{ category: 'AllMetrics', enabled: true }],
        },
        { parent: this },
      );
    }

    const certificateDependsOn: pulumi.Resource[] = [];
    // A closed vault's data plane (certificate creation included) is reachable only through its endpoint.
    this.privateEndpoint = this.vault ? args.privateEndpoints?.connect(`${name}-vault-endpoint`, this.vault.id, 'vault', { parent: this }) : undefined;
    if (this.privateEndpoint) certificateDependsOn.push(this.privateEndpoint);
    if (args.deployer !== undefined) {
      // Vault scope: the certificate does not exist yet. The deployer is a user (pulumi up from a
      // workstation) or a service principal (CI); azure-native would otherwise default the type to User.
      certificateDependsOn.push(
        assignRole(
          `${name}-deployer-certificates-officer`,
          {
            scope: this.vaultId,
            principalId: args.deployer.objectId,
            principalType: args.deployer.principalType,
            role: 'KeyVaultCertificatesOfficer',
            subscriptionId: args.subscriptionId,
            description: 'Deployer: create and renew the JIT decryption certificate (pulumi up)',
          },
          { parent: this },
        ),
      );
    }

    this.certificate = new KeyVaultCertificate(
      `${name}-certificate`,
      {
        vaultUri: this.vaultUri,
        certificateName: args.certificate.name,
        subject: args.certificate.subject,
        keySize: args.certificate.keySize,
        validityInMonths: args.certificate.validityInMonths,
        renewDaysBeforeExpiry: args.certificate.renewDaysBeforeExpiry,
      },
      { parent: this, dependsOn: certificateDependsOn },
    );
    this.encryptionCertificate = {
      base64Der: this.certificate.certificateBase64Der,
      notBefore: this.certificate.notBefore,
      expiresOn: this.certificate.expiresOn,
      thumbprintHex: this.certificate.thumbprintHex,
    };
    const c = this.certificate;
    this.previousEncryptionCertificate = pulumi
      .all([c.previousCertificateBase64Der, c.previousNotBefore, c.previousExpiresOn, c.previousThumbprintHex])
      .apply(([base64Der, notBefore, expiresOn, thumbprintHex]) =>
        base64Der && notBefore && expiresOn && thumbprintHex ? { base64Der, notBefore, expiresOn, thumbprintHex } : undefined,
      );

    const secretScope = (secretName: string): pulumi.Output<string> => pulumi.interpolate`${this.vaultId}/secrets/${secretName}`;
    const secretUri = (secretName: string, version?: string): pulumi.Output<string> =>
      this.vaultUri.apply((uri) => `${uri.replace(/\/+$/, '')}/secrets/${secretName}${version ? `/${version}` : ''}`);

    // A certificate's key and certificate are readable as the secret of the same name (PEM content type).
    // The current key is pinned to the version whose certificate Entra holds: after Key Vault auto-renews,
    // both move together on the next `pulumi up --refresh`, never the app alone (within 24 h of the renewal).
    const secrets: AppSecret[] = [
      {
        setting: 'DecryptionPrivateKey',
        secretName: args.certificate.name,
        reference: this.certificate.versionedSecretId.apply(keyVaultReference),
        scope: secretScope(args.certificate.name),
      },
    ];
    if (args.previousCertificate) {
      // Explicit override, e.g. the old certificate after moving to a new certificateName.
      const { name: previousName, version } = args.previousCertificate;
      secrets.push({
        setting: 'DecryptionPrivateKeyPrevious',
        secretName: previousName,
        reference: secretUri(previousName, version).apply(keyVaultReference),
        scope: secretScope(previousName),
      });
    } else {
      // Default: the version before the current one stays live, for tokens Entra encrypted before the switch.
      secrets.push({
        setting: 'DecryptionPrivateKeyPrevious',
        secretName: args.certificate.name,
        reference: this.certificate.previousVersionedSecretId.apply((id) => (id ? keyVaultReference(id) : undefined)),
        scope: secretScope(args.certificate.name),
      });
    }
    if (args.legacyServiceApiKey) {
      const apiKey = new keyvault.Secret(
        `${name}-legacy-service-api-key`,
        {
          resourceGroupName: vaultResourceGroupName,
          vaultName: this.vaultName,
          secretName: LEGACY_API_KEY_SECRET,
          properties: { value: pulumi.secret(args.legacyServiceApiKey), contentType: 'text/plain' },
          tags: args.tags,
        },
        // ARM never returns the value; keep the whole properties bag secret in state.
        { parent: this, additionalSecretOutputs: ['properties'] },
      );
      secrets.push({
        setting: 'LegacyServiceApiKey',
        secretName: LEGACY_API_KEY_SECRET,
        reference: pulumi.unsecret(apiKey.properties).apply((p) => keyVaultReference(p.secretUri)),
        scope: secretScope(LEGACY_API_KEY_SECRET),
      });
    }
    this.appSecrets = secrets;

    if (args.graphClientCertificate) {
      const config = args.graphClientCertificate;
      // Same provider and policy as the decryption certificate (exportable PEM, AutoRenew, a new key per
      // version). The policy names no keyUsage, so Key Vault's default applies, as for that certificate.
      const graphCertificate = new KeyVaultCertificate(
        `${name}-graph-client-certificate`,
        {
          vaultUri: this.vaultUri,
          certificateName: config.name,
          subject: config.subject,
          keySize: config.keySize,
          validityInMonths: config.validityInMonths,
          renewDaysBeforeExpiry: config.renewDaysBeforeExpiry,
        },
        { parent: this, dependsOn: certificateDependsOn },
      );
      this.graphClientCertificate = {
        certificate: {
          base64Der: graphCertificate.certificateBase64Der,
          notBefore: graphCertificate.notBefore,
          expiresOn: graphCertificate.expiresOn,
          thumbprintHex: graphCertificate.thumbprintHex,
        },
        // Pinned like DecryptionPrivateKey: after an AutoRenew the app moves to the new key only on the
        // `pulumi up --refresh` that also puts the new certificate on the reader app.
        secret: {
          setting: 'GraphClientCertificate',
          secretName: config.name,
          reference: graphCertificate.versionedSecretId.apply(keyVaultReference),
          scope: secretScope(config.name),
        },
      };
    } else {
      this.graphClientCertificate = undefined;
    }

    this.registerOutputs({ vaultId: this.vaultId, vaultUri: this.vaultUri, certificateSecretId: this.certificate.secretId });
  }
}
