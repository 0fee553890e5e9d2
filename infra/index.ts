/**
 * The standalone Pulumi program: the stack's config -> the deployment (jitMigration.ts) -> stack outputs. The
 * deployment runs at the stack's root, so its resources keep the URNs they always had; another program
 * instantiates the `JitMigration` component instead (README "Use it from another Pulumi program").
 */
import { loadConfig } from './config';
import { deployJitMigration } from './jitMigration';

const deployment = deployJitMigration(loadConfig());

export const {
  resourceGroup,
  functionAppName,
  functionUrl,
  deployedPackageSha256,
  extensionAppId,
  identifierUri,
  customExtensionId,
  listenerId,
  migrationPropertyFullName,
  b2cPolicyIds,
  b2cKeySetNames,
  b2cSignInUrl,
  b2cPasswordResetUrl,
  keyVaultName,
  storageAccountName,
  storageAccountId,
  tableEndpoint,
  legacyTableName,
  legacyB2cRopcAppId,
  legacyB2cUserFlowId,
  b2cObjectIdPropertyFullName,
  certificateThumbprint,
  certificateExpiresOn,
  testSignInUrl,
  graphReaderAppId,
  alertActionGroup,
  dashboardWorkbookId,
} = deployment;
