/** The Key Vault emulator honours the data-plane contract the provider relies on (raw REST and the real SDK). */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { CertificateClient } from '@azure/keyvault-certificates';
import { staticCredential } from '../../../infra/providers/azureAccess';
import { KEY_VAULT_RESOURCE, KeyVaultEmulator } from './keyVault';

const TOKEN = 'kv-test-token';
const API = 'api-version=2025-07-01';
const POLICY = {
  key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
  secret_props: { contentType: 'application/x-pem-file' },
  x509_props: { subject: 'CN=JitMigration', validity_months: 12 },
  lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'AutoRenew' } }],
  issuer: { name: 'Self' },
};

let vault: KeyVaultEmulator;

beforeEach(async () => {
  vault = await KeyVaultEmulator.start({ token: TOKEN });
});
afterEach(async () => {
  await vault.stop();
});

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${vault.origin}${path}${path.includes('?') ? '&' : '?'}${API}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

async function createAndComplete(name: string, policy: object = POLICY): Promise<any> {
  expect((await call('POST', `/certificates/${name}/create`, { policy })).status).toBe(202);
  const pending = await call('GET', `/certificates/${name}/pending`);
  expect(pending.json.status).toBe('completed');
  return (await call('GET', `/certificates/${name}`)).json;
}

describe('authentication', () => {
  it('answers an unauthenticated request with the Key Vault challenge', async () => {
    const response = await call('GET', '/certificates/any', undefined, null);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer authorization="https://login.microsoftonline.com/${vault.tenantId}", resource="${KEY_VAULT_RESOURCE}"`);
  });

  it('rejects another token and a request without api-version', async () => {
    expect((await call('GET', '/certificates/any', undefined, 'wrong')).status).toBe(401);
    const response = await fetch(`${vault.origin}/certificates/any`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(400);
  });
});

describe('certificate life cycle', () => {
  it('creates through a pending operation and serves a real self-signed certificate', async () => {
    vault = await restart({ token: TOKEN, pendingPolls: 2 });
    const created = await call('POST', '/certificates/Jit-Cert/create', { policy: POLICY, tags: { a: 'b' } });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({ status: 'inProgress', id: `${vault.origin}/certificates/Jit-Cert/pending` });
    expect(created.headers.get('location')).toContain('/certificates/Jit-Cert/pending');
    expect((await call('GET', '/certificates/jit-cert')).status).toBe(404);
    expect((await call('POST', '/certificates/jit-cert/create', { policy: POLICY })).status).toBe(409);
    expect((await call('GET', '/certificates/jit-cert/pending')).json.status).toBe('inProgress');
    expect((await call('GET', '/certificates/jit-cert/pending')).json).toMatchObject({ status: 'completed', target: `${vault.origin}/certificates/Jit-Cert` });

    const bundle = (await call('GET', '/certificates/jit-cert')).json;
    const der = Buffer.from(bundle.cer, 'base64');
    const certificate = new X509Certificate(der);
    expect(certificate.subject).toBe('CN=JitMigration');
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(bundle.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    expect(bundle.id).toMatch(new RegExp(`^${vault.origin}/certificates/Jit-Cert/[0-9a-f]{32}$`));
    expect(bundle.sid).toBe(bundle.id.replace('/certificates/', '/secrets/'));
    expect(bundle.attributes.exp - bundle.attributes.nbf).toBeGreaterThan(360 * 86_400);
    expect(bundle.policy).toMatchObject({ key_props: { key_size: 2048, exportable: true }, x509_props: { subject: 'CN=JitMigration', validity_months: 12 } });
    expect(bundle.tags).toEqual({ a: 'b' });
    expect(JSON.stringify(bundle)).not.toMatch(/PRIVATE KEY/);

    // The secret of the version holds the matching private key (PEM), as Key Vault exposes it.
    const secret = (await call('GET', `/secrets/jit-cert/${bundle.id.split('/').at(-1)}`)).json;
    expect(secret.contentType).toBe('application/x-pem-file');
    const publicFromPrivate = createPublicKey(createPrivateKey(secret.value)).export({ format: 'der', type: 'spki' });
    expect(publicFromPrivate.equals(certificate.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('pages versions, patches policy and tags, soft-deletes and recovers', async () => {
    vault = await restart({ token: TOKEN, versionsPageSize: 1 });
    const first = await createAndComplete('rotating');
    const second = await createAndComplete('rotating', { ...POLICY, key_props: { ...POLICY.key_props } });
    expect(second.id).not.toBe(first.id);
    const page = await call('GET', '/certificates/rotating/versions');
    expect(page.json.value).toHaveLength(1);
    expect(page.json.nextLink).toContain('$skiptoken=1');
    const next = await fetch(page.json.nextLink, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await next.json()) as { value: unknown[] }).value).toHaveLength(1);

    const policy = await call('PATCH', '/certificates/rotating/policy', { x509_props: { validity_months: 24 } });
    expect(policy.json.x509_props).toMatchObject({ validity_months: 24, subject: 'CN=JitMigration' });
    const invalid = await call('PATCH', '/certificates/rotating/policy', { lifetime_actions: [{ trigger: { days_before_expiry: 24 * 27 + 1 }, action: { action_type: 'AutoRenew' } }] });
    expect(invalid.status).toBe(400);
    const version = second.id.split('/').at(-1);
    expect((await call('PATCH', `/certificates/rotating/${version}`, { tags: { owner: 'x' } })).json.tags).toEqual({ owner: 'x' });

    expect((await call('DELETE', '/certificates/rotating')).json.recoveryId).toBe(`${vault.origin}/deletedcertificates/rotating`);
    expect((await call('GET', '/certificates/rotating')).status).toBe(404);
    expect((await call('POST', '/certificates/rotating/create', { policy: POLICY })).status).toBe(409);
    expect((await call('DELETE', '/deletedcertificates/rotating')).status).toBe(403);
    expect((await call('POST', '/deletedcertificates/rotating/recover')).status).toBe(200);
    expect((await call('GET', '/certificates/rotating')).json.id).toBe(second.id);
  });

  it('rejects policies Key Vault would reject', async () => {
    const bad = async (policy: object) => (await call('POST', '/certificates/bad/create', { policy })).status;
    expect(await bad({ ...POLICY, issuer: { name: 'DigiCert' } })).toBe(400);
    expect(await bad({ ...POLICY, key_props: { ...POLICY.key_props, key_size: 1024 } })).toBe(400);
    expect(await bad({ ...POLICY, x509_props: { validity_months: 12 } })).toBe(400);
    expect((await call('POST', '/certificates/bad_name/create', { policy: POLICY })).status).toBe(400);
  });

  it('simulates AutoRenew with a new untagged version', async () => {
    const first = await createAndComplete('renewing');
    const renewed = await vault.renew('renewing');
    const latest = (await call('GET', '/certificates/renewing')).json;
    expect(latest.id).toBe(`${vault.origin}/certificates/renewing/${renewed.version}`);
    expect(latest.id).not.toBe(first.id);
    expect(latest.tags).toBeUndefined();
  });
});

describe('faults', () => {
  it('serves scripted throttling and server errors, before or after acting', async () => {
    vault.injectFault({ status: 429, retryAfterSeconds: 3, path: /\/pending$/ });
    vault.injectFault({ status: 500, method: 'POST', afterHandling: true });
    const create = await call('POST', '/certificates/faulty/create', { policy: POLICY });
    expect(create.status).toBe(500);
    expect(vault.stats.creates).toBe(1); // it acted anyway
    const throttled = await call('GET', '/certificates/faulty/pending');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect((await call('GET', '/certificates/faulty/pending')).json.status).toBe('completed');
  });
});

describe('the Azure SDK against the emulator', () => {
  it('creates, reads and lists through the challenge flow over loopback http', async () => {
    const client = new CertificateClient(vault.vaultUri, staticCredential(TOKEN), { allowInsecureConnection: true, disableChallengeResourceVerification: true });
    const poller = await client.beginCreateCertificate(
      'sdk-cert',
      { issuerName: 'Self', subject: 'CN=Sdk', keySize: 2048, exportable: true, contentType: 'application/x-pem-file', validityInMonths: 6, lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: 20 }] },
      { intervalInMs: 1 },
    );
    const certificate = await poller.pollUntilDone();
    expect(certificate.policy).toMatchObject({ subject: 'CN=Sdk', keySize: 2048, validityInMonths: 6, lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: 20 }] });
    expect(new X509Certificate(Buffer.from(certificate.cer!)).subject).toBe('CN=Sdk');
    const versions = [];
    for await (const version of client.listPropertiesOfCertificateVersions('sdk-cert')) versions.push(version);
    expect(versions).toHaveLength(1);
    expect(vault.stats.unauthenticated).toBeGreaterThanOrEqual(1); // the challenge round trip
  });
});

async function restart(options: Parameters<typeof KeyVaultEmulator.start>[0]): Promise<KeyVaultEmulator> {
  await vault.stop();
  return KeyVaultEmulator.start(options);
}
