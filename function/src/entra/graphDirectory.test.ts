import { generateEncryptionCertificate } from '../crypto/certificate';
import { GraphEntraDirectory } from './graphDirectory';
import { EntraDirectoryError } from './port';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const APP = '11111111-2222-4333-8444-555555555555';
const directory = (certificatePem: string) =>
  new GraphEntraDirectory({ tenantId: TENANT, graphBaseUrl: 'https://graph.microsoft.com', credential: { kind: 'certificate', clientId: APP, certificatePem }, timeoutMs: 1000 });

describe('GraphEntraDirectory certificate credential', () => {
  it('takes the PEM a Key Vault certificate secret holds: the private key followed by its certificate', async () => {
    const { privateKeyPem, certificatePem } = await generateEncryptionCertificate();
    expect(() => directory(`${privateKeyPem}\n${certificatePem}`).close()).not.toThrow();
  });

  it.each([
    ['a key without its certificate', async () => (await generateEncryptionCertificate()).privateKeyPem],
    ['a certificate without its key', async () => (await generateEncryptionCertificate()).certificatePem],
    ['text that is not PEM', async () => 'not a pem'],
  ])('refuses %s when it is built (start-up), naming the setting', async (_name, pem) => {
    const text = await pem();
    expect(() => directory(text)).toThrow(EntraDirectoryError);
    expect(() => directory(text)).toThrow(/^GraphClientCertificate is not a PEM private key followed by its certificate/);
  });

  it('refuses a user id that is not an object id without a request', async () => {
    const { privateKeyPem, certificatePem } = await generateEncryptionCertificate();
    await expect(directory(`${privateKeyPem}\n${certificatePem}`).readPasswordTimes('../me', AbortSignal.timeout(1000))).rejects.toThrow('the user id is not an object id');
  });
});
