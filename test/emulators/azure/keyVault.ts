/**
 * A loopback Key Vault certificates data plane (learn.microsoft.com/rest/api/keyvault/certificates): the
 * subset a self-signed certificate's life cycle touches, with the service's wire shapes.
 *
 * - Challenge authentication: a request without a bearer gets 401 and `WWW-Authenticate: Bearer
 *   authorization="…", resource="https://vault.azure.net"` (what the SDK's keyVaultAuthenticationPolicy expects).
 * - `POST /certificates/{name}/create` answers 202 with a pending operation; `GET …/pending` reports
 *   `inProgress` for a configurable number of polls, then `completed`. A create while one is pending is 409,
 *   as Key Vault does.
 * - Real self-signed RSA certificates (node:crypto + @peculiar/x509, via the function's own generator):
 *   `cer` is base64 DER, `x5t` base64url SHA-1; each version has a PEM secret (`GET /secrets/{name}/{version}`).
 * - Versions (paged with `nextLink`), policy GET/PATCH, tags, soft delete with purge protection, recovery.
 * - Scripted faults (429 + Retry-After, 5xx, after-the-fact failures) and an AutoRenew simulation.
 * No jest imports.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { generateEncryptionCertificate } from '../../../function/src/crypto/certificate';
import type { EncryptionKeySize } from '../../../function/src/crypto/keySizes';
import { bearerOf, FaultScript, faultResponse, LoopbackServer, type EmulatedRequest, type EmulatedResponse, type ScriptedFault } from './http';

export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

export interface KeyVaultEmulatorOptions {
  /** The bearer every request must carry; any non-empty bearer when unset. */
  token?: string;
  tenantId?: string;
  /** How many `GET …/pending` polls answer `inProgress` before the operation completes. Default 1. */
  pendingPolls?: number;
  /** Default true: purging a deleted certificate is refused (403), as on a vault with purge protection. */
  purgeProtection?: boolean;
  /** Page size of `GET …/versions` when the client sends no `maxresults`. Default 25. */
  versionsPageSize?: number;
}

export interface EmulatedVersion {
  readonly version: string;
  readonly created: number;
  readonly der: Buffer;
  readonly x5t: string;
  readonly nbf: number;
  readonly exp: number;
  readonly subject: string;
  readonly keySize: number;
  readonly contentType: string;
  /** The secret: private key PEM followed by the certificate PEM. Never served except by `GET /secrets`. */
  readonly secretPem: string;
  tags: Record<string, string>;
  enabled: boolean;
  updated: number;
}

interface Policy {
  key_props: { exportable: boolean; kty: string; key_size: number; reuse_key: boolean };
  secret_props: { contentType: string };
  x509_props: { subject: string; ekus: string[]; key_usage: string[]; validity_months: number; basic_constraints: { ca: boolean }; sans: Record<string, unknown> };
  lifetime_actions: { trigger: { days_before_expiry?: number; lifetime_percentage?: number }; action: { action_type: string } }[];
  issuer: { name: string; cert_transparency: boolean };
  attributes: { enabled: boolean; created: number; updated: number };
}

interface Operation {
  requestId: string;
  version: string;
  status: 'inProgress' | 'completed' | 'failed';
  pollsLeft: number;
  csr: string;
  tags: Record<string, string>;
  generated: Promise<EmulatedVersion>;
  error?: { code: string; message: string };
  failWith?: string;
}

interface StoredCertificate {
  name: string;
  policy: Policy;
  versions: EmulatedVersion[];
  operation?: Operation;
  deleted?: { deletedDate: number; scheduledPurgeDate: number };
}

export interface KeyVaultEmulatorStats {
  requests: string[];
  unauthenticated: number;
  /** Create operations accepted (each becomes one version when it completes). */
  creates: number;
  deletes: number;
  recoveries: number;
}

class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const RESERVED_SEGMENTS = new Set(['create', 'pending', 'policy', 'versions', 'import', 'backup', 'restore', 'issuers', 'contacts']);
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const RETENTION_DAYS = 90;

export class KeyVaultEmulator {
  readonly stats: KeyVaultEmulatorStats = { requests: [], unauthenticated: 0, creates: 0, deletes: 0, recoveries: 0 };
  readonly faults = new FaultScript();
  readonly tenantId: string;
  private readonly certificates = new Map<string, StoredCertificate>();
  private failNext: string | undefined;

  private constructor(
    private readonly options: KeyVaultEmulatorOptions,
    private readonly server: LoopbackServer,
  ) {
    this.tenantId = options.tenantId ?? randomUUID();
  }

  static async start(options: KeyVaultEmulatorOptions = {}): Promise<KeyVaultEmulator> {
    let emulator: KeyVaultEmulator | undefined;
    const server = await LoopbackServer.start(
      (request) => emulator!.handle(request),
      (error) => errorResponse(error instanceof KeyVaultError ? error : new KeyVaultError(500, 'InternalServerError', `Emulator failure: ${String(error)}`)),
    );
    emulator = new KeyVaultEmulator(options, server);
    return emulator;
  }

  /** The vault URI as Azure reports it (`properties.vaultUri`): origin plus a trailing slash. */
  get vaultUri(): string {
    return `${this.server.origin}/`;
  }

  get origin(): string {
    return this.server.origin;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  injectFault(fault: ScriptedFault): void {
    this.faults.add(fault);
  }

  /** The next create operation ends `failed` with this message (the policy still changes, as in Key Vault). */
  failNextOperation(message: string): void {
    this.failNext = message;
  }

  /** Completed versions, oldest first; undefined when the name was never used. */
  versions(name: string): readonly EmulatedVersion[] | undefined {
    return this.certificates.get(name.toLowerCase())?.versions;
  }

  policy(name: string): Readonly<Policy> | undefined {
    return this.certificates.get(name.toLowerCase())?.policy;
  }

  isDeleted(name: string): boolean {
    return this.certificates.get(name.toLowerCase())?.deleted !== undefined;
  }

  operationStatus(name: string): string | undefined {
    return this.certificates.get(name.toLowerCase())?.operation?.status;
  }

  /** Completes every pending operation now, as the service does in the background when nobody polls. */
  async settle(): Promise<void> {
    for (const certificate of this.certificates.values()) {
      if (certificate.operation?.status === 'inProgress') await this.complete(certificate);
    }
  }

  /** What Key Vault's AutoRenew lifetime action does: a new version from the current policy, without tags. */
  async renew(name: string): Promise<EmulatedVersion> {
    const certificate = this.certificates.get(name.toLowerCase());
    if (!certificate || certificate.deleted) throw new Error(`no certificate ${name} to renew`);
    const version = await this.generate(certificate, randomVersion(), {});
    certificate.versions.push(version);
    return version;
  }

  private async handle(request: EmulatedRequest): Promise<EmulatedResponse> {
    const path = request.url.pathname;
    this.stats.requests.push(`${request.method} ${path}`);
    this.authenticate(request.headers);
    if (!request.url.searchParams.get('api-version')) throw new KeyVaultError(400, 'BadParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    const fault = this.faults.take(request.method, path);
    if (fault && !fault.afterHandling) return faultResponse(fault, faultBody);
    const response = await this.route(request);
    return fault ? faultResponse(fault, faultBody) : response;
  }

  private authenticate(headers: Record<string, string>): void {
    const token = bearerOf(headers);
    if (token !== undefined && (this.options.token === undefined || token === this.options.token)) return;
    this.stats.unauthenticated++;
    throw new KeyVaultError(
      401,
      'Unauthorized',
      token === undefined ? 'AKV10000: Request is missing a Bearer or PoP token.' : 'AKV10022: Invalid audience.',
      { 'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="${KEY_VAULT_RESOURCE}"` },
    );
  }

  private async route(request: EmulatedRequest): Promise<EmulatedResponse> {
    const { method, segments } = request;
    const [collection, name, third, fourth] = segments;
    if (name !== undefined && !NAME.test(name)) throw new KeyVaultError(400, 'BadParameter', `The name '${name}' is invalid: use 1-127 letters, digits and dashes.`);
    if (collection === 'certificates' && name !== undefined) {
      if (third === undefined) {
        if (method === 'GET') return ok(this.bundle(this.live(name), undefined));
        if (method === 'DELETE') return ok(this.softDelete(name));
      } else if (fourth === undefined) {
        if (third === 'create' && method === 'POST') return this.create(name, request);
        if (third === 'pending' && method === 'GET') return ok(await this.pending(name));
        if (third === 'policy' && method === 'GET') return ok(this.policyJson(this.live(name)));
        if (third === 'policy' && method === 'PATCH') return ok(this.patchPolicy(name, parseJson(request)));
        if (third === 'versions' && method === 'GET') return ok(this.listVersions(name, request.url));
        if (!RESERVED_SEGMENTS.has(third) && method === 'GET') return ok(this.bundle(this.live(name), third));
        if (!RESERVED_SEGMENTS.has(third) && method === 'PATCH') return ok(this.patchVersion(name, third, parseJson(request)));
      }
    }
    if (collection === 'deletedcertificates' && name !== undefined) {
      if (third === undefined && method === 'GET') return ok(this.deletedBundle(this.deleted(name)));
      if (third === undefined && method === 'DELETE') return this.purge(name);
      if (third === 'recover' && fourth === undefined && method === 'POST') return ok(this.recover(name));
    }
    if (collection === 'secrets' && name !== undefined && fourth === undefined && method === 'GET') return ok(this.secret(name, third));
    throw new KeyVaultError(404, 'NotFound', `No operation ${method} ${request.url.pathname} in this emulator.`);
  }

  // --- certificates -------------------------------------------------------------------------------------

  private create(name: string, request: EmulatedRequest): EmulatedResponse {
    const body = parseJson(request);
    const key = name.toLowerCase();
    let certificate = this.certificates.get(key);
    if (certificate?.deleted) {
      throw new KeyVaultError(409, 'Conflict', `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`);
    }
    if (certificate?.operation?.status === 'inProgress') {
      throw new KeyVaultError(409, 'Conflict', `There was a conflict while creating certificate '${name}': a create operation is already pending. Perform operations against the pending certificate sequentially.`);
    }
    const policy = mergePolicy(certificate?.policy, asObject(body['policy'], 'policy'), now());
    const tags = asTags(body['tags']);
    if (!certificate) {
      certificate = { name, policy, versions: [] };
      this.certificates.set(key, certificate);
    } else {
      certificate.policy = policy;
    }
    const version = randomVersion();
    const generated = this.generate(certificate, version, tags);
    generated.catch(() => undefined);
    certificate.operation = {
      requestId: randomUUID().replace(/-/g, ''),
      version,
      status: 'inProgress',
      pollsLeft: this.options.pendingPolls ?? 1,
      csr: randomBytes(64).toString('base64'),
      tags,
      generated,
      failWith: this.failNext,
    };
    this.failNext = undefined;
    this.stats.creates++;
    const apiVersion = request.url.searchParams.get('api-version') ?? '';
    return {
      status: 202,
      headers: { Location: `${this.origin}/certificates/${certificate.name}/pending?api-version=${apiVersion}&request_id=${certificate.operation.requestId}` },
      body: this.operationJson(certificate),
    };
  }

  private async pending(name: string): Promise<unknown> {
    const certificate = this.certificates.get(name.toLowerCase());
    if (!certificate?.operation || certificate.deleted) throw new KeyVaultError(404, 'PendingCertificateNotFound', `Pending certificate not found: ${name}`);
    const operation = certificate.operation;
    if (operation.status === 'inProgress' && --operation.pollsLeft <= 0) await this.complete(certificate);
    return this.operationJson(certificate);
  }

  private async complete(certificate: StoredCertificate): Promise<void> {
    const operation = certificate.operation!;
    if (operation.failWith !== undefined) {
      operation.status = 'failed';
      operation.error = { code: 'CertificateCreationFailed', message: operation.failWith };
      return;
    }
    try {
      certificate.versions.push(await operation.generated);
      operation.status = 'completed';
    } catch (error) {
      operation.status = 'failed';
      operation.error = { code: 'CertificateCreationFailed', message: String(error) };
    }
  }

  private patchPolicy(name: string, body: Record<string, unknown>): unknown {
    const certificate = this.live(name);
    certificate.policy = mergePolicy(certificate.policy, body, now());
    return this.policyJson(certificate);
  }

  private patchVersion(name: string, version: string, body: Record<string, unknown>): unknown {
    const certificate = this.live(name);
    const target = certificate.versions.find((candidate) => candidate.version === version);
    if (!target) throw notFound(name, version);
    if (body['tags'] !== undefined) target.tags = asTags(body['tags']);
    const attributes = body['attributes'];
    if (attributes !== undefined && typeof (attributes as { enabled?: unknown }).enabled === 'boolean') target.enabled = (attributes as { enabled: boolean }).enabled;
    target.updated = now();
    return this.bundle(certificate, version);
  }

  private listVersions(name: string, url: URL): unknown {
    const certificate = this.live(name);
    const pageSize = Number(url.searchParams.get('maxresults') ?? this.options.versionsPageSize ?? 25);
    const start = Number(url.searchParams.get('$skiptoken') ?? 0);
    const page = certificate.versions.slice(start, start + pageSize);
    const next = start + pageSize < certificate.versions.length ? start + pageSize : undefined;
    const apiVersion = url.searchParams.get('api-version') ?? '';
    return {
      value: page.map((version) => ({ id: this.versionId(certificate, version), x5t: version.x5t, attributes: this.attributes(version), ...tagsOf(version) })),
      nextLink:
        next === undefined
          ? null
          : `${this.origin}/certificates/${certificate.name}/versions?api-version=${apiVersion}&$skiptoken=${next}&maxresults=${pageSize}`,
    };
  }

  private softDelete(name: string): unknown {
    const certificate = this.live(name);
    const deletedDate = now();
    certificate.deleted = { deletedDate, scheduledPurgeDate: deletedDate + RETENTION_DAYS * 86_400 };
    this.stats.deletes++;
    return this.deletedBundle(certificate);
  }

  private recover(name: string): unknown {
    const certificate = this.deleted(name);
    certificate.deleted = undefined;
    this.stats.recoveries++;
    return this.bundle(certificate, undefined);
  }

  private purge(name: string): EmulatedResponse {
    this.deleted(name);
    if (this.options.purgeProtection ?? true) {
      throw new KeyVaultError(
        403,
        'Forbidden',
        'Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.',
      );
    }
    this.certificates.delete(name.toLowerCase());
    return { status: 204 };
  }

  private secret(name: string, version: string | undefined): unknown {
    const certificate = this.certificates.get(name.toLowerCase());
    const target = version === undefined ? certificate?.versions.at(-1) : certificate?.versions.find((candidate) => candidate.version === version);
    if (!certificate || certificate.deleted || !target) throw new KeyVaultError(404, 'SecretNotFound', `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault.`);
    return {
      value: target.secretPem,
      contentType: target.contentType,
      id: `${this.origin}/secrets/${certificate.name}/${target.version}`,
      kid: `${this.origin}/keys/${certificate.name}/${target.version}`,
      managed: true,
      attributes: this.attributes(target),
    };
  }

  // --- shapes ------------------------------------------------------------------------------------------

  private live(name: string): StoredCertificate {
    const certificate = this.certificates.get(name.toLowerCase());
    if (!certificate || certificate.deleted || (certificate.versions.length === 0 && !certificate.operation)) throw notFound(name);
    return certificate;
  }

  private deleted(name: string): StoredCertificate {
    const certificate = this.certificates.get(name.toLowerCase());
    if (!certificate?.deleted) throw new KeyVaultError(404, 'CertificateNotFound', `Deleted Certificate not found: ${name}`);
    return certificate;
  }

  private bundle(certificate: StoredCertificate, version: string | undefined): Record<string, unknown> {
    const target = version === undefined ? certificate.versions.at(-1) : certificate.versions.find((candidate) => candidate.version === version);
    // A certificate whose first version is still pending has no readable version yet.
    if (!target) throw notFound(certificate.name, version);
    return {
      id: this.versionId(certificate, target),
      kid: `${this.origin}/keys/${certificate.name}/${target.version}`,
      sid: `${this.origin}/secrets/${certificate.name}/${target.version}`,
      x5t: target.x5t,
      cer: target.der.toString('base64'),
      attributes: this.attributes(target),
      policy: this.policyJson(certificate),
      ...tagsOf(target),
    };
  }

  private deletedBundle(certificate: StoredCertificate): Record<string, unknown> {
    const deleted = certificate.deleted!;
    const base = certificate.versions.length > 0 ? this.bundle(certificate, undefined) : { id: `${this.origin}/certificates/${certificate.name}` };
    return { ...base, recoveryId: `${this.origin}/deletedcertificates/${certificate.name}`, deletedDate: deleted.deletedDate, scheduledPurgeDate: deleted.scheduledPurgeDate };
  }

  private versionId(certificate: StoredCertificate, version: EmulatedVersion): string {
    return `${this.origin}/certificates/${certificate.name}/${version.version}`;
  }

  private attributes(version: EmulatedVersion): Record<string, unknown> {
    return {
      enabled: version.enabled,
      nbf: version.nbf,
      exp: version.exp,
      created: version.created,
      updated: version.updated,
      recoveryLevel: (this.options.purgeProtection ?? true) ? 'Recoverable' : 'Recoverable+Purgeable',
      recoverableDays: RETENTION_DAYS,
    };
  }

  private policyJson(certificate: StoredCertificate): Record<string, unknown> {
    return { id: `${this.origin}/certificates/${certificate.name}/policy`, ...structuredClone(certificate.policy) };
  }

  private operationJson(certificate: StoredCertificate): Record<string, unknown> {
    const operation = certificate.operation!;
    return {
      id: `${this.origin}/certificates/${certificate.name}/pending`,
      issuer: { name: certificate.policy.issuer.name },
      csr: operation.csr,
      cancellation_requested: false,
      status: operation.status,
      status_details:
        operation.status === 'inProgress'
          ? 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider.'
          : operation.status === 'completed'
            ? 'The certificate was created.'
            : 'The certificate creation failed.',
      request_id: operation.requestId,
      ...(operation.status === 'completed' ? { target: `${this.origin}/certificates/${certificate.name}` } : {}),
      ...(operation.error ? { error: operation.error } : {}),
    };
  }

  /** A new version from the certificate's policy as it is now (Key Vault reads the policy at issuance). */
  private async generate(certificate: StoredCertificate, version: string, tags: Record<string, string>): Promise<EmulatedVersion> {
    const { policy } = certificate;
    const issued = new Date();
    const until = new Date(issued);
    until.setUTCMonth(until.getUTCMonth() + policy.x509_props.validity_months);
    const generated = await generateEncryptionCertificate({
      subject: policy.x509_props.subject,
      validityDays: Math.round((until.getTime() - issued.getTime()) / 86_400_000),
      // Key Vault also issues 3072 bits; the generator makes only what Entra takes, and no stack can ask for more.
      modulusLength: policy.key_props.key_size as EncryptionKeySize,
    });
    const der = Buffer.from(generated.certificateBase64Der, 'base64');
    // Versions of one certificate get strictly increasing `created` seconds, so "newest" is never a tie.
    const created = Math.max(now(), (certificate.versions.at(-1)?.created ?? 0) + 1);
    return {
      version,
      created,
      updated: created,
      der,
      x5t: createHash('sha1').update(der).digest('base64url'),
      nbf: Math.floor(generated.notBefore.getTime() / 1000),
      exp: Math.floor(generated.notAfter.getTime() / 1000),
      subject: policy.x509_props.subject,
      keySize: policy.key_props.key_size,
      contentType: policy.secret_props.contentType,
      secretPem: `${generated.privateKeyPem}${generated.certificatePem}`,
      tags,
      enabled: true,
    };
  }
}

// --- policy ----------------------------------------------------------------------------------------------

/** Applies a (partial) wire policy over the current one or Key Vault's defaults, then validates it. */
function mergePolicy(base: Policy | undefined, patch: Record<string, unknown>, at: number): Policy {
  const current: Policy = base
    ? structuredClone(base)
    : {
        key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
        secret_props: { contentType: 'application/x-pkcs12' },
        x509_props: {
          subject: '',
          ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
          key_usage: ['digitalSignature', 'keyEncipherment'],
          validity_months: 12,
          basic_constraints: { ca: false },
          sans: {},
        },
        lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
        issuer: { name: 'Unknown', cert_transparency: false },
        attributes: { enabled: true, created: at, updated: at },
      };
  const section = (key: string): Record<string, unknown> => (patch[key] === undefined || patch[key] === null ? {} : asObject(patch[key], key));
  const keyProps = section('key_props');
  const secretProps = section('secret_props');
  const x509 = section('x509_props');
  const issuer = section('issuer');
  assign(current.key_props, keyProps, ['exportable', 'kty', 'key_size', 'reuse_key']);
  assign(current.secret_props, secretProps, ['contentType']);
  assign(current.x509_props, x509, ['subject', 'ekus', 'key_usage', 'validity_months', 'sans']);
  assign(current.issuer, issuer, ['name', 'cert_transparency']);
  if (Array.isArray(patch['lifetime_actions'])) current.lifetime_actions = structuredClone(patch['lifetime_actions']) as Policy['lifetime_actions'];
  current.attributes.updated = at;
  validatePolicy(current);
  return current;
}

function validatePolicy(policy: Policy): void {
  const bad = (message: string) => new KeyVaultError(400, 'BadParameter', message);
  if (policy.issuer.name !== 'Self') throw bad(`Issuer '${policy.issuer.name}' is not supported by the emulator: it issues self-signed certificates only (issuer 'Self').`);
  if (!['RSA', 'RSA-HSM'].includes(policy.key_props.kty)) throw bad(`Key type '${policy.key_props.kty}' is not supported by the emulator: use RSA.`);
  if (![2048, 3072, 4096].includes(policy.key_props.key_size)) throw bad(`RSA key size ${policy.key_props.key_size} is invalid: use 2048, 3072 or 4096.`);
  if (typeof policy.x509_props.subject !== 'string' || policy.x509_props.subject.trim() === '') throw bad('The policy needs a subject (x509_props.subject).');
  const months = policy.x509_props.validity_months;
  if (!Number.isInteger(months) || months < 1 || months > 120) throw bad(`validity_months ${months} is invalid: use 1-120 (emulator limit).`);
  if (!['application/x-pem-file', 'application/x-pkcs12'].includes(policy.secret_props.contentType)) throw bad(`Content type '${policy.secret_props.contentType}' is invalid.`);
  for (const action of policy.lifetime_actions) {
    if (!['AutoRenew', 'EmailContacts'].includes(action.action?.action_type)) throw bad(`Lifetime action '${action.action?.action_type}' is invalid.`);
    const { days_before_expiry: days, lifetime_percentage: percentage } = action.trigger ?? {};
    if ((days === undefined) === (percentage === undefined)) throw bad('A lifetime action trigger needs exactly one of days_before_expiry and lifetime_percentage.');
    // learn.microsoft.com/javascript/api/@azure/keyvault-certificates/lifetimeaction: 1 to validity_in_months × 27.
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > months * 27)) throw bad(`days_before_expiry ${days} must be between 1 and ${months * 27} (validity_months × 27).`);
    if (percentage !== undefined && (!Number.isInteger(percentage) || percentage < 1 || percentage > 99)) throw bad(`lifetime_percentage ${percentage} must be between 1 and 99.`);
  }
}

// --- helpers ---------------------------------------------------------------------------------------------

function assign(target: object, source: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) if (source[key] !== undefined && source[key] !== null) (target as Record<string, unknown>)[key] = structuredClone(source[key]);
}

function parseJson(request: EmulatedRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  try {
    return asObject(JSON.parse(request.body.toString('utf8')), 'body');
  } catch (error) {
    if (error instanceof KeyVaultError) throw error;
    throw new KeyVaultError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KeyVaultError(400, 'BadParameter', `${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function asTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const tags = asObject(value, 'tags');
  for (const [key, tag] of Object.entries(tags)) if (typeof tag !== 'string') throw new KeyVaultError(400, 'BadParameter', `Tag '${key}' must be a string.`);
  return { ...(tags as Record<string, string>) };
}

function tagsOf(version: EmulatedVersion): { tags?: Record<string, string> } {
  return Object.keys(version.tags).length > 0 ? { tags: { ...version.tags } } : {};
}

function notFound(name: string, version?: string): KeyVaultError {
  return new KeyVaultError(404, 'CertificateNotFound', `A certificate with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command.`);
}

function ok(body: unknown): EmulatedResponse {
  return { status: 200, body };
}

function errorResponse(error: KeyVaultError): EmulatedResponse {
  return { status: error.status, headers: error.headers, body: { error: { code: error.code, message: error.message } } };
}

function faultBody(status: number): unknown {
  if (status === 429) return { error: { code: 'Throttled', message: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached' } };
  if (status === 409) return { error: { code: 'Conflict', message: 'There was a conflict while updating the certificate. Perform operations sequentially.' } };
  return { error: { code: 'ServiceUnavailable', message: `The service returned ${status}; retry later.` } };
}

function randomVersion(): string {
  return randomBytes(16).toString('hex');
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
