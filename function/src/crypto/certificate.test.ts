import 'reflect-metadata';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { generateEncryptionCertificate } from './certificate';
import { KeyRing } from './keyRing';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('generateEncryptionCertificate', () => {
  it('produces a self-signed RSA-2048 certificate in the shape Entra keyCredentials needs', async () => {
    const before = Date.now();
    const cert = await generateEncryptionCertificate();
    const parsed = new X509Certificate(cert.certificatePem);

    expect(parsed.subject).toBe('CN=JitMigration');
    expect(parsed.issuer).toBe(parsed.subject);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(parsed.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(parsed.checkPrivateKey(createPrivateKey(cert.privateKeyPem))).toBe(true);
    expect(cert.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    // keyCredentials[].key is the base64 DER; x5t is what Entra puts in the JWE header.
    expect(Buffer.from(cert.certificateBase64Der, 'base64').equals(parsed.raw)).toBe(true);
    expect(cert.x5t).toBe(createHash('sha1').update(parsed.raw).digest('base64url'));
    expect(cert.keyId).toMatch(GUID);

    expect(cert.notBefore.getTime()).toBe(new Date(parsed.validFrom).getTime());
    expect(cert.notAfter.getTime()).toBe(new Date(parsed.validTo).getTime());
    expect(cert.notBefore.getTime()).toBeLessThanOrEqual(before);
    const days = (cert.notAfter.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(364.9);
    expect(days).toBeLessThan(365.1);
  });

  it('marks the key for encryption and the certificate as an end entity', async () => {
    const cert = new x509.X509Certificate((await generateEncryptionCertificate()).certificatePem);
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    expect(usage!.usages & x509.KeyUsageFlags.keyEncipherment).toBeTruthy();
    expect(cert.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
  });

  it('honours subject, validity and modulus length', async () => {
    const cert = await generateEncryptionCertificate({ subject: 'CN=Contoso JIT, O=Contoso', validityDays: 30, modulusLength: 4096 });
    const parsed = new X509Certificate(cert.certificatePem);
    expect(parsed.subject).toBe('CN=Contoso JIT\nO=Contoso');
    expect(parsed.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(Math.round((cert.notAfter.getTime() - Date.now()) / 86_400_000)).toBe(30);
  });

  it('gives every certificate its own key, serial number and keyId', async () => {
    const [a, b] = await Promise.all([generateEncryptionCertificate(), generateEncryptionCertificate()]);
    expect(a.keyId).not.toBe(b.keyId);
    expect(a.x5t).not.toBe(b.x5t);
    expect(new X509Certificate(a.certificatePem).serialNumber).not.toBe(new X509Certificate(b.certificatePem).serialNumber);
  });

  it('is accepted by KeyRing as a Key Vault style export', async () => {
    const cert = await generateEncryptionCertificate();
    expect(KeyRing.fromPem(`${cert.privateKeyPem}${cert.certificatePem}`).keys[0]!.x5t).toBe(cert.x5t);
  });

  it('refuses nonsensical options', async () => {
    await expect(generateEncryptionCertificate({ validityDays: 0 })).rejects.toThrow(RangeError);
    await expect(generateEncryptionCertificate({ validityDays: 1.5 })).rejects.toThrow(RangeError);
    await expect(generateEncryptionCertificate({ modulusLength: 1024 as 2048 })).rejects.toThrow(RangeError);
    // Entra takes 2048 or 4096 only: a 3072-bit certificate would be refused when uploaded.
    await expect(generateEncryptionCertificate({ modulusLength: 3072 as 2048 })).rejects.toThrow('modulusLength must be 2048 or 4096');
  });
});
