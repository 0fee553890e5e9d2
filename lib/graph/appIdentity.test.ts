import { ClientCertificateCredential, WorkloadIdentityCredential } from '@azure/identity';
import { AppIdentityError, credentialFor, parseAppIdentities, parseAppIdentity } from './appIdentity';
import { graphClientFromEnvironment } from './environment';
import { GraphClient } from './client';

const APP = '00001111-aaaa-2222-bbbb-3333cccc4444';
const OTHER = '55556666-dddd-7777-eeee-8888ffff9999';
const TENANT = '11111111-2222-3333-4444-555555555555';

describe('parseAppIdentity: the three credential kinds', () => {
  it('reads a certificate file, a Key Vault certificate id and a workload-identity token file', () => {
    expect(parseAppIdentity(`${APP}:cert=/secrets/provisioning-1.pem`)).toEqual({ kind: 'certificate', clientId: APP, certificatePath: '/secrets/provisioning-1.pem' });
    expect(parseAppIdentity(`${APP.toUpperCase()}:keyvault=https://contoso-kv.vault.azure.net/certificates/provisioning-2/`)).toEqual({
      kind: 'key-vault-certificate',
      clientId: APP,
      certificateId: 'https://contoso-kv.vault.azure.net/certificates/provisioning-2',
    });
    expect(parseAppIdentity(`${APP}:keyvault=https://contoso-kv.vault.azure.net/certificates/p3/0123456789abcdef0123456789abcdef`).kind).toBe('key-vault-certificate');
    expect(parseAppIdentity(`${APP}:token-file=/var/run/secrets/azure/tokens/azure-identity-token`)).toEqual({ kind: 'workload-identity', clientId: APP, tokenFilePath: '/var/run/secrets/azure/tokens/azure-identity-token' });
  });

  it.each([
    ['/secrets/a.pem', 'no credential after the client id'],
    ['provisioning-app:cert=/a.pem', 'application (client) id, a GUID'],
    [`${APP}:secret=abc`, '"secret" is not a credential kind'],
    [`${APP}:cert=`, 'cert= needs a value'],
    [`${APP}:cert`, 'cert= needs a value'],
    [`${APP}:keyvault=https://contoso-kv.vault.azure.net/secrets/provisioning`, 'keyvault= must be a certificate id'],
    [`${APP}:keyvault=http://contoso-kv.vault.azure.net/certificates/p`, 'keyvault= must be a certificate id'],
    [`${APP}:keyvault=https://evil.example.com/certificates/p`, 'keyvault= must be a certificate id'],
  ])('refuses %j: %s, and shows the forms', (spec, why) => {
    expect(() => parseAppIdentity(spec)).toThrow(AppIdentityError);
    expect(() => parseAppIdentity(spec)).toThrow(why);
    expect(() => parseAppIdentity(spec)).toThrow('<client id>:cert=<PEM file>');
  });

  it('refuses the same app twice: another app is what adds write budget', () => {
    expect(parseAppIdentities([`${APP}:cert=/a.pem`, `${OTHER}:token-file=/t`])).toHaveLength(2);
    expect(() => parseAppIdentities([`${APP}:cert=/a.pem`, `${APP.toUpperCase()}:token-file=/t`])).toThrow(/given twice.*per app/);
  });
});

describe('credentialFor and graphClientFromEnvironment({ identity })', () => {
  it('builds the credential of each kind without signing in', () => {
    expect(credentialFor(parseAppIdentity(`${APP}:cert=/secrets/a.pem`), TENANT)).toBeInstanceOf(ClientCertificateCredential);
    expect(credentialFor(parseAppIdentity(`${APP}:token-file=/tokens/t`), TENANT)).toBeInstanceOf(WorkloadIdentityCredential);
    expect(typeof credentialFor(parseAppIdentity(`${APP}:keyvault=https://kv-one.vault.azure.net/certificates/c`), TENANT).getToken).toBe('function');
  });

  it('signs in as the identity in the tenant, and refuses an identity with a preset token', () => {
    expect(graphClientFromEnvironment({ env: {}, tenantId: TENANT, identity: parseAppIdentity(`${APP}:token-file=/tokens/t`) })).toBeInstanceOf(GraphClient);
    expect(() => graphClientFromEnvironment({ env: { JITMIGRATE_GRAPH_TOKEN: 't' }, identity: parseAppIdentity(`${APP}:token-file=/tokens/t`) })).toThrow(/use one or the other/);
  });
});

describe('parseAppIdentity errors', () => {
  it('never repeat what follows the client id, which may be a pasted secret', () => {
    for (const spec of [`${APP}:secret=s3cr3t-value-xyz`, `${APP}:s3cr3t-value-xyz`, `not-a-guid:s3cr3t-value-xyz`]) {
      expect(() => parseAppIdentity(spec)).toThrow(AppIdentityError);
      expect(() => parseAppIdentity(spec)).not.toThrow(/s3cr3t-value-xyz/);
    }
  });
});

