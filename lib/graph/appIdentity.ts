/**
 * App identities for bulk writers (`provision-users --identity`, repeatable): each a separate app registration
 * with its own credential, so each gets its own share of Graph's per-app write limit (3,000 per 150 s per app
 * and tenant; the tenant itself allows 18,000 per 5 min: throttling-limits, "Identity and access service
 * limits"). The three kinds, written `<client id>:<kind>=<value>`:
 *
 * - `cert=<file>`: a PEM file with the certificate and its private key (ClientCertificateCredential);
 * - `keyvault=https://<vault>.vault.azure.net/certificates/<name>[/<version>]`: that certificate, read from Key
 *   Vault with the operator's own sign-in (DefaultAzureCredential, "Get" on secrets) when the first token is
 *   needed; the certificate's content type must be PEM (ClientCertificateCredential reads no PKCS#12);
 * - `token-file=<file>`: a federated workload-identity token file (WorkloadIdentityCredential), as AKS and
 *   GitHub Actions mount them.
 *
 * Parsing is pure and every message says what to fix; nothing signs in until a token is asked for.
 */
import { ClientCertificateCredential, DefaultAzureCredential, WorkloadIdentityCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/identity';
import { GUID } from '../ids/guid';

export type AppIdentity =
  | { readonly kind: 'certificate'; readonly clientId: string; readonly certificatePath: string }
  | { readonly kind: 'key-vault-certificate'; readonly clientId: string; readonly certificateId: string }
  | { readonly kind: 'workload-identity'; readonly clientId: string; readonly tokenFilePath: string };

export const APP_IDENTITY_HELP = '<client id>:cert=<PEM file> | <client id>:keyvault=https://<vault>.vault.azure.net/certificates/<name>[/<version>] | <client id>:token-file=<file>';

/** Key Vault's DNS suffixes (public, China, US Government) and its certificate names (1–127 letters, digits, -). */
const KEY_VAULT_CERTIFICATE = /^https:\/\/[a-z0-9-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)\/certificates\/[A-Za-z0-9-]{1,127}(\/[0-9a-f]{32})?\/?$/i;
/** Reading the certificate from Key Vault: a stalled vault must not hang the first token. */
const KEY_VAULT_TIMEOUT_MS = 30_000;
const KINDS = { cert: 'certificate', keyvault: 'key-vault-certificate', 'token-file': 'workload-identity' } as const;

export class AppIdentityError extends Error {
  override readonly name = 'AppIdentityError';
}

export function parseAppIdentity(spec: string): AppIdentity {
  const separator = spec.indexOf(':');
  // Named by its client id only: what follows the colon may be a credential someone typed by mistake (secret=...).
  const named = separator < 0 ? '' : ` ${spec.slice(0, separator).trim().slice(0, 36)}`;
  const fail = (why: string) => new AppIdentityError(`--identity${named}: ${why}; write it as ${APP_IDENTITY_HELP}`);
  if (separator < 0) throw fail('no credential after the client id');
  const clientId = spec.slice(0, separator).trim();
  if (!GUID.test(clientId)) throw fail("the part before ':' must be the app registration's application (client) id, a GUID");
  const credential = spec.slice(separator + 1);
  const equals = credential.indexOf('=');
  const key = (equals < 0 ? credential : credential.slice(0, equals)).trim();
  const value = equals < 0 ? '' : credential.slice(equals + 1).trim();
  // The kind's name is shown only when it looks like one: without '=' the text may be a pasted secret.
  const shownKind = equals >= 0 && /^[A-Za-z-]{1,20}$/.test(key) ? `"${key}"` : "what follows ':'";
  if (!Object.hasOwn(KINDS, key)) throw fail(`${shownKind} is not a credential kind (cert, keyvault or token-file)`);
  if (value === '') throw fail(`${key}= needs a value`);
  const kind = KINDS[key as keyof typeof KINDS];
  if (kind === 'key-vault-certificate') {
    if (!KEY_VAULT_CERTIFICATE.test(value)) throw fail('keyvault= must be a certificate id like https://contoso-kv.vault.azure.net/certificates/provisioning-1 (an optional /<32-hex version> after it)');
    return { kind, clientId: clientId.toLowerCase(), certificateId: value.replace(/\/$/, '') };
  }
  return kind === 'certificate' ? { kind, clientId: clientId.toLowerCase(), certificatePath: value } : { kind, clientId: clientId.toLowerCase(), tokenFilePath: value };
}

/** Several `--identity` values: each must be another app registration, since Graph's limit is per app. */
export function parseAppIdentities(specs: readonly string[]): AppIdentity[] {
  const identities = specs.map(parseAppIdentity);
  const seen = new Set<string>();
  for (const identity of identities) {
    if (seen.has(identity.clientId)) {
      throw new AppIdentityError(`--identity ${identity.clientId} is given twice: Graph's write limit is per app, so pass each app registration once (another app adds its own budget)`);
    }
    seen.add(identity.clientId);
  }
  return identities;
}

/** The credential an identity signs in with, in `tenantId`. */
export function credentialFor(identity: AppIdentity, tenantId: string): TokenCredential {
  switch (identity.kind) {
    case 'certificate':
      return new ClientCertificateCredential(tenantId, identity.clientId, { certificatePath: identity.certificatePath });
    case 'workload-identity':
      return new WorkloadIdentityCredential({ tenantId, clientId: identity.clientId, tokenFilePath: identity.tokenFilePath });
    case 'key-vault-certificate':
      return keyVaultCertificateCredential(identity, tenantId);
  }
}

/**
 * Reads the certificate's PEM (its backing secret: Key Vault keeps certificate and key as a secret of the same
 * name) once, on the first token, and signs in with it; the PEM stays in memory only.
 */
function keyVaultCertificateCredential(identity: Extract<AppIdentity, { kind: 'key-vault-certificate' }>, tenantId: string): TokenCredential {
  let inner: Promise<TokenCredential> | undefined;
  const load = async (): Promise<TokenCredential> => {
    const url = new URL(identity.certificateId);
    const [, , name, version] = url.pathname.split('/');
    const token = await new DefaultAzureCredential().getToken(keyVaultScope(url));
    const response = await fetch(`${url.origin}/secrets/${name}${version ? `/${version}` : ''}?api-version=7.4`, { headers: { Authorization: `Bearer ${token.token}` }, redirect: 'error', signal: AbortSignal.timeout(KEY_VAULT_TIMEOUT_MS) });
    if (!response.ok) {
      throw new Error(`could not read the certificate ${identity.certificateId} from Key Vault (HTTP ${response.status}): give your sign-in "Get" on the vault's secrets (Key Vault Secrets User)`);
    }
    const secret = (await response.json()) as { value?: unknown; contentType?: unknown };
    if (secret.contentType !== 'application/x-pem-file' || typeof secret.value !== 'string') {
      throw new Error(`the certificate ${identity.certificateId} is not stored as PEM (content type ${String(secret.contentType)}): create it with the content type application/x-pem-file`);
    }
    return new ClientCertificateCredential(tenantId, identity.clientId, { certificate: secret.value });
  };
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      // A failed read is tried again on the next token.
      inner ??= load().catch((error: unknown) => {
        inner = undefined;
        throw error;
      });
      return (await inner).getToken(scopes, options);
    },
  };
}

/** Key Vault's resource is the vault's DNS suffix (`https://vault.azure.net`), not the vault's own host. */
function keyVaultScope(vault: URL): string {
  return `https://${vault.hostname.slice(vault.hostname.indexOf('.') + 1)}/.default`;
}
