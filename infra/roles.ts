/**
 * Built-in Azure role definitions the program assigns, and the helper that assigns them.
 * GUIDs: Learn "Azure built-in roles" (AVM `builtInRoleNames`, functions-quickstart-typescript-azd rbac.bicep).
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import { GUID } from '../lib/ids/guid';

export const BUILT_IN_ROLES = {
  /** Read secret contents: what App Service needs to resolve a Key Vault reference. */
  KeyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  /** Create and manage certificates: what the deployer needs for the Key Vault certificate provider. */
  KeyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985',
  StorageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  StorageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  MonitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;
/** What ARM records about an assignment's principal; it rejects a mismatch. */
export const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/**
 * The canonical, subscription-scoped role definition id. ARM returns this form on read; the tenant-level
 * `/providers/Microsoft.Authorization/...` form would diff (and force replacement) on every refresh
 * (terraform-provider-azurerm#4258).
 */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  if (!GUID.test(subscriptionId)) throw new Error(`roleDefinitionId: subscription id '${subscriptionId}' is not a GUID`);
  if (!GUID.test(roleGuid)) throw new Error(`roleDefinitionId: role '${roleGuid}' is not a GUID`);
  return `/subscriptions/${subscriptionId.toLowerCase()}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid.toLowerCase()}`;
}

/** Fixed namespace of this project's name-based UUIDs (any constant works; changing it renames every assignment). */
export const ROLE_ASSIGNMENT_NAMESPACE = '6f1d3c2a-8b4e-5d7f-9a1b-2c3d4e5f6a7b';

/**
 * RFC 4122 section 4.3 name-based UUID, version 5 (SHA-1). Deterministic: the same inputs always give the
 * same GUID, like Bicep's `guid(scope, principalId, roleId)`, so a re-run never re-creates an assignment.
 */
export function uuidV5(name: string, namespace: string = ROLE_ASSIGNMENT_NAMESPACE): string {
  if (!GUID.test(namespace)) throw new Error(`uuidV5: namespace '${namespace}' is not a GUID`);
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Role assignment name from scope + principal + role. ARM ids are case-insensitive, so they are lower-cased first. */
export function roleAssignmentName(scope: string, principalId: string, roleGuid: string): string {
  return uuidV5([scope, principalId, roleGuid].map((part) => part.toLowerCase()).join('|'));
}

export interface RoleAssignmentArgs {
  scope: pulumi.Input<string>;
  principalId: pulumi.Input<string>;
  role: BuiltInRole;
  subscriptionId: pulumi.Input<string>;
  /**
   * `ServicePrincipal` for managed identities: ARM then skips the directory lookup that fails while a new
   * identity replicates. Required: azure-native defaults it to `User`, and ARM rejects a mismatch.
   */
  principalType: PrincipalType;
  description: string;
}

/** One least-privilege assignment with a deterministic name and a subscription-scoped role definition id. */
export function assignRole(resourceName: string, args: RoleAssignmentArgs, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
  const roleGuid = BUILT_IN_ROLES[args.role];
  return new authorization.RoleAssignment(
    resourceName,
    {
      roleAssignmentName: pulumi.all([args.scope, args.principalId]).apply(([scope, principalId]) => roleAssignmentName(scope, principalId, roleGuid)),
      scope: args.scope,
      principalId: args.principalId,
      principalType: args.principalType,
      roleDefinitionId: pulumi.output(args.subscriptionId).apply((subscriptionId) => roleDefinitionId(subscriptionId, roleGuid)),
      description: args.description,
    },
    opts,
  );
}
