/** Key Vault: Azure RBAC (no access policies), purge protection, and soft delete kept at least 90 days. */
import * as keyvault from '@pulumi/azure-native/keyvault';
import { validateResourceOfType, type ResourceValidationPolicy } from '@pulumi/policy';

/** ARM's maximum, and what this stack sets: a deleted vault (and its decryption key) stays recoverable longest. */
export const MIN_SOFT_DELETE_DAYS = 90;

export const keyVaultProtection: ResourceValidationPolicy = {
  name: 'key-vault-rbac-purge-protection-soft-delete',
  description: `Key Vaults use Azure RBAC, purge protection, and soft delete of at least ${MIN_SOFT_DELETE_DAYS} days.`,
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateResource: validateResourceOfType(keyvault.Vault, (vault, _args, reportViolation) => {
    const p = vault.properties;
    if (p.enableRbacAuthorization !== true) {
      reportViolation('Set properties.enableRbacAuthorization: true: access policies grant vault-wide rights outside Azure RBAC and its audit.');
    }
    if (p.enablePurgeProtection !== true) {
      reportViolation('Set properties.enablePurgeProtection: true: without it a deleted vault and its keys can be purged before the retention ends.');
    }
    if (p.enableSoftDelete === false) reportViolation('Remove properties.enableSoftDelete: false: soft delete keeps deleted keys and secrets recoverable.');
    const days = p.softDeleteRetentionInDays;
    // Explicit: ARM's default could change, and an auditor reads the program, not the API's defaults.
    if (typeof days !== 'number' || days < MIN_SOFT_DELETE_DAYS) {
      reportViolation(`Set properties.softDeleteRetentionInDays to at least ${MIN_SOFT_DELETE_DAYS} (it is ${days ?? 'not set'}).`);
    }
  }),
};
