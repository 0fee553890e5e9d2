/**
 * Where the client's bearer tokens come from. The client asks before every attempt, so a source that
 * caches (as `tokenFromCredential` does) decides when to refresh.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';

export interface AccessTokenSource {
  getToken(): Promise<string>;
}

export const DEFAULT_GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Refresh this long before `expiresOnTimestamp`, so a token never expires during a retried request. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** A fixed token: tests, the emulator, or a token an operator obtained some other way. */
export function staticToken(token: string): AccessTokenSource {
  if (token.trim() === '') throw new Error('the Graph token is empty: pass a bearer token (without the "Bearer " prefix)');
  return { getToken: () => Promise.resolve(token) };
}

/**
 * The `.default` scope of the Graph instance behind `baseUrl`: national clouds serve Graph on their own host
 * (learn.microsoft.com/graph/deployments), and a token's audience must match it. Loopback hosts (tests) get
 * the global scope; they never see a real token.
 */
export function graphScopeFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  return url.protocol === 'https:' ? `${url.origin}/.default` : DEFAULT_GRAPH_SCOPE;
}

/**
 * Adapts an `@azure/identity` credential. Tokens are cached until shortly before expiry (or the credential's
 * `refreshAfterTimestamp`), and concurrent callers share one in-flight request.
 */
export function tokenFromCredential(
  credential: TokenCredential,
  scope: string = DEFAULT_GRAPH_SCOPE,
  now: () => number = Date.now,
): AccessTokenSource {
  let cached: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;

  const isFresh = (token: AccessToken): boolean => {
    const refreshAt = token.refreshAfterTimestamp ?? token.expiresOnTimestamp - EXPIRY_MARGIN_MS;
    return now() < Math.min(refreshAt, token.expiresOnTimestamp - 1000);
  };

  const fetchToken = async (): Promise<AccessToken> => {
    let token: AccessToken | null;
    try {
      token = await credential.getToken(scope);
    } catch (error) {
      // Identity errors explain which credentials were tried; keep that as the cause, lead with the fix.
      const detail = error instanceof Error ? firstLine(error.message) : 'unknown error';
      throw new Error(
        `could not get a Graph token for ${scope}: ${detail}. Sign in with \`az login --tenant <tenant>\`, ` +
          'or set AZURE_TENANT_ID/AZURE_CLIENT_ID with a client secret, certificate or workload identity',
        { cause: error },
      );
    }
    if (!token) throw new Error(`the credential returned no token for ${scope}: check that it can sign in to the tenant`);
    return token;
  };

  return {
    async getToken() {
      if (cached && isFresh(cached)) return cached.token;
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      cached = await pending;
      return cached.token;
    },
  };
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
