/** keyVaultCertificateProvider against the loopback Key Vault emulator: check/diff/create/read/update/delete. */
import { X509Certificate, createHash } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';
import { KeyVaultEmulator } from '../../test/emulators/azure';
import { AZURE_TOKEN_VARIABLE, UNKNOWN, staticCredential } from './azureAccess';
import {
  OWNER_TAG,
  canonicalSubject,
  createKeyVaultCertificateProvider,
  keyVaultCertificateProvider,
  type KeyVaultCertificateOutputs,
} from './keyVaultCertificate';

const TOKEN = 'kv-provider-test-token';
let vault: KeyVaultEmulator;
let sleeps: number[];
let owners: number;

function provider(): pulumi.dynamic.ResourceProvider {
  return createKeyVaultCertificateProvider({
    credentialFor: () => staticCredential(TOKEN),
    retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 2 },
    pollIntervalMs: 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    newOwner: () => `owner-${++owners}`,
  });
}

function inputs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { vaultUri: vault.vaultUri, certificateName: 'jit-decryption', subject: 'CN=JitMigration', keySize: 2048, validityInMonths: 12, renewDaysBeforeExpiry: 30, ...overrides };
}

/** What the engine does on `up`: check the new inputs, then create. */
async function create(p = provider(), overrides: Record<string, unknown> = {}): Promise<{ id: string; outs: KeyVaultCertificateOutputs }> {
  const checked = await p.check!({}, inputs(overrides));
  expect(checked.failures).toEqual([]);
  const result = await p.create(checked.inputs);
  return { id: result.id, outs: result.outs as KeyVaultCertificateOutputs };
}

/** Engine-style update: check, diff against stored outputs, update only when the diff says so. */
async function apply(p: pulumi.dynamic.ResourceProvider, id: string, olds: KeyVaultCertificateOutputs, overrides: Record<string, unknown>) {
  const checked = await p.check!(olds, inputs(overrides));
  expect(checked.failures).toEqual([]);
  const diff = await p.diff!(id, olds, checked.inputs);
  if (!diff.changes) return { diff, outs: olds };
  const updated = await p.update!(id, olds, checked.inputs);
  return { diff, outs: updated.outs as KeyVaultCertificateOutputs };
}

function assertNoSecrets(outs: unknown): void {
  const text = JSON.stringify(outs);
  expect(text).not.toMatch(/PRIVATE KEY|-----BEGIN/);
  expect(text).not.toContain(TOKEN);
}

beforeEach(async () => {
  vault = await KeyVaultEmulator.start({ token: TOKEN });
  sleeps = [];
  owners = 0;
});
afterEach(async () => {
  await vault.stop();
});

describe('check', () => {
  it('normalizes the vault URI and the subject, and keeps unknown values', async () => {
    const result = await provider().check!({}, inputs({ vaultUri: 'https://KV-Jit.Vault.Azure.NET', subject: ' cn = JitMigration ,o=Contoso ' }));
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ vaultUri: 'https://kv-jit.vault.azure.net/', subject: 'CN=JitMigration, O=Contoso' });
    const preview = await provider().check!({}, inputs({ vaultUri: UNKNOWN }));
    expect(preview.failures).toEqual([]);
    expect(preview.inputs['vaultUri']).toBe(UNKNOWN);
  });

  it('names each invalid input and the fix', async () => {
    const result = await provider().check!(
      {},
      { vaultUri: 'http://kv.vault.azure.net/', certificateName: 'bad_name', subject: 'O=NoCommonName', keySize: 3072, validityInMonths: 0, renewDaysBeforeExpiry: 500 },
    );
    const failures = result.failures ?? [];
    expect(failures.map((failure) => failure.property)).toEqual(['vaultUri', 'certificateName', 'subject', 'keySize', 'validityInMonths', 'renewDaysBeforeExpiry']);
    expect(failures[0]?.reason).toMatch(/https/);
    expect(failures[3]?.reason).toMatch(/2048 or 4096/);
    expect((await provider().check!({}, inputs({ validityInMonths: 1, renewDaysBeforeExpiry: 28 }))).failures?.[0]?.reason).toMatch(/validityInMonths × 27/);
    expect((await provider().check!({}, inputs({ vaultUri: 'https://kv.vault.azure.net/secrets' }))).failures?.[0]?.property).toBe('vaultUri');
  });

  it('spells distinguished names canonically', () => {
    expect(canonicalSubject('cn=a, o = b\\, c')).toBe('CN=a, O=b\\, c');
    expect(canonicalSubject('CN=')).toBeUndefined();
    expect(canonicalSubject('O=x')).toBeUndefined();
  });
});

describe('diff', () => {
  const olds = { vaultUri: 'https://kv.vault.azure.net/', certificateName: 'Jit', subject: 'CN=A', keySize: 2048, validityInMonths: 12, renewDaysBeforeExpiry: 30, version: 'v1', owner: 'o' };
  const diff = (news: Record<string, unknown>) => provider().diff!('id', olds, { ...olds, ...news });

  it('reports no change for equal inputs, another spelling of the subject, or another case of the name', async () => {
    expect((await diff({})).changes).toBe(false);
    expect((await diff({ subject: 'cn = A' })).changes).toBe(false);
    expect((await diff({ certificateName: 'JIT', vaultUri: 'https://KV.vault.azure.net/' })).changes).toBe(false);
  });

  it('updates for policy and key changes, keeping the version outputs stable only for policy changes', async () => {
    const policy = await diff({ validityInMonths: 24 });
    expect(policy).toMatchObject({ changes: true, replaces: [] });
    expect(policy.stables).toEqual(expect.arrayContaining(['secretId', 'certificateBase64Der', 'version']));
    const rotation = await diff({ keySize: 4096 });
    expect(rotation).toMatchObject({ changes: true, replaces: [] });
    expect(rotation.stables).toContain('secretId');
    expect(rotation.stables).not.toContain('certificateBase64Der');
    expect((await diff({ subject: 'CN=B' })).stables).not.toContain('version');
  });

  it('replaces for another vault or name, also when the vault is not known yet', async () => {
    expect((await diff({ vaultUri: 'https://other.vault.azure.net/' })).replaces).toEqual(['vaultUri']);
    expect((await diff({ certificateName: 'other' })).replaces).toEqual(['certificateName']);
    expect((await diff({ vaultUri: UNKNOWN })).replaces).toEqual(['vaultUri']);
  });
});

describe('create', () => {
  it('creates a self-signed certificate in the vault and outputs only public material', async () => {
    const { id, outs } = await create();
    const versions = vault.versions('jit-decryption')!;
    expect(versions).toHaveLength(1);
    const [only] = versions;
    expect(id).toBe(`${vault.vaultUri}certificates/jit-decryption`);
    const der = Buffer.from(outs.certificateBase64Der, 'base64');
    const certificate = new X509Certificate(der);
    expect(certificate.subject).toBe('CN=JitMigration');
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(outs).toMatchObject({
      vaultUri: vault.vaultUri,
      certificateName: 'jit-decryption',
      subject: 'CN=JitMigration',
      keySize: 2048,
      version: only!.version,
      x5t: only!.x5t,
      thumbprintHex: createHash('sha1').update(der).digest('hex').toUpperCase(),
      secretId: `${vault.origin}/secrets/jit-decryption`,
      versionedSecretId: `${vault.origin}/secrets/jit-decryption/${only!.version}`,
      owner: 'owner-1',
    });
    expect(outs.previousVersion).toBeUndefined();
    expect(new Date(outs.expiresOn).getTime() - new Date(outs.notBefore).getTime()).toBeGreaterThan(360 * 86_400_000);
    expect(vault.policy('jit-decryption')).toMatchObject({
      key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
      secret_props: { contentType: 'application/x-pem-file' },
      issuer: { name: 'Self' },
      lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'AutoRenew' } }],
    });
    expect(only!.tags).toEqual({ [OWNER_TAG]: 'owner-1' });
    expect(vault.stats.unauthenticated).toBeGreaterThanOrEqual(1); // challenge flow, then the bearer
    assertNoSecrets(outs);
  });

  it('adopts an existing certificate instead of issuing a second version (a retried up)', async () => {
    const first = await create();
    const again = await create(); // state was lost: the engine calls create once more
    expect(vault.stats.creates).toBe(1);
    expect(again.outs.version).toBe(first.outs.version);
    expect(again.outs.certificateBase64Der).toBe(first.outs.certificateBase64Der);
    expect(vault.versions('jit-decryption')![0]!.tags[OWNER_TAG]).toBe('owner-2');
    // The first resource's delete (e.g. after a rename without alias) leaves the adopted certificate alone.
    await provider().delete!(first.id, first.outs);
    expect(vault.isDeleted('jit-decryption')).toBe(false);
  });

  it('issues one version when the create reply is lost and the read after it fails', async () => {
    vault.injectFault({ status: 500, method: 'POST', path: /\/create$/, afterHandling: true });
    vault.injectFault({ status: 503, method: 'GET', path: /\/pending$/, times: 2 });
    const { outs } = await create();
    expect(vault.stats.creates).toBe(1);
    expect(vault.versions('jit-decryption')).toHaveLength(1);
    expect(outs.version).toBe(vault.versions('jit-decryption')![0]!.version);
  });

  it('waits for a create already in progress (an interrupted up) and adopts its version', async () => {
    await vault.stop();
    vault = await KeyVaultEmulator.start({ token: TOKEN, pendingPolls: 3 });
    const started = await fetch(`${vault.origin}/certificates/jit-decryption/create?api-version=2025-07-01`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        policy: {
          key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
          secret_props: { contentType: 'application/x-pem-file' },
          x509_props: { subject: 'CN=JitMigration', validity_months: 12 },
          lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'AutoRenew' } }],
          issuer: { name: 'Self' },
        },
      }),
    });
    expect(started.status).toBe(202);
    const { outs } = await create();
    expect(sleeps.length).toBeGreaterThanOrEqual(2); // polled while inProgress
    expect(vault.stats.creates).toBe(1);
    expect(outs.version).toBe(vault.versions('jit-decryption')![0]!.version);
  });

  it('waits out throttling: Retry-After on the create request, and SDK retries on reads', async () => {
    vault.injectFault({ status: 429, method: 'POST', path: /\/create$/, retryAfterSeconds: 7 });
    vault.injectFault({ status: 429, method: 'GET', retryAfterSeconds: 0, times: 2 });
    vault.injectFault({ status: 502, method: 'GET', times: 1 });
    await create();
    expect(sleeps).toContain(7000);
    expect(vault.faults.fired).toBe(4);
    expect(vault.stats.creates).toBe(1);
  });

  it('gives up on a create that keeps failing, naming the vault', async () => {
    vault.injectFault({ status: 503, method: 'POST', path: /\/create$/, times: 10 });
    await expect(create()).rejects.toThrow(/could not create certificate 'jit-decryption' in .*\(503\)/);
    expect(vault.stats.creates).toBe(0);
  });

  it('recovers a soft-deleted certificate of the same name rather than failing on the name', async () => {
    const first = await create();
    await provider().delete!(first.id, first.outs);
    expect(vault.isDeleted('jit-decryption')).toBe(true);
    const again = await create();
    expect(vault.stats.recoveries).toBe(1);
    expect(vault.stats.creates).toBe(1);
    expect(again.outs.version).toBe(first.outs.version);
  });

  it('issues a new version when the existing certificate has another key size', async () => {
    const first = await create();
    const bigger = await create(provider(), { keySize: 4096 });
    expect(vault.versions('jit-decryption')).toHaveLength(2);
    expect(bigger.outs.previousVersion).toBe(first.outs.version);
    expect(new X509Certificate(Buffer.from(bigger.outs.certificateBase64Der, 'base64')).publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('reports a wrong credential with the role it needs and without echoing the token', async () => {
    const wrong = createKeyVaultCertificateProvider({ credentialFor: () => staticCredential('not-the-token'), retryOptions: { maxRetries: 0 } });
    const error = await create(wrong).catch((caught: Error) => caught);
    expect(String(error)).toMatch(/401.*Key Vault Certificates Officer/);
    expect(String(error)).not.toContain('not-the-token');
  });
});

describe('update', () => {
  it('changes only the policy for a new validity or renewal window: no new version', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    const { diff, outs: updated } = await apply(p, id, outs, { validityInMonths: 24, renewDaysBeforeExpiry: 60 });
    expect(diff.changes).toBe(true);
    expect(vault.stats.creates).toBe(1);
    expect(updated.version).toBe(outs.version);
    expect(updated).toMatchObject({ validityInMonths: 24, renewDaysBeforeExpiry: 60, owner: outs.owner });
    expect(vault.policy('jit-decryption')).toMatchObject({ x509_props: { validity_months: 24 }, lifetime_actions: [{ trigger: { days_before_expiry: 60 } }] });
    for (const key of diff.stables ?? []) expect(updated[key as keyof KeyVaultCertificateOutputs]).toEqual(outs[key as keyof KeyVaultCertificateOutputs]);
  });

  it('rotates to a new version for a new key size, keeping the previous version addressable', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    const { outs: rotated } = await apply(p, id, outs, { keySize: 4096 });
    expect(vault.stats.creates).toBe(2);
    expect(rotated.version).not.toBe(outs.version);
    expect(rotated).toMatchObject({
      keySize: 4096,
      secretId: outs.secretId,
      previousVersion: outs.version,
      previousVersionedSecretId: outs.versionedSecretId,
      previousX5t: outs.x5t,
      // Everything the Entra app needs to keep the old certificate listed while Entra switches.
      previousCertificateBase64Der: outs.certificateBase64Der,
      previousThumbprintHex: outs.thumbprintHex,
      previousNotBefore: outs.notBefore,
      previousExpiresOn: outs.expiresOn,
    });
    // The previous versioned secret still holds the old key, as DecryptionPrivateKeyPrevious needs.
    const response = await fetch(`${rotated.previousVersionedSecretId}?api-version=2025-07-01`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const secret = (await response.json()) as { value: string };
    const certificatePem = secret.value.slice(secret.value.indexOf('-----BEGIN CERTIFICATE-----'));
    expect(createHash('sha1').update(new X509Certificate(certificatePem).raw).digest('base64url')).toBe(outs.x5t);
    assertNoSecrets(rotated);
  });

  it('reports a failed issuance, and the next up issues the version', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    vault.failNextOperation('The issuer is unavailable.');
    await expect(apply(p, id, outs, { subject: 'CN=Rotated' })).rejects.toThrow(/The issuer is unavailable/);
    // The failed operation left the policy changed but no version: the certificate still decides.
    const { outs: rotated } = await apply(p, id, outs, { subject: 'CN=Rotated' });
    expect(new X509Certificate(Buffer.from(rotated.certificateBase64Der, 'base64')).subject).toBe('CN=Rotated');
    expect(vault.versions('jit-decryption')).toHaveLength(2);
  });

  it('changes nothing on a second apply with unchanged inputs', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    const requests = vault.stats.requests.length;
    const { diff } = await apply(p, id, outs, {});
    expect(diff.changes).toBe(false);
    expect(vault.stats.requests.length).toBe(requests);
  });
});

describe('read', () => {
  it('picks up a version AutoRenew issued, with the old one as previous, and no diff follows', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    const renewed = await vault.renew('jit-decryption');
    const read = await p.read!(id, outs);
    const props = read.props as KeyVaultCertificateOutputs;
    expect(read.id).toBe(id);
    expect(props).toMatchObject({ version: renewed.version, x5t: renewed.x5t, previousVersion: outs.version, previousX5t: outs.x5t, previousCertificateBase64Der: outs.certificateBase64Der, owner: outs.owner });
    const { diff } = await apply(p, id, props, {});
    expect(diff.changes).toBe(false);
    assertNoSecrets(props);
  });

  it('drops the previous version once an operator disabled it', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    await vault.renew('jit-decryption');
    await fetch(`${vault.origin}/certificates/jit-decryption/${outs.version}?api-version=2025-07-01`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ attributes: { enabled: false } }),
    });
    const props = (await p.read!(id, outs)).props as KeyVaultCertificateOutputs;
    expect(props.version).not.toBe(outs.version);
    expect(Object.keys(props).filter((key) => key.startsWith('previous'))).toEqual([]);
  });

  it('reports policy drift as input drift, so the next up restores it', async () => {
    const p = provider();
    const { id, outs } = await create(p, { subject: 'cn=JitMigration' });
    await fetch(`${vault.origin}/certificates/jit-decryption/policy?api-version=2025-07-01`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ x509_props: { validity_months: 6 } }),
    });
    const props = (await p.read!(id, outs)).props as KeyVaultCertificateOutputs;
    expect(props).toMatchObject({ validityInMonths: 6, subject: 'CN=JitMigration' });
    const { diff, outs: restored } = await apply(p, id, props, { subject: 'cn=JitMigration' });
    expect(diff.changes).toBe(true);
    expect(restored.validityInMonths).toBe(12);
    expect(vault.stats.creates).toBe(1);
  });

  it('reports a deleted certificate as gone, and can read from the id alone', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    expect(((await p.read!(id, {})).props as KeyVaultCertificateOutputs).version).toBe(outs.version);
    await p.delete!(id, outs);
    expect(await p.read!(id, outs)).toEqual({ id: '', props: {} });
  });
});

describe('delete', () => {
  it('soft-deletes the certificate (recoverable; purge protection keeps it)', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    await p.delete!(id, outs);
    expect(vault.isDeleted('jit-decryption')).toBe(true);
    await p.delete!(id, outs); // already gone: no error
    expect(vault.stats.deletes).toBe(1);
  });
});

describe('the bundled provider and its test seam', () => {
  const saved = process.env[AZURE_TOKEN_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[AZURE_TOKEN_VARIABLE];
    else process.env[AZURE_TOKEN_VARIABLE] = saved;
  });

  it('reaches a loopback vault only with JITMIGRATE_AZURE_TOKEN', async () => {
    delete process.env[AZURE_TOKEN_VARIABLE];
    await expect(keyVaultCertificateProvider.create(inputs())).rejects.toThrow(AZURE_TOKEN_VARIABLE);
    expect(vault.stats.requests).toHaveLength(0);
    process.env[AZURE_TOKEN_VARIABLE] = TOKEN;
    const { outs } = await keyVaultCertificateProvider.create(inputs());
    expect((outs as KeyVaultCertificateOutputs).version).toBe(vault.versions('jit-decryption')![0]!.version);
  });
});
