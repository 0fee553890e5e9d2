import apacheCrypt from 'apache-crypt';

/**
 * Traditional DES crypt(3) (Seventh Edition Unix): 2-character salt, 11-character checksum.
 * Only the first 8 bytes of the password count, 7 bits each, and a NUL byte ends it, as in
 * every libc. The DES itself is apache-crypt's (unix-crypt-td-js); it reads the password
 * with charCodeAt, so it is handed the UTF-8 bytes as a Latin-1 string, one byte per char.
 * Pure CPU work: worker pool only.
 */
export function desCrypt(password: Buffer, salt: string): string {
  return apacheCrypt(password.toString('latin1'), salt);
}
