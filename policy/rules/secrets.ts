/**
 * No private key or secret in a resource's inputs. A policy sees inputs with Pulumi secrets already unwrapped,
 * so it judges content and names, not the secret flag: private keys (PEM), account keys and SAS signatures,
 * secret-named properties, and secret-named app settings that are not Key Vault references. The places a
 * secret value (never a private key) may be an input are a Key Vault secret's value and a B2C policy key's (where
 * B2C reads it; the resource keeps it a Pulumi secret in state). Violations name the path, never the value.
 */
import * as keyvault from '@pulumi/azure-native/keyvault';
import * as web from '@pulumi/azure-native/web';
import type { ResourceValidationArgs, ResourceValidationPolicy } from '@pulumi/policy';

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** `AccountKey=…` / `SharedAccessKey=…` in connection strings, `sig=…` in SAS URLs and tokens. */
const KEY_IN_STRING = /(?:^|;)\s*(?:AccountKey|SharedAccessKey)=[^;\s]|[?&]sig=[^&\s]/i;
/** Names that end in a secret's noun, once `_` and `-` are dropped: adminPassword, clientSecret, apiKey, DB_PASSWORD. */
const SECRET_NAME = /(?:password|passwd|secret|apikey|privatekey|accesskey|accountkey|sharedaccesskey)$/i;
/** App settings also hold certificates with their keys (GraphClientCertificate); not PasswordChangeCheck. */
const SECRET_SETTING = /(?:password|passwd|secret|apikey|privatekey|accesskey|accountkey|clientcertificate)$/i;
const looksSecret = (pattern: RegExp, name: string) => pattern.test(name.replace(/[_-]/g, ''));
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;
/** infra/providers/graph GraphTrustFrameworkKeySet: `secret` (uploadSecret) or `pkcs12` (uploadPkcs12) is its value. */
const B2C_POLICY_KEY_TYPE = 'pulumi-nodejs:dynamic/graph:TrustFrameworkKeySet';
const isPolicyKeyValue = (args: ResourceValidationArgs, at: string) => args.type === B2C_POLICY_KEY_TYPE && (at === 'secret' || at.startsWith('pkcs12.'));

/** Every string in a value, with its path (`siteConfig.appSettings[3].value`) and the property holding it. */
function* strings(value: unknown, at = '', key = ''): Generator<{ at: string; key: string; text: string }> {
  if (typeof value === 'string') yield { at, key, text: value };
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${at}[${i}]`, key);
  else if (value && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) yield* strings(item, at ? `${at}.${name}` : name, name);
  }
}

/** App settings as name/value pairs: a WebApp's siteConfig.appSettings, or WebAppApplicationSettings' map. */
function appSettings(args: ResourceValidationArgs): { at: string; name: string; value: unknown }[] {
  const props = args.props;
  if (args.isType(web.WebApp)) {
    const list: unknown = props.siteConfig?.appSettings;
    return Array.isArray(list) ? list.map((s: { name?: unknown; value?: unknown }, i) => ({ at: `siteConfig.appSettings[${i}]`, name: String(s?.name ?? ''), value: s?.value })) : [];
  }
  if (args.isType(web.WebAppApplicationSettings)) {
    return Object.entries<unknown>(props.properties ?? {}).map(([name, value]) => ({ at: `properties.${name}`, name, value }));
  }
  return [];
}

export const noSecretsInInputs: ResourceValidationPolicy = {
  name: 'no-private-key-or-secret-in-inputs',
  description: 'No private key, account key, SAS signature or secret-named value in any input: secrets live in Key Vault and reach apps as Key Vault references.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  validateResource: (args, reportViolation) => {
    const vaultSecret = args.isType(keyvault.Secret);
    const settings = appSettings(args);
    const settingPaths = new Set(settings.map((setting) => setting.at)); // judged by name below, once
    for (const { at, key, text } of strings(args.props)) {
      if (PEM_PRIVATE_KEY.test(text)) {
        reportViolation(`${at} holds a PEM private key: create or import the key in Key Vault (a certificate or key), never pass it through the program or its state.`);
      } else if ((vaultSecret && at === 'properties.value') || isPolicyKeyValue(args, at)) {
        continue; // the Key Vault secret's or the B2C policy key's own value: where a secret belongs
      } else if (KEY_IN_STRING.test(text)) {
        reportViolation(`${at} holds an account key or SAS signature: use Entra authentication (a managed identity and RBAC) instead.`);
      } else if (text !== '' && looksSecret(SECRET_NAME, key) && !KEY_VAULT_REFERENCE.test(text) && !settingPaths.has(at)) {
        reportViolation(`${at} looks like a secret: store it in Key Vault and pass a Key Vault reference, or use a managed identity.`);
      }
    }
    for (const setting of settings) {
      if (looksSecret(SECRET_SETTING, setting.name) && !(typeof setting.value === 'string' && KEY_VAULT_REFERENCE.test(setting.value))) {
        reportViolation(`App setting ${setting.name} (${setting.at}) must be a Key Vault reference (@Microsoft.KeyVault(SecretUri=…)), not a plain value.`);
      }
    }
  },
};
