/**
 * The B2C ROPC rows of `npm run bench` measure what they say: each request a sign-in verified by ROPC against the
 * stand-in through the real endpoint, and the overhead taken per request (no figures are asserted).
 */
import { randomUUID } from 'node:crypto';
import { HttpRequest } from '@azure/functions';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../../../function/src/crypto';
import { FakeEntra } from '../../../function/test/support/fakeEntra';
import { measureB2cRopc, ROPC_HEADER } from './benchB2cRopc';

const TENANT = '0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b';
const APP = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const PASSWORD = 'Bench-Test-Password-1!';

let entra: FakeEntra;
let certificate: EncryptionCertificate;

beforeAll(async () => {
  [entra, certificate] = await Promise.all([FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }), generateEncryptionCertificate()]);
});

afterAll(async () => {
  await entra.stop();
});

describe('bench: B2C ROPC rows', () => {
  it('signs in through the real endpoint against the stand-in, with and without simulated latency', async () => {
    const token = await entra.mintAccessToken();
    const makeRequest = async (username: string): Promise<HttpRequest> => {
      const context = await entra.encryptPasswordContext({ username, password: PASSWORD, nonce: randomUUID() }, certificate.certificatePem);
      const body = JSON.stringify(entra.passwordSubmitBody(context));
      return new HttpRequest({ method: 'POST', url: 'http://localhost/api/onPasswordSubmit', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: { string: body } });
    };
    const env = {
      DecryptionPrivateKey: `${certificate.privateKeyPem}\n${certificate.certificatePem}`,
      ExternalIdTenantId: TENANT,
      ExtensionAppId: APP,
      OpenIdMetadataUrl: entra.metadataUrl,
      CalloutBudgetMs: '1900',
      PasswordChangeCheck: 'off',
    };
    const result = await measureB2cRopc({ env, password: PASSWORD, iterations: 5, makeRequest });
    expect(result.rows.map((row) => row[0])).toEqual(['on loopback', 'on loopback, machine idle 50 ms between requests', '+ 50 ms (simulated B2C)']);
    for (const row of result.rows) expect(row).toHaveLength(ROPC_HEADER.length);
    // The simulated latency lands in the stand-in's own time, not in the overhead; idling between requests in neither.
    expect(Number(result.rows[2]![3])).toBeGreaterThanOrEqual(50);
    expect(Number(result.rows[1]![3])).toBeLessThan(50);
    expect(Number(result.rows[1]![6])).toBeLessThan(50);
    // Each row's figures are its own: the target's from loopback, the explanatory one's from the simulated row.
    // (The cells are rounded to 0.1 ms.)
    expect(Math.abs(Number(result.rows[0]![7]) - result.overheadP99)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(Number(result.rows[1]![7]) - result.idleOverheadP99)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(Number(result.rows[2]![7]) - result.simulatedOverheadP99)).toBeLessThanOrEqual(0.05 + 1e-9);
    // "Before B2C" is part of the handler's time, so it is positive and below the handler's p99.
    for (const row of result.rows) {
      expect(Number(row[5])).toBeGreaterThan(0);
      expect(Number(row[5])).toBeLessThanOrEqual(Number(row[2]));
    }
  });
});
