/**
 * The RSA certificate External ID encrypts the password context (and the bearer token) with, on the extension
 * app registration (docs/entra-contracts.md#encryption-key): a `keyCredentials` entry `{type: AsymmetricX509Cert, usage: Encrypt,
 * key: base64 DER}` and `tokenEncryptionKeyId` = its keyId. azuread 6.9.1 has neither `usage` nor
 * `tokenEncryptionKeyId` (azure-pulumi.md 5.3), hence Graph.
 *
 * The keyId is a name-based UUID of the certificate's SHA-1 thumbprint, so re-runs never churn it and the same
 * certificate always gets the same id. A PATCH of `keyCredentials` replaces the whole collection, so other
 * credentials are read (with `$select=keyCredentials`, the only way Graph returns `key`) and sent back unchanged.
 * An optional previous certificate stays listed during a rotation. Delete removes only our entries and clears
 * `tokenEncryptionKeyId` when it pointed at one of them.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';
import type { Application, GraphClient, KeyCredential } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, isoDate, isUnknown, lower, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';

export interface CertificateInput {
  /** Base64 of the DER certificate (Key Vault `cer`), not PEM. */
  base64Der: string;
  notBefore: string;
  expiresOn: string;
  /** SHA-1 thumbprint as hex (Key Vault `x509Thumbprint`, hex-encoded). */
  thumbprintHex: string;
}

export interface ApplicationEncryptionKeyInputs {
  tenantId: string;
  graphBaseUrl: string;
  /** The extension app's object id (not its appId). */
  applicationObjectId: string;
  displayName: string;
  certificate: CertificateInput;
  previousCertificate?: CertificateInput;
}

export interface ApplicationEncryptionKeyOutputs extends ApplicationEncryptionKeyInputs {
  keyId: string;
  previousKeyId?: string;
  /** What the application held after our last write or refresh: drift shows as a diff. */
  tokenEncryptionKeyId: string | null;
}

/** Namespace of this project's key ids (RFC 9562 name-based UUIDs); never change it, or every keyId churns. */
const KEY_ID_NAMESPACE = '23df982d-f932-4146-a230-8bda332e1f0a';
const WRITABLE: readonly (keyof KeyCredential)[] = ['customKeyIdentifier', 'displayName', 'endDateTime', 'key', 'keyId', 'startDateTime', 'type', 'usage'];

const certificateKey = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value ?? null;
  const certificate = value as Props;
  return { thumbprintHex: lower(certificate.thumbprintHex), notBefore: isoDate(certificate.notBefore), expiresOn: isoDate(certificate.expiresOn) };
};

const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl', replace: true },
  { name: 'applicationObjectId', replace: true, normalize: lower },
  { name: 'displayName' },
  { name: 'certificate', normalize: certificateKey },
  { name: 'previousCertificate', normalize: certificateKey },
];

/** UUID version 5 (SHA-1, RFC 9562 section 5.5) of the lower-case hex thumbprint. */
export function keyIdFor(thumbprintHex: string): string {
  const hash = createHash('sha1').update(Buffer.from(KEY_ID_NAMESPACE.replace(/-/g, ''), 'hex')).update(thumbprintHex.toLowerCase()).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createApplicationEncryptionKeyProvider(
  clientFor: GraphClientFactory = graphClientFor,
): pulumi.dynamic.ResourceProvider<ApplicationEncryptionKeyInputs, ApplicationEncryptionKeyOutputs> {
  /** Writes our entries and the pointer; `stale` are keyIds we wrote before and no longer want. */
  const apply = async (inputs: ApplicationEncryptionKeyInputs, stale: readonly string[]): Promise<ApplicationEncryptionKeyOutputs> => {
    const graph = clientFor(inputs);
    // The app was usually created moments ago by azuread: a 404 may be replication delay.
    const current = await readKeys(graph, inputs.applicationObjectId, true);
    const desired = desiredCredentials(inputs);
    const keyId = desired[0]?.keyId as string;
    const ours = new Set([...desired.map((credential) => credential.keyId), ...stale.map((id) => id.toLowerCase())]);
    const existing = current.keyCredentials ?? [];
    const kept = existing.filter((credential) => !ours.has(credential.keyId.toLowerCase()));
    const upToDate =
      existing.length === kept.length + desired.length &&
      desired.every((wanted) => existing.some((credential) => sameCredential(credential, wanted))) &&
      lower(current.tokenEncryptionKeyId) === keyId;
    if (!upToDate) {
      await graph.patch(`/applications/${encodeURIComponent(inputs.applicationObjectId)}`, {
        keyCredentials: [...kept.map(writable), ...desired],
        tokenEncryptionKeyId: keyId,
      });
    }
    return { ...inputs, keyId, ...(desired[1] ? { previousKeyId: desired[1].keyId } : {}), tokenEncryptionKeyId: keyId };
  };

  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw);
      const applicationObjectId = checks.guid(raw, 'applicationObjectId', "pass the extension app's object id (objectId), not its appId (client id)");
      const displayName = checks.string(raw, 'displayName', 'name the key, e.g. "JIT migration token encryption"');
      const certificate = checkCertificate(checks, 'certificate', raw.certificate);
      const previous = raw.previousCertificate === undefined || raw.previousCertificate === null ? undefined : checkCertificate(checks, 'previousCertificate', raw.previousCertificate, true);
      if (certificate && previous && !isUnknown(certificate.thumbprintHex) && certificate.thumbprintHex === previous.thumbprintHex) {
        checks.fail('previousCertificate', 'previousCertificate is the same certificate as certificate: drop previousCertificate, or pass the certificate being rotated out');
      }
      const inputs: ApplicationEncryptionKeyInputs = {
        ...target,
        applicationObjectId: applicationObjectId ?? '',
        displayName: displayName ?? '',
        certificate: certificate ?? (raw.certificate as CertificateInput),
        ...(previous ? { previousCertificate: previous } : {}),
      };
      return { inputs, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      const result = diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
      // A refresh that found tokenEncryptionKeyId pointing elsewhere: put ours back.
      if (!result.changes && lower(olds.tokenEncryptionKeyId) !== lower(olds.keyId)) return { changes: true, replaces: [] };
      return result;
    },

    async create(inputs) {
      const outs = await apply(inputs, []);
      return { id: `${inputs.applicationObjectId}/tokenEncryptionKey`, outs };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      let current: Application;
      try {
        current = await readKeys(graph, props.applicationObjectId, false);
      } catch (error) {
        if (isNotFound(error)) return GONE;
        throw error;
      }
      const ours = (current.keyCredentials ?? []).find((credential) => credential.keyId.toLowerCase() === props.keyId);
      // Someone removed our key: drop it from the state so the next `pulumi up` adds it again.
      if (ours === undefined) return GONE;
      return { id, props: { ...props, tokenEncryptionKeyId: lower(current.tokenEncryptionKeyId ?? null) as string | null } };
    },

    async update(_id, olds, news) {
      const stale = [olds.keyId, olds.previousKeyId].filter((keyId): keyId is string => typeof keyId === 'string' && keyId !== '');
      return { outs: await apply(news, stale) };
    },

    async delete(_id, props) {
      const graph = clientFor(targetOf(props as unknown as Props));
      let current: Application;
      try {
        current = await readKeys(graph, props.applicationObjectId, false);
      } catch (error) {
        if (isNotFound(error)) return; // The application is gone, and our key with it.
        throw error;
      }
      const ours = new Set([props.keyId, props.previousKeyId].filter((keyId): keyId is string => typeof keyId === 'string' && keyId !== ''));
      const existing = current.keyCredentials ?? [];
      const kept = existing.filter((credential) => !ours.has(credential.keyId.toLowerCase()));
      const pointer = lower(current.tokenEncryptionKeyId ?? null) as string | null;
      const clearPointer = pointer !== null && ours.has(pointer);
      if (kept.length === existing.length && !clearPointer) return;
      await graph.patch(`/applications/${encodeURIComponent(props.applicationObjectId)}`, {
        keyCredentials: kept.map(writable),
        ...(clearPointer ? { tokenEncryptionKeyId: null } : {}),
      });
    },
  };
}

function checkCertificate(checks: Checks, property: string, value: unknown, optional = false): CertificateInput | undefined {
  if (isUnknown(value) && (value === UNKNOWN || typeof value !== 'object')) return undefined;
  if (typeof value !== 'object' || value === null) {
    if (!optional) checks.fail(property, `${property} is missing: pass { base64Der, notBefore, expiresOn, thumbprintHex } of the Key Vault certificate`);
    return undefined;
  }
  const raw = value as Props;
  const text = (name: string): string | undefined => {
    const item = raw[name];
    if (item === UNKNOWN) return UNKNOWN;
    if (typeof item !== 'string' || item.trim() === '') {
      checks.fail(`${property}.${name}`, `${property}.${name} is missing: take it from the Key Vault certificate`);
      return undefined;
    }
    return item.trim();
  };
  const base64Der = text('base64Der')?.replace(/\s+/g, '');
  const thumbprintHex = text('thumbprintHex')?.replace(/[:\s]/g, '').toLowerCase();
  const notBefore = text('notBefore');
  const expiresOn = text('expiresOn');
  if (base64Der === undefined || thumbprintHex === undefined || notBefore === undefined || expiresOn === undefined) return undefined;

  if (base64Der !== UNKNOWN) {
    const certificate = parseCertificate(checks, property, base64Der);
    if (certificate && thumbprintHex !== UNKNOWN) {
      const actual = createHash('sha1').update(certificate.raw).digest('hex');
      if (actual !== thumbprintHex) {
        checks.fail(`${property}.thumbprintHex`, `${property}.thumbprintHex ${thumbprintHex} is not this certificate's SHA-1 thumbprint (${actual}): pass the thumbprint of the same Key Vault certificate version`);
      }
    }
  }
  const dates = [notBefore, expiresOn].map((date) => (date === UNKNOWN ? UNKNOWN : isoDate(date)));
  for (const [index, name] of ['notBefore', 'expiresOn'].entries()) {
    const date = dates[index] as string;
    if (date !== UNKNOWN && Number.isNaN(Date.parse(date))) checks.fail(`${property}.${name}`, `${property}.${name} "${date}" is not a date: pass an ISO 8601 timestamp`);
  }
  const [start, end] = dates as [string, string];
  if (start !== UNKNOWN && end !== UNKNOWN && Date.parse(start) >= Date.parse(end)) {
    checks.fail(`${property}.expiresOn`, `${property}.expiresOn must be after notBefore: pass the certificate's validity period`);
  } else if (!optional && end !== UNKNOWN && Date.parse(end) <= Date.now()) {
    // An expired key breaks decryption of every password context (docs/entra-contracts.md#encryption-key).
    checks.fail(`${property}.expiresOn`, `${property} expired on ${end}: renew the Key Vault certificate and deploy the new version`);
  }
  return { base64Der, notBefore: start, expiresOn: end, thumbprintHex };
}

function parseCertificate(checks: Checks, property: string, base64Der: string): X509Certificate | undefined {
  if (base64Der.includes('-----BEGIN')) {
    checks.fail(`${property}.base64Der`, `${property}.base64Der is PEM: pass the base64 of the DER bytes (Key Vault "cer"), without BEGIN/END lines`);
    return undefined;
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(base64Der, 'base64'));
  } catch {
    checks.fail(`${property}.base64Der`, `${property}.base64Der is not a base64 DER X.509 certificate: pass the Key Vault certificate's "cer" value`);
    return undefined;
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
    checks.fail(`${property}.base64Der`, `${property} has a ${String(certificate.publicKey.asymmetricKeyType)} key: External ID encrypts with RSA (JWE RSA-OAEP), so create an RSA 2048 or 4096 certificate`);
  }
  return certificate;
}

/** Ours first, then the previous certificate's. */
function desiredCredentials(inputs: ApplicationEncryptionKeyInputs): Array<Required<Pick<KeyCredential, 'keyId' | 'type' | 'usage' | 'key' | 'displayName' | 'startDateTime' | 'endDateTime'>>> {
  const entry = (certificate: CertificateInput, displayName: string) => ({
    keyId: keyIdFor(certificate.thumbprintHex),
    type: 'AsymmetricX509Cert',
    usage: 'Encrypt',
    key: certificate.base64Der,
    displayName,
    startDateTime: isoDate(certificate.notBefore) as string,
    endDateTime: isoDate(certificate.expiresOn) as string,
  });
  const entries = [entry(inputs.certificate, inputs.displayName)];
  if (inputs.previousCertificate) entries.push(entry(inputs.previousCertificate, `${inputs.displayName} (previous)`));
  return entries;
}

function sameCredential(credential: KeyCredential, wanted: ReturnType<typeof desiredCredentials>[number]): boolean {
  return (
    credential.keyId.toLowerCase() === wanted.keyId &&
    credential.type === wanted.type &&
    credential.usage === wanted.usage &&
    credential.key === wanted.key &&
    (credential.displayName ?? '') === wanted.displayName &&
    isoDate(credential.startDateTime) === wanted.startDateTime &&
    isoDate(credential.endDateTime) === wanted.endDateTime
  );
}

async function readKeys(graph: GraphClient, objectId: string, retryNotFound: boolean): Promise<Application> {
  const application = await graph.get<Application>(`/applications/${encodeURIComponent(objectId)}`, {
    query: { $select: 'id,keyCredentials,tokenEncryptionKeyId' },
    retryNotFound,
  });
  for (const credential of application.keyCredentials ?? []) {
    // Sending an entry back without its key would fail or drop it: refuse rather than lose a credential.
    if (typeof credential.key !== 'string' || credential.key === '') {
      throw new Error(`Graph returned keyCredential ${credential.keyId} of application ${objectId} without its key, so it cannot be kept when keyCredentials is replaced: retry, or remove that credential in the portal`);
    }
  }
  return application;
}

function writable(credential: KeyCredential): Partial<KeyCredential> {
  return Object.fromEntries(WRITABLE.filter((name) => credential[name] !== undefined).map((name) => [name, credential[name]]));
}

export const graphApplicationEncryptionKeyProvider = createApplicationEncryptionKeyProvider();
