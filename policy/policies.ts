/**
 * The stack's security invariants as CrossGuard policies, plain objects so tests can call them without the
 * policy server (index.ts, which starts it, is only loaded by the Pulumi CLI).
 */
import type { Policies } from '@pulumi/policy';
import { entraApiAppsRequestV2Tokens } from './rules/entraApps';
import { basicPublishingCredentialsOff, functionAppHardening } from './rules/functionApp';
import { keyVaultProtection } from './rules/keyVault';
import { roleAssignmentsOnResources } from './rules/roleAssignments';
import { noSecretsInInputs } from './rules/secrets';
import { storageAccountHardening } from './rules/storage';

export const POLICY_PACK_NAME = 'entra-jit-migration-security';

export const SECURITY_POLICIES: Policies = [
  keyVaultProtection,
  storageAccountHardening,
  functionAppHardening,
  basicPublishingCredentialsOff,
  roleAssignmentsOnResources,
  noSecretsInInputs,
  entraApiAppsRequestV2Tokens,
];
