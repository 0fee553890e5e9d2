/**
 * A self-signed RSA certificate created and kept in Key Vault: the key Entra encrypts the password context
 * to (docs/entra-contracts.md#encryption-key: self-signed RSA 2048/4096, exportable, base64 DER in `keyCredentials`). The private key
 * never leaves the vault: outputs are the public certificate, thumbprints, dates and ids only, so nothing
 * secret enters Pulumi state. The function reads the key through a Key Vault reference to the secret.
 *
 * Life cycle (docs/key-rotation.md):
 * - create: converges on the certificate by name. An existing certificate whose current version already has
 *   the requested subject and key size is adopted (a retried `up` never creates a second version); a
 *   soft-deleted one is recovered first; otherwise a version is created with the requested policy.
 * - subject or keySize change: a new version (rotation). The version before it stays readable and is
 *   exported as `previousVersionedSecretId`, for `DecryptionPrivateKeyPrevious`.
 * - validityInMonths or renewDaysBeforeExpiry change: policy update only; it applies from the next version.
 * - vaultUri or certificateName change: replacement (another object).
 * - read (refresh): the current version as the vault has it, so AutoRenew's new versions reach state.
 * - delete: soft delete (recoverable for the vault's retention; purge protection forbids purging), skipped
 *   when another resource has since adopted the certificate (see OWNER_TAG).
 */
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import {
  CertificateClient,
  type CertificateClientOptions,
  type CertificateOperation,
  type CertificatePolicy,
  type CertificateProperties,
  type KeyVaultCertificateWithPolicy,
} from '@azure/keyvault-certificates';
import * as pulumi from '@pulumi/pulumi';
import { certificateThumbprint } from '../../function/src/crypto/keyRing';
import { backoffDelay, THROTTLE_BACKOFF } from '../../lib/graph/retry';
import { credentialFor, defaultSleep, isLoopbackHost, isUnknown, statusOf } from './azureAccess';
import { bundledProvider } from './shim';
import { ENCRYPTION_KEY_SIZES_TEXT, isEncryptionKeySize } from '../../function/src/crypto/keySizes';

export interface KeyVaultCertificateArgs {
  /** `https://<vault>.vault.azure.net/` (the vault's `properties.vaultUri`). */
  vaultUri: pulumi.Input<string>;
  /** 1-127 letters, digits and dashes; names are case-insensitive in Key Vault. */
  certificateName: pulumi.Input<string>;
  /** X.500 distinguished name with a CN, e.g. `CN=JitMigration`. */
  subject: pulumi.Input<string>;
  /** 2048 or 4096 (docs/entra-contracts.md#encryption-key). */
  keySize: pulumi.Input<number>;
  /** 1-120. */
  validityInMonths: pulumi.Input<number>;
  /** AutoRenew trigger: 1 to validityInMonths × 27 (Key Vault's limit). */
  renewDaysBeforeExpiry: pulumi.Input<number>;
}

/** The normalized inputs (what `check` returns and `outs` repeat, so diffs compare like with like). */
export interface KeyVaultCertificateInputs {
  vaultUri: string;
  certificateName: string;
  subject: string;
  keySize: number;
  validityInMonths: number;
  renewDaysBeforeExpiry: number;
}

export interface KeyVaultCertificateOutputs extends KeyVaultCertificateInputs {
  /** Current version id (32 hex digits). */
  version: string;
  /** Base64 DER of the current certificate: the `key` of the Entra `keyCredentials` entry. */
  certificateBase64Der: string;
  /** base64url(SHA-1(DER)), the JWE `x5t` header Entra sends. */
  x5t: string;
  /** Upper-case hex SHA-1 thumbprint, as portals show it. */
  thumbprintHex: string;
  /** ISO 8601. */
  notBefore: string;
  expiresOn: string;
  /** Versionless secret URI `https://<vault>.vault.azure.net/secrets/<name>` (always the newest version). */
  secretId: string;
  /** Secret URI of the current version: pin `DecryptionPrivateKey` to it (docs/key-rotation.md). */
  versionedSecretId: string;
  /**
   * The version issued just before the current one, while it is enabled: `previousVersionedSecretId` is for
   * `DecryptionPrivateKeyPrevious`, the certificate fields for keeping it listed on the Entra app during a rotation.
   */
  previousVersion?: string;
  previousVersionedSecretId?: string;
  previousX5t?: string;
  previousThumbprintHex?: string;
  previousCertificateBase64Der?: string;
  previousNotBefore?: string;
  previousExpiresOn?: string;
  /** Random id of the Pulumi resource that created or last adopted the certificate (see OWNER_TAG). */
  owner: string;
}

/** Secrets of PEM certificates hold the private key PEM followed by the certificate: what the function parses. */
export const CERTIFICATE_CONTENT_TYPE = 'application/x-pem-file';
/**
 * Tag on the version a resource created or adopted, naming that resource's `owner`. A later resource that adopts
 * the same certificate (a rename without an alias, `--replace`) retags it, and the old resource's delete then
 * leaves the certificate alone instead of deleting the key the new one relies on.
 */
export const OWNER_TAG = 'jitmigrate-owner';
const MAX_VALIDITY_MONTHS = 120;
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const INPUT_KEYS = ['vaultUri', 'certificateName', 'subject', 'keySize', 'validityInMonths', 'renewDaysBeforeExpiry'] as const;
/** Outputs that depend only on the current version (unchanged by a policy-only update). */
const VERSION_OUTPUTS = [
  'version',
  'certificateBase64Der',
  'x5t',
  'thumbprintHex',
  'notBefore',
  'expiresOn',
  'versionedSecretId',
  'previousVersion',
  'previousVersionedSecretId',
  'previousX5t',
  'previousThumbprintHex',
  'previousCertificateBase64Der',
  'previousNotBefore',
  'previousExpiresOn',
];

export interface KeyVaultCertificateProviderOptions {
  /** Credential per vault; default: the loopback seam or DefaultAzureCredential (azureAccess.ts). */
  credentialFor?: (vaultUrl: URL) => TokenCredential;
  /** The SDK pipeline's retry tuning (it honours 429/503 Retry-After and backs off on 5xx). */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** Polling interval of a pending create operation. Default 2 s (the SDK's own default). */
  pollIntervalMs?: number;
  /** How long to wait for a pending operation. Default 15 min. */
  operationTimeoutMs?: number;
  /** Attempts of the create request (it is not retried blindly: see startCreate). Default 5. */
  createAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  newOwner?: () => string;
}

// --- input normalization (check, diff) -----------------------------------------------------------------

type Checked<T> = { value: T } | { reason: string };

function checkVaultUri(value: unknown): Checked<string> {
  const fix = 'set vaultUri to the vault\'s properties.vaultUri, like https://<vault>.vault.azure.net/';
  if (typeof value !== 'string' || value.trim() === '') return { reason: `vaultUri is empty: ${fix}` };
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { reason: `vaultUri "${value}" is not a URL: ${fix}` };
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) return { reason: `vaultUri must use https (plain http only for a loopback emulator): ${fix}` };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return { reason: `vaultUri must be the vault's root URI without a path or query: ${fix}` };
  }
  return { value: `${url.protocol}//${url.host.toLowerCase()}/` };
}

function checkName(value: unknown): Checked<string> {
  if (typeof value !== 'string' || !NAME.test(value)) return { reason: 'certificateName must be 1-127 letters, digits and dashes (Key Vault object names)' };
  return { value };
}

/**
 * A DN in one canonical spelling: RDNs split at unescaped commas, trimmed, attribute types upper-cased,
 * joined with ", ". Undefined when it is not a DN with a CN.
 */
export function canonicalSubject(value: string): string | undefined {
  const parts = splitUnescaped(value, ',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) return undefined;
  const canonical: string[] = [];
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    const type = part.slice(0, equals).trim().toUpperCase();
    const attributeValue = part.slice(equals + 1).trim();
    if (!/^[A-Z][A-Z0-9-]*$|^\d+(\.\d+)+$/.test(type) || attributeValue === '') return undefined;
    canonical.push(`${type}=${attributeValue}`);
  }
  return canonical.some((part) => part.startsWith('CN=')) ? canonical.join(', ') : undefined;
}

function checkSubject(value: unknown): Checked<string> {
  const canonical = typeof value === 'string' ? canonicalSubject(value) : undefined;
  return canonical === undefined ? { reason: 'subject must be a distinguished name with a CN, like "CN=JitMigration"' } : { value: canonical };
}

function checkInteger(name: string, value: unknown, min: number, max: number, why = ''): Checked<number> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return { reason: `${name} must be an integer from ${min} to ${max}${why}` };
  return { value };
}

function checkKeySize(value: unknown): Checked<number> {
  if (typeof value !== 'number' || !isEncryptionKeySize(value)) return { reason: `keySize must be ${ENCRYPTION_KEY_SIZES_TEXT} (Entra needs a self-signed RSA ${ENCRYPTION_KEY_SIZES_TEXT} certificate)` };
  return { value };
}

/** Validates and normalizes; unknown values (preview) pass through unchanged. */
export function checkInputs(news: Record<string, unknown>): { inputs: Record<string, unknown>; failures: { property: string; reason: string }[] } {
  const inputs: Record<string, unknown> = {};
  const failures: { property: string; reason: string }[] = [];
  const take = <T>(property: (typeof INPUT_KEYS)[number], checked: () => Checked<T>): void => {
    const raw = news[property];
    if (isUnknown(raw)) {
      inputs[property] = raw;
      return;
    }
    const result = checked();
    if ('reason' in result) {
      failures.push({ property, reason: result.reason });
      inputs[property] = raw;
    } else {
      inputs[property] = result.value;
    }
  };
  take('vaultUri', () => checkVaultUri(news['vaultUri']));
  take('certificateName', () => checkName(news['certificateName']));
  take('subject', () => checkSubject(news['subject']));
  take('keySize', () => checkKeySize(news['keySize']));
  take('validityInMonths', () => checkInteger('validityInMonths', news['validityInMonths'], 1, MAX_VALIDITY_MONTHS));
  const months = typeof news['validityInMonths'] === 'number' ? news['validityInMonths'] : MAX_VALIDITY_MONTHS;
  take('renewDaysBeforeExpiry', () =>
    checkInteger('renewDaysBeforeExpiry', news['renewDaysBeforeExpiry'], 1, Math.max(1, months) * 27, ' (Key Vault allows 1 to validityInMonths × 27)'),
  );
  return { inputs, failures };
}

function parseInputs(values: Record<string, unknown>): KeyVaultCertificateInputs {
  const { inputs, failures } = checkInputs(values);
  const problems = [...failures.map((failure) => failure.reason), ...INPUT_KEYS.filter((key) => isUnknown(inputs[key])).map((key) => `${key} is not known yet`)];
  if (problems.length > 0) throw new Error(`invalid KeyVaultCertificate inputs: ${problems.join('; ')}`);
  return inputs as unknown as KeyVaultCertificateInputs;
}

// --- the provider --------------------------------------------------------------------------------------

export function createKeyVaultCertificateProvider(options: KeyVaultCertificateProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const sleep = options.sleep ?? defaultSleep;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const operationTimeoutMs = options.operationTimeoutMs ?? 15 * 60_000;
  const createAttempts = options.createAttempts ?? 5;
  const newOwner = options.newOwner ?? randomUUID;

  interface Session {
    vaultUri: string;
    name: string;
    /** Reads and idempotent writes, retried by the SDK pipeline. */
    client: CertificateClient;
    /** The create request only: never retried by the pipeline (a retried POST could issue a second version). */
    once: CertificateClient;
  }

  const open = (vaultUri: string, name: string): Session => {
    const url = new URL(vaultUri);
    const credential = (options.credentialFor ?? credentialFor)(url);
    const base: CertificateClientOptions = isLoopbackHost(url.hostname)
      ? // The emulator speaks http on 127.0.0.1, which cannot match the challenge's vault.azure.net resource.
        { allowInsecureConnection: true, disableChallengeResourceVerification: true }
      : {};
    return {
      vaultUri,
      name,
      client: new CertificateClient(vaultUri, credential, { ...base, retryOptions: options.retryOptions }),
      once: new CertificateClient(vaultUri, credential, { ...base, retryOptions: { ...options.retryOptions, maxRetries: 0 } }),
    };
  };

  const fail = (session: Session, action: string, error: unknown): Error => {
    const status = statusOf(error);
    const detail = error instanceof Error ? (error.message.split('\n', 1)[0] ?? '').slice(0, 400) : String(error);
    const fix =
      status === 401 || status === 403
        ? ': the deploying identity needs the "Key Vault Certificates Officer" role on the vault (RBAC), and the vault must accept its network'
        : '';
    return new Error(`Key Vault could not ${action} certificate '${session.name}' in ${session.vaultUri} (${status ?? 'no response'}): ${detail}${fix}`, { cause: error });
  };

  const orUndefinedOn404 = async <T>(session: Session, action: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw fail(session, action, error);
    }
  };

  const latestOf = (session: Session): Promise<KeyVaultCertificateWithPolicy | undefined> =>
    orUndefinedOn404(session, 'read', () => session.client.getCertificate(session.name));

  const operationOf = (session: Session): Promise<CertificateOperation | undefined> =>
    orUndefinedOn404(session, 'read the pending operation of', () => generatedClient(session.client).getCertificateOperation(session.name));

  /** Waits while a create operation is in progress (ours or AutoRenew's); returns the last operation seen. */
  const settle = async (session: Session): Promise<CertificateOperation | undefined> => {
    let waited = 0;
    for (;;) {
      const operation = await operationOf(session);
      if (operation?.status?.toLowerCase() !== 'inprogress') return operation;
      if (waited >= operationTimeoutMs) {
        throw new Error(`certificate '${session.name}' in ${session.vaultUri} is still being created after ${Math.round(operationTimeoutMs / 1000)} s: run pulumi up again once it completes`);
      }
      await sleep(pollIntervalMs);
      waited += pollIntervalMs;
    }
  };

  const recoverIfDeleted = async (session: Session): Promise<boolean> => {
    const deleted = await orUndefinedOn404(session, 'look for a deleted', () => session.client.getDeletedCertificate(session.name));
    if (!deleted) return false;
    try {
      const poller = await session.client.beginRecoverDeletedCertificate(session.name, { intervalInMs: pollIntervalMs });
      await poller.pollUntilDone();
    } catch (error) {
      throw fail(session, 'recover the soft-deleted', error);
    }
    return true;
  };

  /**
   * Sends one create request. A create is not idempotent, so it is never retried blindly: after a failure
   * that may have reached the vault, the vault is asked whether it acted (a pending operation or a version
   * newer than `before`) before trying again.
   */
  const startCreate = async (session: Session, desired: KeyVaultCertificateInputs, owner: string, before: string | undefined): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await session.once.beginCreateCertificate(session.name, policyFor(desired), { tags: { [OWNER_TAG]: owner }, intervalInMs: pollIntervalMs });
        return;
      } catch (error) {
        const status = statusOf(error);
        // 409: an operation is pending (perhaps ours, whose reply was lost): the caller waits for it.
        if (status === 409) return;
        const transient = status === undefined ? (error as { name?: unknown }).name === 'RestError' : status === 408 || status === 429 || status >= 500;
        if (!transient || attempt + 1 >= createAttempts) throw fail(session, 'create', error);
        await sleep(retryAfterMs(error) ?? backoffDelay(attempt, THROTTLE_BACKOFF));
        if ((await operationOf(session))?.status?.toLowerCase() === 'inprogress') return;
        if ((await latestOf(session))?.properties.version !== before) return;
      }
    }
  };

  /** The outputs for the current version and, when there is one, the version before it. */
  const describe = async (session: Session, inputs: KeyVaultCertificateInputs, latest: KeyVaultCertificateWithPolicy, owner: string): Promise<KeyVaultCertificateOutputs> => {
    const versions: CertificateProperties[] = [];
    try {
      for await (const properties of session.client.listPropertiesOfCertificateVersions(session.name)) versions.push(properties);
    } catch (error) {
      throw fail(session, 'list the versions of', error);
    }
    const previousVersion = previousOf(latest, versions);
    let previous: KeyVaultCertificateWithPolicy | undefined;
    if (previousVersion) {
      try {
        previous = await session.client.getCertificateVersion(session.name, previousVersion);
      } catch (error) {
        throw fail(session, `read version ${previousVersion} of`, error);
      }
    }
    return outputsFor(inputs, latest, previous, owner);
  };

  /**
   * Makes the vault hold what `desired` asks for and returns the outputs; shared by create and update.
   * At most one version is issued per call: if the issued one still does not match, that is reported.
   */
  const converge = async (desired: KeyVaultCertificateInputs, owner: string): Promise<KeyVaultCertificateOutputs> => {
    const session = open(desired.vaultUri, desired.certificateName);
    let issued = false;
    for (;;) {
      const operation = await settle(session);
      let latest = await latestOf(session);
      if (!latest && (await recoverIfDeleted(session))) latest = await latestOf(session);
      const plan = planFor(latest, desired);
      if (plan === 'newVersion') {
        if (issued) {
          const reason =
            operation && isFailed(operation)
              ? `the create operation failed: ${operation.error?.message ?? operation.statusDetails ?? operation.status}`
              : 'the issued version does not have the requested subject and key size (or another operation replaced it)';
          throw new Error(`Key Vault did not issue certificate '${session.name}' in ${session.vaultUri} as requested: ${reason}. Run pulumi up again`);
        }
        await startCreate(session, desired, owner, latest?.properties.version);
        issued = true;
        continue;
      }
      const current = latest!;
      if (plan === 'updatePolicy') {
        try {
          await session.client.updateCertificatePolicy(session.name, policyFor(desired));
        } catch (error) {
          throw fail(session, 'update the policy of', error);
        }
      }
      const version = current.properties.version!;
      if (current.properties.tags?.[OWNER_TAG] !== owner) {
        try {
          await session.client.updateCertificateProperties(session.name, version, { tags: { ...current.properties.tags, [OWNER_TAG]: owner } });
        } catch (error) {
          throw fail(session, 'tag', error);
        }
      }
      return describe(session, desired, current, owner);
    }
  };

  return {
    async check(_olds, news) {
      return checkInputs(news as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
      const changed = (key: (typeof INPUT_KEYS)[number], normalize: (value: unknown) => unknown = (value) => value): boolean =>
        isUnknown(news[key]) || olds[key] === undefined || normalize(olds[key]) !== normalize(news[key]);
      const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
      const subject = (value: unknown) => (typeof value === 'string' ? (canonicalSubject(value) ?? value) : value);
      const replaces = [...(changed('vaultUri', lower) ? ['vaultUri'] : []), ...(changed('certificateName', lower) ? ['certificateName'] : [])];
      const rotates = changed('subject', subject) || changed('keySize');
      const policy = changed('validityInMonths') || changed('renewDaysBeforeExpiry');
      const stables = replaces.length > 0 ? [] : ['vaultUri', 'certificateName', 'secretId', 'owner', ...(rotates ? [] : VERSION_OUTPUTS)];
      return { changes: replaces.length > 0 || rotates || policy, replaces, stables, deleteBeforeReplace: false };
    },

    async create(inputs) {
      const desired = parseInputs(inputs);
      const outs = await converge(desired, newOwner());
      return { id: certificateId(desired.vaultUri, desired.certificateName), outs };
    },

    async update(_id, olds, news) {
      const desired = parseInputs(news);
      const owner = typeof olds['owner'] === 'string' && olds['owner'] !== '' ? olds['owner'] : newOwner();
      return { outs: await converge(desired, owner) };
    },

    async read(id, props) {
      const stored = (props ?? {}) as Partial<KeyVaultCertificateOutputs>;
      const { vaultUri, certificateName } = stored.vaultUri && stored.certificateName ? { vaultUri: stored.vaultUri, certificateName: stored.certificateName } : parseCertificateId(id);
      const session = open(vaultUri, certificateName);
      const latest = await latestOf(session);
      if (!latest?.cer) return { id: '', props: {} };
      const observed = observedInputs(latest, stored, vaultUri, certificateName);
      const owner = stored.owner ?? '';
      return { id, props: await describe(session, observed, latest, owner) };
    },

    async delete(_id, props) {
      const stored = props as Partial<KeyVaultCertificateOutputs>;
      if (!stored.vaultUri || !stored.certificateName) return;
      const session = open(stored.vaultUri, stored.certificateName);
      const latest = await latestOf(session);
      if (!latest) return;
      const current = latest.properties.tags?.[OWNER_TAG];
      // Adopted by another resource since: deleting would pull the key from under it.
      if (current !== undefined && stored.owner !== undefined && current !== stored.owner) return;
      await settle(session);
      try {
        const poller = await session.client.beginDeleteCertificate(session.name, { intervalInMs: pollIntervalMs });
        await poller.pollUntilDone();
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw fail(session, 'delete', error);
      }
    },
  };
}

export const keyVaultCertificateProvider: pulumi.dynamic.ResourceProvider = createKeyVaultCertificateProvider();

// --- plans and shapes ----------------------------------------------------------------------------------

/** What the current version lacks: nothing, a policy change, or a new version (key or subject differ). */
function planFor(latest: KeyVaultCertificateWithPolicy | undefined, desired: KeyVaultCertificateInputs): 'adopt' | 'updatePolicy' | 'newVersion' {
  if (!latest?.cer || !latest.properties.version) return 'newVersion';
  const certificate = new X509Certificate(Buffer.from(latest.cer));
  const keySize = certificate.publicKey.asymmetricKeyDetails?.modulusLength;
  const policy = latest.policy;
  // The certificate itself decides whether the key matches: a policy may have changed without a new version.
  const keyMatches = certificate.publicKey.asymmetricKeyType === 'rsa' && keySize === desired.keySize && subjectMatches(desired.subject, certificate.subject, policy?.subject);
  // The function reads a PEM secret: a version issued under another format or a non-exportable key is replaced.
  const formatMatches = policy?.contentType === CERTIFICATE_CONTENT_TYPE && policy.exportable === true && (policy.keyType ?? 'RSA') === 'RSA';
  if (!keyMatches || !formatMatches) return 'newVersion';
  const renew = policy.lifetimeActions?.find((action) => action.action === 'AutoRenew')?.daysBeforeExpiry;
  const policyMatches =
    policy.keySize === desired.keySize &&
    canonicalSubject(policy.subject ?? '') === desired.subject &&
    policy.validityInMonths === desired.validityInMonths &&
    renew === desired.renewDaysBeforeExpiry &&
    (policy.lifetimeActions?.length ?? 0) === 1 &&
    policy.reuseKey !== true;
  return policyMatches ? 'adopt' : 'updatePolicy';
}

/** Compares a requested DN with a certificate's (node:crypto prints one RDN per line); order-insensitive. */
function subjectMatches(desired: string, certificateSubject: string, policySubject: string | undefined): boolean {
  const rdns = (parts: string[]) => parts.map((part) => part.trim()).filter((part) => part !== '').sort().join('\n');
  const fromCertificate = canonicalSubject(splitUnescaped(certificateSubject, '\n').join(', '));
  if (fromCertificate !== undefined) return rdns(splitUnescaped(fromCertificate, ',')) === rdns(splitUnescaped(desired, ','));
  // A DN node:crypto prints in a form we do not parse: trust the policy it was issued under.
  return policySubject !== undefined && canonicalSubject(policySubject) === desired;
}

export function policyFor(desired: KeyVaultCertificateInputs): CertificatePolicy {
  return {
    issuerName: 'Self',
    subject: desired.subject,
    contentType: CERTIFICATE_CONTENT_TYPE,
    exportable: true,
    keyType: 'RSA',
    keySize: desired.keySize,
    // A new key for every version: a rotation must not keep the old key.
    reuseKey: false,
    validityInMonths: desired.validityInMonths,
    lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: desired.renewDaysBeforeExpiry }],
  };
}

/** The inputs as the vault has them now, keeping the stored spelling where it means the same (no perpetual diff). */
function observedInputs(latest: KeyVaultCertificateWithPolicy, stored: Partial<KeyVaultCertificateOutputs>, vaultUri: string, certificateName: string): KeyVaultCertificateInputs {
  const policy = latest.policy;
  const certificate = new X509Certificate(Buffer.from(latest.cer!));
  const subject = canonicalSubject(policy?.subject ?? '') ?? stored.subject ?? '';
  return {
    vaultUri,
    certificateName,
    subject: stored.subject !== undefined && canonicalSubject(stored.subject) === subject ? stored.subject : subject,
    keySize: certificate.publicKey.asymmetricKeyDetails?.modulusLength ?? stored.keySize ?? 0,
    validityInMonths: policy?.validityInMonths ?? stored.validityInMonths ?? 0,
    renewDaysBeforeExpiry: policy?.lifetimeActions?.find((action) => action.action === 'AutoRenew')?.daysBeforeExpiry ?? 0,
  };
}

/** The issued version just before the current one; none when an operator disabled it (e.g. a compromised key). */
function previousOf(latest: KeyVaultCertificateWithPolicy, versions: CertificateProperties[]): string | undefined {
  const current = latest.properties.version;
  const created = latest.properties.createdOn?.getTime() ?? Number.POSITIVE_INFINITY;
  const before = versions
    .filter((candidate) => candidate.version !== current && candidate.x509Thumbprint !== undefined)
    .filter((candidate) => (candidate.createdOn?.getTime() ?? 0) <= created)
    .sort((a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0) || (a.version ?? '').localeCompare(b.version ?? ''))[0];
  return before?.enabled === false ? undefined : before?.version;
}

/** Public facts of one version: never the key, which stays in the vault. */
function certificateFacts(certificate: KeyVaultCertificateWithPolicy): { der: Buffer; x5t: string; thumbprintHex: string; notBefore: string; expiresOn: string } {
  const der = Buffer.from(certificate.cer!);
  const parsed = new X509Certificate(der);
  return {
    der,
    x5t: certificateThumbprint(der),
    thumbprintHex: createHash('sha1').update(der).digest('hex').toUpperCase(),
    notBefore: (certificate.properties.notBefore ?? new Date(parsed.validFrom)).toISOString(),
    expiresOn: (certificate.properties.expiresOn ?? new Date(parsed.validTo)).toISOString(),
  };
}

function outputsFor(inputs: KeyVaultCertificateInputs, latest: KeyVaultCertificateWithPolicy, previous: KeyVaultCertificateWithPolicy | undefined, owner: string): KeyVaultCertificateOutputs {
  const version = latest.properties.version!;
  const secretId = versionless(latest.secretId) ?? `${inputs.vaultUri}secrets/${inputs.certificateName}`;
  const current = certificateFacts(latest);
  const before = previous?.cer && previous.properties.version ? { version: previous.properties.version, ...certificateFacts(previous) } : undefined;
  return {
    ...inputs,
    version,
    certificateBase64Der: current.der.toString('base64'),
    x5t: current.x5t,
    thumbprintHex: current.thumbprintHex,
    notBefore: current.notBefore,
    expiresOn: current.expiresOn,
    secretId,
    versionedSecretId: `${secretId}/${version}`,
    ...(before
      ? {
          previousVersion: before.version,
          previousVersionedSecretId: `${secretId}/${before.version}`,
          previousX5t: before.x5t,
          previousThumbprintHex: before.thumbprintHex,
          previousCertificateBase64Der: before.der.toString('base64'),
          previousNotBefore: before.notBefore,
          previousExpiresOn: before.expiresOn,
        }
      : {}),
    owner,
  };
}

function certificateId(vaultUri: string, name: string): string {
  return `${vaultUri}certificates/${name}`;
}

function parseCertificateId(id: string): { vaultUri: string; certificateName: string } {
  const match = /^(https?:\/\/[^/]+)\/certificates\/([0-9a-zA-Z-]{1,127})\/?$/.exec(id);
  if (!match) throw new Error(`"${id}" is not a Key Vault certificate id like https://<vault>.vault.azure.net/certificates/<name>`);
  return { vaultUri: `${match[1]!.toLowerCase()}/`, certificateName: match[2]! };
}

/** `https://v.vault.azure.net/secrets/name/version` → `https://v.vault.azure.net/secrets/name`. */
function versionless(id: string | undefined): string | undefined {
  const match = id === undefined ? null : /^(https?:\/\/[^/]+\/secrets\/[^/]+)(\/[^/]*)?$/.exec(id);
  return match?.[1];
}

/**
 * `GET /certificates/{name}/pending` as the service answers it. The public `getCertificateOperation` starts a
 * poller that first reads the certificate (404 while a first version is pending) and throws on a failed
 * operation; the generated client underneath (the same pipeline: auth, retries) returns the operation as is.
 */
function generatedClient(client: CertificateClient): { getCertificateOperation(name: string): Promise<CertificateOperation> } {
  const inner = (client as unknown as { client?: { getCertificateOperation?: unknown } }).client;
  if (typeof inner?.getCertificateOperation !== 'function') {
    throw new Error('@azure/keyvault-certificates changed its internals (no generated getCertificateOperation): keep the version package.json pins');
  }
  return inner as { getCertificateOperation(name: string): Promise<CertificateOperation> };
}

function isFailed(operation: CertificateOperation): boolean {
  const status = operation.status?.toLowerCase();
  return status === 'failed' || status === 'cancelled' || operation.error !== undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  const header = (error as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers?.get?.('retry-after');
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header) * 1000;
}

function splitUnescaped(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && i + 1 < value.length) {
      current += char + value[i + 1]!;
      i++;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

// --- the resource --------------------------------------------------------------------------------------

/**
 * A Key Vault self-signed certificate for Entra's token encryption. Use `versionedSecretId` for
 * `DecryptionPrivateKey` and `previousVersionedSecretId` for `DecryptionPrivateKeyPrevious`
 * (docs/key-rotation.md); `secretId` is the versionless URI.
 */
export class KeyVaultCertificate extends pulumi.dynamic.Resource {
  declare readonly vaultUri: pulumi.Output<string>;
  declare readonly certificateName: pulumi.Output<string>;
  declare readonly certificateBase64Der: pulumi.Output<string>;
  declare readonly x5t: pulumi.Output<string>;
  declare readonly thumbprintHex: pulumi.Output<string>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly expiresOn: pulumi.Output<string>;
  declare readonly secretId: pulumi.Output<string>;
  declare readonly version: pulumi.Output<string>;
  declare readonly versionedSecretId: pulumi.Output<string>;
  declare readonly previousVersion: pulumi.Output<string | undefined>;
  declare readonly previousVersionedSecretId: pulumi.Output<string | undefined>;
  declare readonly previousX5t: pulumi.Output<string | undefined>;
  declare readonly previousThumbprintHex: pulumi.Output<string | undefined>;
  declare readonly previousCertificateBase64Der: pulumi.Output<string | undefined>;
  declare readonly previousNotBefore: pulumi.Output<string | undefined>;
  declare readonly previousExpiresOn: pulumi.Output<string | undefined>;

  constructor(name: string, args: KeyVaultCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      bundledProvider('keyVaultCertificate'),
      name,
      {
        ...args,
        certificateBase64Der: undefined,
        x5t: undefined,
        thumbprintHex: undefined,
        notBefore: undefined,
        expiresOn: undefined,
        secretId: undefined,
        version: undefined,
        versionedSecretId: undefined,
        previousVersion: undefined,
        previousVersionedSecretId: undefined,
        previousX5t: undefined,
        previousThumbprintHex: undefined,
        previousCertificateBase64Der: undefined,
        previousNotBefore: undefined,
        previousExpiresOn: undefined,
        owner: undefined,
      },
      opts,
      'azure',
      'KeyVaultCertificate',
    );
  }
}
