/** Storage accounts: Entra (identity) access only, no anonymous blobs, TLS 1.2 or later. */
import * as storage from '@pulumi/azure-native/storage';
import { validateResourceOfType, type ResourceValidationPolicy } from '@pulumi/policy';

const ACCEPTED_TLS = ['TLS1_2', 'TLS1_3'];

export const storageAccountHardening: ResourceValidationPolicy = {
  name: 'storage-no-shared-key-no-public-blobs-tls12',
  description: 'Storage accounts refuse shared keys (account keys and SAS) and anonymous blob access, and require TLS 1.2 or later.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateResource: validateResourceOfType(storage.StorageAccount, (account, _args, reportViolation) => {
    // Both default to allowed in ARM: only an explicit false is safe.
    if (account.allowSharedKeyAccess !== false) {
      reportViolation('Set allowSharedKeyAccess: false: account keys and SAS tokens bypass Entra authentication and RBAC.');
    }
    if (account.allowBlobPublicAccess !== false) reportViolation('Set allowBlobPublicAccess: false: no container may be readable anonymously.');
    if (!ACCEPTED_TLS.includes(String(account.minimumTlsVersion))) {
      reportViolation(`Set minimumTlsVersion: 'TLS1_2' (it is ${account.minimumTlsVersion ?? 'not set'}).`);
    }
  }),
};
