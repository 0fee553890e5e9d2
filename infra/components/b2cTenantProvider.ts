/**
 * The one explicit azuread provider for an Azure AD B2C tenant, used by B2C mode (B2cTenant) and by the B2C
 * tenant as the legacy store (LegacyB2c): `tenantId` wins over an ambient workforce ARM_TENANT_ID, and
 * `useMsi: false` as for the External ID tenant (EntraApplications), since a managed identity signs in to its
 * own tenant only.
 */
import * as azuread from '@pulumi/azuread';
import type * as pulumi from '@pulumi/pulumi';
import { cloudOf } from '../clouds';

export interface B2cTenantTarget {
  readonly tenantId: string;
  /** Picks the azuread environment (global or a national cloud). */
  readonly graphBaseUrl: string;
}

/** `resourceName` is the provider's own: B2C mode keeps the name (and URN) it always had. */
export function b2cTenantProvider(resourceName: string, tenant: B2cTenantTarget, parent: pulumi.Resource): azuread.Provider {
  return new azuread.Provider(resourceName, { tenantId: tenant.tenantId, environment: cloudOf(tenant.graphBaseUrl), useMsi: false }, { parent });
}
