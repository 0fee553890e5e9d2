/**
 * Turns a Keycloak password credential into a hash string the registry recognizes. Keycloak stores the
 * derived key and salt apart from the parameters (CredentialRepresentation since Keycloak 11):
 *
 *   "secretData":     "{\"value\":\"<base64 key>\",\"salt\":\"<base64 salt>\",\"additionalParameters\":{}}"
 *   "credentialData": "{\"hashIterations\":27500,\"algorithm\":\"pbkdf2-sha256\",\"additionalParameters\":{}}"
 *
 * Before Keycloak 11 the same values were flat: hashedSaltedValue, salt, hashIterations, algorithm.
 *
 * - pbkdf2, pbkdf2-sha256, pbkdf2-sha512 (Pbkdf2PasswordHashProvider: PBKDF2-HMAC over the UTF-8 password,
 *   a 512-bit key by default, 256-bit for pbkdf2-sha256 in newer releases). PBKDF2 output blocks are
 *   independent (RFC 8018 §5.2), so the first digest-length bytes of any longer key are exactly the key
 *   passlib's `$pbkdf2-<digest>$<rounds>$<ab64 salt>$<ab64 checksum>` format stores. Keycloak pads
 *   passwords shorter than 14 characters with NUL characters (for FIPS); HMAC pads its key with zeros to
 *   the block size anyway, so the padding never changes the result.
 * - argon2 (Keycloak 24+, Argon2PasswordHashProvider via Bouncy Castle): type/version/memory/parallelism/
 *   hashLength sit in credentialData.additionalParameters as one-element lists; it becomes the reference
 *   implementation's PHC string `$argon2id$v=19$m=7168,t=5,p=1$<salt>$<hash>` (unpadded base64).
 * - a custom provider whose value is already a self-describing hash (`$2a$…`, `$1$…`, `{SSHA}…`) is
 *   passed on unchanged; the importer's format check decides.
 */
import { decodeBase64, encodeBase64 } from '../../../../function/src/hashing';

export type CredentialConversion = { readonly hash: string } | { readonly problem: string };

const PBKDF2 = {
  pbkdf2: { ident: 'pbkdf2', digestBytes: 20 },
  'pbkdf2-sha256': { ident: 'pbkdf2-sha256', digestBytes: 32 },
  'pbkdf2-sha512': { ident: 'pbkdf2-sha512', digestBytes: 64 },
} as const;

const ARGON2_VERSIONS: Readonly<Record<string, number>> = { '1.3': 0x13, '1.0': 0x10 };
const ARGON2_TYPES = new Set(['id', 'i', 'd']);

interface KeycloakSecret {
  readonly value?: unknown;
  readonly salt?: unknown;
  readonly algorithm?: unknown;
  readonly iterations?: unknown;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export function convertKeycloakCredential(credential: Readonly<Record<string, unknown>>): CredentialConversion {
  const secret = readSecret(credential);
  if ('problem' in secret) return secret;
  const value = typeof secret.value === 'string' ? secret.value : undefined;
  if (!value) return { problem: 'invalid credential: the password credential has no hashed value' };
  const algorithm = typeof secret.algorithm === 'string' ? secret.algorithm.toLowerCase() : undefined;

  if (algorithm && algorithm in PBKDF2) return pbkdf2Hash(PBKDF2[algorithm as keyof typeof PBKDF2], value, secret);
  if (algorithm === 'argon2') return argon2Hash(value, secret);
  if (/^[$]|^\{[A-Za-z0-9-]+\}/.test(value)) return { hash: value };
  const name = algorithm && /^[a-z0-9_-]{1,40}$/.test(algorithm) ? `'${algorithm}'` : '(unnamed)';
  return {
    problem: `unsupported hash: Keycloak hash algorithm ${name} is not one of pbkdf2, pbkdf2-sha256, pbkdf2-sha512, argon2; those users need a password reset in Entra`,
  };
}

function readSecret(credential: Readonly<Record<string, unknown>>): KeycloakSecret | { problem: string } {
  if (credential.secretData !== undefined || credential.credentialData !== undefined) {
    const secretData = parseEmbeddedJson(credential.secretData);
    const credentialData = parseEmbeddedJson(credential.credentialData);
    if (!secretData) return { problem: 'invalid credential: secretData is not a JSON object (as text); re-export the realm with credentials' };
    if (!credentialData) return { problem: 'invalid credential: credentialData is not a JSON object (as text); re-export the realm with credentials' };
    const parameters = credentialData.additionalParameters;
    return {
      value: secretData.value,
      salt: secretData.salt,
      algorithm: credentialData.algorithm,
      iterations: credentialData.hashIterations,
      parameters: typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>) : {},
    };
  }
  if (credential.hashedSaltedValue !== undefined) {
    return { value: credential.hashedSaltedValue, salt: credential.salt, algorithm: credential.algorithm, iterations: credential.hashIterations, parameters: {} };
  }
  if (credential.value !== undefined) {
    // The import-only form {"type":"password","value":"<plain text>"}: never store a plaintext password.
    return { problem: 'plaintext password: the credential carries a clear-text "value", not a hash; it is not imported (remove it from the file), the user needs a password reset in Entra' };
  }
  return { problem: 'invalid credential: the password credential has neither secretData nor hashedSaltedValue; export the realm with users and credentials' };
}

function parseEmbeddedJson(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function pbkdf2Hash(kind: { ident: string; digestBytes: number }, value: string, secret: KeycloakSecret): CredentialConversion {
  const iterations = positiveInteger(secret.iterations);
  const salt = base64Bytes(secret.salt);
  const key = base64Bytes(value);
  if (!iterations) return { problem: 'invalid credential: hashIterations must be a positive whole number' };
  if (!salt || salt.length === 0) return { problem: 'invalid credential: the salt is missing or not base64' };
  if (!key) return { problem: 'invalid credential: the hashed value is not base64' };
  if (key.length < kind.digestBytes) {
    return { problem: `unsupported hash: a ${kind.ident} key shorter than its digest (${key.length} bytes) cannot be verified; those users need a password reset in Entra` };
  }
  return { hash: `$${kind.ident}$${iterations}$${ab64(salt)}$${ab64(key.subarray(0, kind.digestBytes))}` };
}

function argon2Hash(value: string, secret: KeycloakSecret): CredentialConversion {
  const first = (name: string): string | undefined => {
    const entry = secret.parameters[name];
    const item = Array.isArray(entry) ? entry[0] : entry;
    return typeof item === 'string' || typeof item === 'number' ? String(item) : undefined;
  };
  const type = first('type') ?? 'id';
  const version = ARGON2_VERSIONS[first('version') ?? '1.3'];
  const memory = positiveInteger(first('memory'));
  const parallelism = positiveInteger(first('parallelism'));
  const iterations = positiveInteger(secret.iterations);
  const salt = base64Bytes(secret.salt);
  const tag = base64Bytes(value);
  if (!ARGON2_TYPES.has(type) || version === undefined) return { problem: 'invalid credential: argon2 type must be id, i or d and version 1.3 or 1.0' };
  if (!memory || !parallelism || !iterations) return { problem: 'invalid credential: argon2 memory, parallelism and hashIterations must be positive whole numbers' };
  if (!salt || !tag) return { problem: 'invalid credential: the argon2 salt or hashed value is not base64' };
  const hashLength = first('hashLength');
  if (hashLength !== undefined && Number(hashLength) !== tag.length) return { problem: 'invalid credential: the argon2 hashed value is not hashLength bytes long' };
  return { hash: `$argon2${type}$v=${version}$m=${memory},t=${iterations},p=${parallelism}$${encodeBase64(salt, 'none')}$${encodeBase64(tag, 'none')}` };
}

/** Keycloak writes padded standard base64 (java.util.Base64, its own Base64.encodeBytes); accept it unpadded too. */
function base64Bytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  return decodeBase64(value, value.endsWith('=') ? 'required' : 'none');
}

/** passlib's adapted base64: standard alphabet with `.` for `+`, no padding. */
function ab64(bytes: Uint8Array): string {
  return encodeBase64(bytes, 'none').replaceAll('+', '.');
}

function positiveInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
