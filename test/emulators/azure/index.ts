export { KeyVaultEmulator, KEY_VAULT_RESOURCE, type EmulatedVersion, type KeyVaultEmulatorOptions, type KeyVaultEmulatorStats } from './keyVault';
export { DEPLOY_STATUS, FlexDeployEmulator, type EmulatedDeployment, type FlexDeployEmulatorOptions } from './flexDeploy';
export type { ScriptedFault } from './http';
export { extractZip, InvalidZipError, readZip, type ZipEntry } from './zip';
