/**
 * The Microsoft Graph endpoint decides the cloud: azuread's `environment` and, for the global cloud only, the
 * region check in config.ts. One place, read by the config loader (so a wrong endpoint is refused before any
 * resource) and by the components that create azuread providers.
 */

/** Graph hosts (learn.microsoft.com/graph/deployments) and azuread's name for each cloud. */
export const CLOUDS: Readonly<Record<string, string>> = {
  'graph.microsoft.com': 'global',
  'graph.microsoft.us': 'usgovernmentl4',
  'dod-graph.microsoft.us': 'usgovernmentl5',
  'microsoftgraph.chinacloudapi.cn': 'china',
};

/** azuread's `environment` for a Graph base URL; throws, naming the fix, for anything else. */
export function cloudOf(graphBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(graphBaseUrl);
  } catch {
    throw new Error(`graphBaseUrl "${graphBaseUrl}" is not a URL: use https://graph.microsoft.com`);
  }
  // Loopback: the Graph emulator in tests, which stands in for the global cloud.
  if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return 'global';
  const cloud = url.protocol === 'https:' ? CLOUDS[url.hostname.toLowerCase()] : undefined;
  if (cloud === undefined) {
    throw new Error(`graphBaseUrl "${graphBaseUrl}" is not a Microsoft Graph endpoint: use one of ${Object.keys(CLOUDS).map((host) => `https://${host}`).join(', ')}`);
  }
  return cloud;
}

/** Key Vault's DNS suffix per cloud (learn.microsoft.com key-vault/general/about-keys-secrets-certificates#dns-suffixes). */
const KEY_VAULT_DNS_SUFFIXES: Readonly<Record<string, string>> = {
  global: 'vault.azure.net',
  usgovernmentl4: 'vault.usgovcloudapi.net',
  usgovernmentl5: 'vault.usgovcloudapi.net',
  china: 'vault.azure.cn',
};

/** A vault's data-plane URI (`properties.vaultUri`) from its name, for a vault this stack does not create. */
export function keyVaultUri(vaultName: string, cloud: string): string {
  const suffix = KEY_VAULT_DNS_SUFFIXES[cloud];
  if (suffix === undefined) throw new Error(`no Key Vault DNS suffix is known for the ${cloud} cloud`);
  return `https://${vaultName.toLowerCase()}.${suffix}/`;
}
