import { randomUUID } from 'node:crypto';
import { TEST_CERTIFICATE_BASE64_DER } from '../../../test/emulators/graph/fixtures';
import { createApplicationEncryptionKeyProvider, keyIdFor, type ApplicationEncryptionKeyInputs, type CertificateInput } from './applicationEncryptionKey';
import { checked, startHarness, testCertificate, type Harness } from './testSupport';

type Json = Record<string, any>;

describe('keyIdFor', () => {
  it('is a version-5 UUID of the thumbprint: stable across runs and case, distinct per certificate', () => {
    const id = keyIdFor('A1B2C3D4E5F60718293A4B5C6D7E8F9012345678');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keyIdFor('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678')).toBe(id);
    expect(keyIdFor('a1b2c3d4e5f60718293a4b5c6d7e8f9012345679')).not.toBe(id);
  });
});

describe('graphApplicationEncryptionKey provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createApplicationEncryptionKeyProvider>;
  let certificate: CertificateInput;
  let app: Json;
  /** A credential someone else added (a token-signing key): ours must never touch it. */
  const foreignKeyId = randomUUID();
  const foreign = { keyId: foreignKeyId, type: 'AsymmetricX509Cert', usage: 'Encrypt', key: TEST_CERTIFICATE_BASE64_DER, displayName: 'CN=someone else' };
  const stored = () => harness.emulator.applications.get(app.id) as Json;
  const inputs = (extra: Partial<ApplicationEncryptionKeyInputs> = {}) =>
    checked<ApplicationEncryptionKeyInputs>(provider, { ...harness.target, applicationObjectId: app.id, displayName: 'JIT migration token encryption', certificate, ...extra });

  beforeAll(async () => {
    certificate = await testCertificate();
  });
  beforeEach(async () => {
    harness = await startHarness();
    provider = createApplicationEncryptionKeyProvider(harness.clientFor);
    app = (await harness.raw('POST', '/applications', { body: { displayName: 'JIT extension API' } })).body;
    await harness.raw('PATCH', `/applications/${app.id}`, { body: { keyCredentials: [foreign] } });
  });
  afterEach(() => harness.stop());

  it('normalises the certificate and names the fix for one Graph would refuse', async () => {
    const colons = certificate.thumbprintHex.match(/../g)?.join(':') as string;
    const ok = await inputs({ certificate: { ...certificate, thumbprintHex: colons, notBefore: new Date(certificate.notBefore).toUTCString() } });
    expect(ok.certificate).toEqual({ ...certificate, thumbprintHex: certificate.thumbprintHex.toLowerCase() });

    const failures = async (news: Json) => (await provider.check!({} as ApplicationEncryptionKeyInputs, { ...(await inputs()), ...news } as never)).failures;
    const pem = `-----BEGIN CERTIFICATE-----\n${certificate.base64Der}\n-----END CERTIFICATE-----`;
    expect(await failures({ certificate: { ...certificate, base64Der: pem } })).toEqual([{ property: 'certificate.base64Der', reason: expect.stringMatching(/is PEM: pass the base64 of the DER bytes/) }]);
    expect(await failures({ certificate: { ...certificate, base64Der: Buffer.from('{"kty":"RSA"}').toString('base64') } })).toEqual([
      { property: 'certificate.base64Der', reason: expect.stringMatching(/not a base64 DER X.509 certificate/) },
    ]);
    expect(await failures({ certificate: { ...certificate, thumbprintHex: 'ab'.repeat(20) } })).toEqual([
      { property: 'certificate.thumbprintHex', reason: expect.stringMatching(/is not this certificate's SHA-1 thumbprint/) },
    ]);
    expect(await failures({ certificate: { ...certificate, notBefore: certificate.expiresOn } })).toEqual([{ property: 'certificate.expiresOn', reason: expect.stringMatching(/after notBefore/) }]);
    expect(await failures({ certificate: { ...certificate, notBefore: '2020-01-01T00:00:00Z', expiresOn: '2021-01-01T00:00:00Z' } })).toEqual([
      { property: 'certificate.expiresOn', reason: expect.stringMatching(/expired on 2021-01-01T00:00:00.000Z: renew the Key Vault certificate/) },
    ]);
    expect(await failures({ previousCertificate: certificate })).toEqual([{ property: 'previousCertificate', reason: expect.stringMatching(/same certificate/) }]);
    expect(await failures({ applicationObjectId: 'not-a-guid' })).toEqual([{ property: 'applicationObjectId', reason: expect.stringMatching(/object id .*not its appId/) }]);
  });

  it("adds our Encrypt key and points tokenEncryptionKeyId at it on a just-created app, through 429s, 503s and 404s", async () => {
    // An app azuread created a moment ago: GETs answer 404 for a while. Then the write window is spent, and 503s come too.
    harness.emulator.setFaults({ notFoundAfterCreateMs: 150 });
    app = (await harness.raw('POST', '/applications', { body: { displayName: 'JIT extension API, just created' } })).body;
    await harness.throttleWrites();
    harness.emulator.setFaults({ serverErrorRate: 0.4, notFoundAfterCreateMs: 150, seed: 3 });

    const { id, outs } = await provider.create(await inputs());
    const keyId = keyIdFor(certificate.thumbprintHex);
    expect(id).toBe(`${app.id}/tokenEncryptionKey`);
    expect(outs).toEqual({ ...(await inputs()), keyId, tokenEncryptionKeyId: keyId });
    expect(stored().tokenEncryptionKeyId).toBe(keyId);
    expect(stored().keyCredentials).toContainEqual(
      expect.objectContaining({
        keyId,
        type: 'AsymmetricX509Cert',
        usage: 'Encrypt',
        key: certificate.base64Der,
        displayName: 'JIT migration token encryption',
        startDateTime: certificate.notBefore,
        endDateTime: certificate.expiresOn,
      }),
    );
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
    // Every 429 and 503 waited once; the waits beyond those are the replication 404 being retried.
    expect(harness.waits.length).toBeGreaterThan(harness.emulator.stats.throttled + harness.emulator.stats.serverErrors);
  });

  it('keeps credentials it does not own, and a re-run after a crash changes nothing', async () => {
    const first = await provider.create(await inputs());
    expect(stored().keyCredentials.map((credential: Json) => credential.keyId).sort()).toEqual([first.outs?.keyId, foreignKeyId].sort());
    expect(stored().keyCredentials.find((credential: Json) => credential.keyId === foreignKeyId)).toMatchObject(foreign);

    const writes = harness.emulator.stats.writes;
    const again = await provider.create(await inputs());
    expect(again).toEqual(first);
    expect(harness.emulator.stats.writes).toBe(writes);
    expect(stored().keyCredentials).toHaveLength(2);
  });

  it('diffs over the certificate, not its spelling; another app is a replacement', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.diff!(id, outs!, await inputs())).toEqual({ changes: false });
    const respelled = await inputs({ certificate: { ...certificate, thumbprintHex: certificate.thumbprintHex.toUpperCase(), notBefore: new Date(certificate.notBefore).toUTCString() } });
    expect(await provider.diff!(id, outs!, respelled)).toEqual({ changes: false });
    const rotated = await testCertificate();
    expect(await provider.diff!(id, outs!, await inputs({ certificate: rotated }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await provider.diff!(id, outs!, await inputs({ applicationObjectId: randomUUID() }))).toMatchObject({ changes: true, replaces: ['applicationObjectId'] });
  });

  it('rotates: the new key becomes the encryption key, the previous one stays listed until dropped', async () => {
    const { id, outs } = await provider.create(await inputs());
    const oldKeyId = outs!.keyId;
    const rotated = await testCertificate();
    const newKeyId = keyIdFor(rotated.thumbprintHex);

    const during = await provider.update!(id, outs!, await inputs({ certificate: rotated, previousCertificate: certificate }));
    expect(during.outs).toMatchObject({ keyId: newKeyId, previousKeyId: oldKeyId, tokenEncryptionKeyId: newKeyId });
    expect(stored().tokenEncryptionKeyId).toBe(newKeyId);
    expect(stored().keyCredentials.map((credential: Json) => credential.keyId).sort()).toEqual([newKeyId, oldKeyId, foreignKeyId].sort());
    expect(stored().keyCredentials.find((credential: Json) => credential.keyId === oldKeyId)?.displayName).toBe('JIT migration token encryption (previous)');

    const after = await provider.update!(id, during.outs!, await inputs({ certificate: rotated }));
    expect(after.outs?.previousKeyId).toBeUndefined();
    expect(stored().keyCredentials.map((credential: Json) => credential.keyId).sort()).toEqual([newKeyId, foreignKeyId].sort());
  });

  it('reads tokenEncryptionKeyId from Graph, so a pointer moved elsewhere shows as a diff; a removed key is gone', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });

    await harness.raw('PATCH', `/applications/${app.id}`, { body: { tokenEncryptionKeyId: foreignKeyId } });
    const refreshed = await provider.read!(id, outs);
    expect(refreshed.props?.tokenEncryptionKeyId).toBe(foreignKeyId);
    expect(await provider.diff!(id, refreshed.props!, await inputs())).toEqual({ changes: true, replaces: [] });
    await provider.update!(id, refreshed.props!, await inputs());
    expect(stored().tokenEncryptionKeyId).toBe(outs!.keyId);

    await harness.raw('PATCH', `/applications/${app.id}?$select=keyCredentials`, { body: { keyCredentials: [foreign], tokenEncryptionKeyId: null } });
    expect(await provider.read!(id, outs)).toEqual({ id: '', props: {} });
  });

  it('deletes only its own keys, clears the pointer, and tolerates a gone key or app', async () => {
    const { id, outs } = await provider.create(await inputs());
    await provider.delete!(id, outs!);
    expect(stored().keyCredentials).toEqual([expect.objectContaining({ keyId: foreignKeyId, key: TEST_CERTIFICATE_BASE64_DER })]);
    expect(stored().tokenEncryptionKeyId).toBeNull();

    const writes = harness.emulator.stats.writes;
    await provider.delete!(id, outs!);
    expect(harness.emulator.stats.writes).toBe(writes);

    await harness.raw('DELETE', `/applications/${app.id}`);
    await expect(provider.delete!(id, outs!)).resolves.toBeUndefined();
  });

  it('leaves the pointer alone when it names a key it does not own', async () => {
    const { id, outs } = await provider.create(await inputs());
    await harness.raw('PATCH', `/applications/${app.id}`, { body: { tokenEncryptionKeyId: foreignKeyId } });
    await provider.delete!(id, outs!);
    expect(stored().tokenEncryptionKeyId).toBe(foreignKeyId);
  });
});
