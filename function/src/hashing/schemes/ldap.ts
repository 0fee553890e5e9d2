import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../compare';
import { decodeBase64, utf8 } from '../encoding';
import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';

/**
 * RFC 2307 "userPassword" values as OpenLDAP's slappasswd and 389-ds write them: `{SCHEME}`
 * (case-insensitive) then padded standard base64 of digest(password) — or, for the salted
 * `{S…}` forms, of digest(password ‖ salt) ‖ salt. SHA-2 forms are OpenLDAP's contrib/slapd-
 * modules/passwd/sha2 ones. One digest of at most 4 KiB takes microseconds, so these run inline.
 */
type LdapDigest = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

const DIGEST_BYTES: Record<LdapDigest, number> = { md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

function ldapDigestScheme(id: string, label: string, digest: LdapDigest, salted: boolean): HashScheme {
  const prefix = `{${label}}`;
  const digestBytes = DIGEST_BYTES[digest];
  const decode = (hash: string): Buffer | undefined => {
    if (hash.slice(0, prefix.length).toUpperCase() !== prefix) return undefined;
    const bytes = decodeBase64(hash.slice(prefix.length), 'required');
    if (!bytes) return undefined;
    const fits = salted ? bytes.length > digestBytes : bytes.length === digestBytes;
    return fits ? bytes : undefined;
  };
  return defineScheme({
    id,
    identify: (hash) => decode(hash) !== undefined,
    async verify(password, hash) {
      const bytes = decode(hash);
      if (!bytes) throw new MalformedHashError(id, `the stored hash is not ${prefix} base64`);
      const expected = bytes.subarray(0, digestBytes);
      const salt = bytes.subarray(digestBytes);
      const derived = createHash(digest).update(utf8(password)).update(salt).digest();
      return constantTimeEqual(expected, derived);
    },
  });
}

export const ldapDigestSchemes: readonly HashScheme[] = [
  ldapDigestScheme('ldap-md5', 'MD5', 'md5', false),
  ldapDigestScheme('ldap-smd5', 'SMD5', 'md5', true),
  ldapDigestScheme('ldap-sha', 'SHA', 'sha1', false),
  ldapDigestScheme('ldap-ssha', 'SSHA', 'sha1', true),
  ldapDigestScheme('ldap-sha256', 'SHA256', 'sha256', false),
  ldapDigestScheme('ldap-ssha256', 'SSHA256', 'sha256', true),
  ldapDigestScheme('ldap-sha384', 'SHA384', 'sha384', false),
  ldapDigestScheme('ldap-ssha384', 'SSHA384', 'sha384', true),
  ldapDigestScheme('ldap-sha512', 'SHA512', 'sha512', false),
  ldapDigestScheme('ldap-ssha512', 'SSHA512', 'sha512', true),
];

/**
 * `{CRYPT}` (RFC 2307 §5.3): the rest is a crypt(3) string; it is verified by the crypt scheme
 * that recognizes it (md5crypt, SHA-crypt, bcrypt, DES crypt — passed in by the registry).
 */
export function createLdapCryptScheme(cryptSchemes: readonly HashScheme[]): HashScheme {
  const PREFIX = '{CRYPT}';
  const inner = (hash: string): { scheme: HashScheme; crypt: string } | undefined => {
    if (hash.slice(0, PREFIX.length).toUpperCase() !== PREFIX) return undefined;
    const crypt = hash.slice(PREFIX.length);
    const scheme = cryptSchemes.find((candidate) => candidate.identify(crypt));
    return scheme && { scheme, crypt };
  };
  return defineScheme({
    id: 'ldap-crypt',
    identify: (hash) => inner(hash) !== undefined,
    async verify(password, hash, _params, signal) {
      const found = inner(hash);
      if (!found) throw new MalformedHashError('ldap-crypt', 'the {CRYPT} value is not a supported crypt(3) string');
      return found.scheme.verify(password, found.crypt, undefined, signal);
    },
  });
}
