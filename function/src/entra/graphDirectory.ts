/**
 * The External ID directory through the project's one Graph client (lib/graph), signed in as the app
 * registration the Pulumi program makes for this read (README "Password changed in Entra"). It reads two
 * properties of one user, inside the callout's deadline: no retries, and the token is fetched ahead of time
 * and refreshed in the background, so a request never waits for a sign-in to Entra.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ClientAssertionCredential, ClientCertificateCredential, ManagedIdentityCredential } from '@azure/identity';
import { GraphClient, GraphError, graphScopeFor, staticToken, tokenFromCredential, type AccessTokenSource } from '../../../lib/graph';
import type { GraphCredentialSettings } from '../config/settings';
import { EntraDirectoryError, type EntraDirectory, type PasswordTimes } from './port';
import { GUID } from '../../../lib/ids/guid';

/** `tokenFromCredential` refreshes 5 minutes before expiry; asking this often keeps the refresh off the request path. */
const TOKEN_REFRESH_INTERVAL_MS = 4 * 60_000;
/** Token audience for a managed identity's assertion to another tenant ("Configure an application to trust a managed identity"). */
const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

export interface GraphDirectoryOptions {
  readonly tenantId: string;
  readonly graphBaseUrl: string;
  readonly credential: GraphCredentialSettings;
  /** Per attempt; the callout's deadline also ends the request. */
  readonly timeoutMs: number;
}

export class GraphEntraDirectory implements EntraDirectory {
  private readonly client: GraphClient;
  private readonly token: AccessTokenSource;
  private refresher?: NodeJS.Timeout;

  constructor(private readonly options: GraphDirectoryOptions) {
    this.token = tokenSource(options);
    this.client = new GraphClient({ baseUrl: options.graphBaseUrl, token: this.token, maxRetries: 0, notFoundRetries: 0, timeoutMs: options.timeoutMs });
  }

  async readPasswordTimes(userId: string, signal: AbortSignal): Promise<PasswordTimes> {
    if (!GUID.test(userId)) throw new EntraDirectoryError('the user id is not an object id');
    let user: { createdDateTime?: unknown; lastPasswordChangeDateTime?: unknown } | undefined;
    try {
      user = await this.client.get(`/users/${userId}`, { query: { $select: 'createdDateTime,lastPasswordChangeDateTime' }, signal });
    } catch (error) {
      throw new EntraDirectoryError(error instanceof GraphError ? `Graph: ${error.status === 0 ? 'no answer' : `HTTP ${error.status}${error.code ? ` ${error.code}` : ''}`}` : 'Graph could not be reached', {
        cause: error,
      });
    }
    return {
      createdDateTime: typeof user?.createdDateTime === 'string' ? user.createdDateTime : undefined,
      lastPasswordChangeDateTime: typeof user?.lastPasswordChangeDateTime === 'string' ? user.lastPasswordChangeDateTime : undefined,
    };
  }

  /**
   * Signs in and reads one user with the two properties: proves the credential, the tenant, the
   * `User.Read.All` grant and that this tenant returns `lastPasswordChangeDateTime`.
   */
  async probe(): Promise<void> {
    try {
      await this.token.getToken();
    } catch (error) {
      throw new EntraDirectoryError(
        `could not sign in to the External ID tenant as GraphClientId (${firstLine(error)}): check GraphClientId, that the app's certificate credential is the one in GraphClientCertificate, and ExternalIdTenantId`,
      );
    }
    try {
      await this.client.get('/users', { query: { $top: '1', $select: 'id,createdDateTime,lastPasswordChangeDateTime' } });
    } catch (error) {
      const status = error instanceof GraphError ? error.status : 0;
      const fix =
        status === 401 || status === 403
          ? "grant the app the Microsoft Graph application permission User.Read.All with admin consent (the Pulumi program does)"
          : status === 400
            ? 'this tenant does not return lastPasswordChangeDateTime: set PasswordChangeCheck=off and read the README before you do'
            : 'check the network path to Microsoft Graph (GraphBaseUrl)';
      throw new EntraDirectoryError(`Graph refused the read of users (${status === 0 ? 'no answer' : `HTTP ${status}`}): ${fix}`);
    }
    this.refresher ??= setInterval(() => void this.token.getToken().catch(() => undefined), TOKEN_REFRESH_INTERVAL_MS).unref();
  }

  close(): void {
    if (this.refresher) clearInterval(this.refresher);
    this.refresher = undefined;
  }
}

function tokenSource(options: GraphDirectoryOptions): AccessTokenSource {
  const scope = graphScopeFor(options.graphBaseUrl);
  const c = options.credential;
  switch (c.kind) {
    case 'static-token':
      return staticToken(c.token);
    case 'certificate':
      checkCertificatePem(c.certificatePem);
      return tokenFromCredential(new ClientCertificateCredential(options.tenantId, c.clientId, { certificate: c.certificatePem }), scope);
    case 'managedIdentity': {
      // The identity's own tenant issues an assertion for the token-exchange audience; the app in the
      // External ID tenant trusts it through a federated identity credential (unverified in external tenants).
      const identity = new ManagedIdentityCredential(c.managedIdentityClientId ? { clientId: c.managedIdentityClientId } : {});
      const assertion = async (): Promise<string> => {
        const token = await identity.getToken(TOKEN_EXCHANGE_SCOPE);
        if (!token) throw new Error('the managed identity returned no token for api://AzureADTokenExchange');
        return token.token;
      };
      return tokenFromCredential(new ClientAssertionCredential(options.tenantId, c.clientId, assertion), scope);
    }
  }
}

/** The credential parses its PEM lazily; a bad one must be a settings problem at start-up, not a failed sign-in. */
function checkCertificatePem(pem: string): void {
  try {
    createPrivateKey(pem);
    const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
    if (!certificate) throw new Error('no certificate');
    new X509Certificate(certificate[0]);
  } catch {
    throw new EntraDirectoryError('GraphClientCertificate is not a PEM private key followed by its certificate: point the Key Vault reference at the certificate\'s secret');
  }
}

/** The identity library's own first line (the wrapper's advice is for operators at a shell, not here). */
function firstLine(error: unknown): string {
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = inner instanceof Error ? inner.message : 'unknown error';
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
