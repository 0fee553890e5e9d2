/**
 * How the Azure dynamic providers (Key Vault certificate, Flex code deployment) reach Azure, and the one test
 * seam they share. Credentials are never resource inputs (Pulumi docs "Dynamic providers"): each method builds them itself.
 *
 * - A real endpoint (https, any non-loopback host) always uses `DefaultAzureCredential` (environment, workload
 *   identity, managed identity, Azure CLI …) and ignores `JITMIGRATE_AZURE_TOKEN`.
 * - A loopback endpoint (`localhost`, `127.0.0.0/8`, `::1`; plain http allowed) is an emulator: it requires the
 *   static bearer token in `JITMIGRATE_AZURE_TOKEN` and never gets a real credential's token.
 *
 * Production inputs come from Azure resources (`https://<vault>.vault.azure.net/`, `<app>.scm.azurewebsites.net`),
 * so production can never take the emulator path, and a leaked test variable can never reach Azure.
 */
import { DefaultAzureCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import { isLoopbackHost } from '../../lib/net/loopback';

export const AZURE_TOKEN_VARIABLE = 'JITMIGRATE_AZURE_TOKEN';

/** The scope of an Azure Resource Manager token (also accepted by the SCM site's deployment API). */
export const ARM_SCOPE = 'https://management.azure.com/.default';

/** The value Pulumi passes for a not-yet-known input during preview (`@pulumi/pulumi` runtime/rpc `unknownValue`). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export { isLoopbackHost };

/** A fixed token that never expires within a run: the emulator seam. */
export function staticCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 60 * 60_000 }),
  };
}

/**
 * The credential for one endpoint. Loopback needs `JITMIGRATE_AZURE_TOKEN`; everything else gets
 * `DefaultAzureCredential`, created per call so the provider process holds no long-lived state.
 */
export function credentialFor(endpoint: URL, env: NodeJS.ProcessEnv = process.env): TokenCredential {
  if (isLoopbackHost(endpoint.hostname)) {
    const token = env[AZURE_TOKEN_VARIABLE]?.trim();
    if (!token) {
      throw new Error(
        `${endpoint.host} is a loopback emulator: set ${AZURE_TOKEN_VARIABLE} to its bearer token (real Azure endpoints never use it)`,
      );
    }
    return staticCredential(token);
  }
  return new DefaultAzureCredential();
}

/** A token for `scope`; the message names the fix without echoing anything secret. */
export async function accessToken(credential: TokenCredential, scope: string): Promise<AccessToken> {
  let token: AccessToken | null;
  try {
    token = await credential.getToken(scope);
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n', 1)[0] ?? '').slice(0, 300) : 'unknown error';
    throw new Error(
      `could not get an Azure token for ${scope}: ${detail}. Sign in with \`az login\`, or run with a managed identity / AZURE_CLIENT_ID workload identity`,
      { cause: error },
    );
  }
  if (!token) throw new Error(`the Azure credential returned no token for ${scope}`);
  return token;
}

/** The status code of an Azure SDK `RestError` (duck-typed: the SDK's error classes come from a transitive package). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
