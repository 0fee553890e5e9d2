/**
 * The policy keys (Identity Experience Framework → Policy keys) each auth type's REST profiles read, with how
 * to create them: the portal, or Graph beta `trustFramework/keySets` ([SECURE-REST], reference §3 and §8).
 * Only names and instructions: the secret values never pass through the generator.
 */
import type { B2cApiAuth } from '../contract';
import { DEFAULT_B2C_API_KEY_HEADER, DEFAULT_B2C_POLICY_PREFIX } from './options';

export interface B2cPolicyKey {
  /** The name the policies reference (`StorageReferenceId`); the portal adds the `B2C_1A_` prefix itself. */
  readonly name: string;
  /** The cryptographic key id in the REST profile (`BasicAuthenticationUsername`, the header name, ...). */
  readonly keyId: string;
  /** Manual secret or an uploaded .pfx. */
  readonly kind: 'secret' | 'certificate';
  /** Portal "Key usage" / Graph `use`. */
  readonly usage: 'Signature' | 'Encryption';
  /** What the key holds. */
  readonly holds: string;
}

export const B2C_KEY_PREFIX = 'B2C_1A_';

/**
 * The keys `auth` needs, in the order to create them, named after the policy prefix (`B2C_1A_JIT_ApiPassword`
 * by default): a tenant's policy keys are shared by all its policies, and a stack with its own prefix must not
 * overwrite another's. `apiKeyHeader` is the apiKey header name.
 */
export function b2cPolicyKeysFor(auth: B2cApiAuth, names: { policyPrefix?: string; apiKeyHeader?: string } = {}): readonly B2cPolicyKey[] {
  const { policyPrefix = DEFAULT_B2C_POLICY_PREFIX, apiKeyHeader = DEFAULT_B2C_API_KEY_HEADER } = names;
  const name = (role: string): string => `${policyPrefix}_Api${role}`;
  switch (auth) {
    case 'bearer':
      // Client-credentials keys use Signature, as in Microsoft's secure-rest-api walkthrough.
      return [
        { name: name('ClientId'), keyId: 'BasicAuthenticationUsername', kind: 'secret', usage: 'Signature', holds: 'the Application (client) ID of the app registration B2C gets tokens with (granted an app role on the function\'s API)' },
        { name: name('ClientSecret'), keyId: 'BasicAuthenticationPassword', kind: 'secret', usage: 'Signature', holds: 'a client secret of that app registration' },
      ];
    case 'basic':
      return [
        { name: name('Username'), keyId: 'BasicAuthenticationUsername', kind: 'secret', usage: 'Encryption', holds: 'the user name the function accepts for basic auth' },
        { name: name('Password'), keyId: 'BasicAuthenticationPassword', kind: 'secret', usage: 'Encryption', holds: 'the password the function accepts for basic auth' },
      ];
    case 'clientCertificate':
      return [{ name: name('ClientCertificate'), keyId: 'ClientCertificate', kind: 'certificate', usage: 'Signature', holds: 'the client certificate the function trusts (.pfx with its private key; CA-signed in production)' }];
    case 'apiKey':
      return [{ name: name('Key'), keyId: apiKeyHeader, kind: 'secret', usage: 'Encryption', holds: `the key the function expects in the ${apiKeyHeader} header` }];
  }
}

/** Step-by-step creation of one key, portal and Graph, as lines of text. */
export function describePolicyKeyCreation(key: B2cPolicyKey): string[] {
  const shortName = key.name.slice(B2C_KEY_PREFIX.length);
  const use = key.usage === 'Signature' ? 'sig' : 'enc';
  return key.kind === 'certificate'
    ? [
        `${key.name}: ${key.holds}`,
        `  portal: Identity Experience Framework > Policy keys > Add: Options Upload, Name ${shortName}, the .pfx and its password`,
        `  Graph:  POST /beta/trustFramework/keySets {"id":"${shortName}"}, then POST /beta/trustFramework/keySets/${key.name}/uploadPkcs12 {"key":"<base64 .pfx>","password":"<pfx password>"}`,
      ]
    : [
        `${key.name}: ${key.holds}`,
        `  portal: Identity Experience Framework > Policy keys > Add: Options Manual, Name ${shortName}, Secret <value>, Key usage ${key.usage}`,
        `  Graph:  POST /beta/trustFramework/keySets {"id":"${shortName}"}, then POST /beta/trustFramework/keySets/${key.name}/uploadSecret {"use":"${use}","k":"<value>"}`,
      ];
}
