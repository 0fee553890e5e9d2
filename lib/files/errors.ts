/**
 * Node.js file-system errors in words, for the function and the CLI alike. Only the errno code is used, never
 * the error's own text, which may quote paths or file content.
 */

/** The errno code (`ENOENT`, `EACCES`), or undefined for anything else. */
export function knownErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}

/** The errno code for a message, or `unknown error`. */
export function errorCode(error: unknown): string {
  return knownErrorCode(error) ?? 'unknown error';
}

/** What an errno code means for a path, in words an operator can act on. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'part of its path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EEXIST: 'it already exists',
  ELOOP: 'its symbolic links form a loop',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'it is in use',
  EIO: 'the disk reported an input/output error',
};

/** The reason alone (`it is a folder, not a file`), or undefined for a code without one. */
export function fileErrorReason(error: unknown): string | undefined {
  const code = knownErrorCode(error);
  return code === undefined ? undefined : REASONS[code];
}

/** Why a file operation failed, in words and with the code: `it is a folder, not a file (EISDIR)`. */
export function describeFileError(error: unknown): string {
  const code = errorCode(error);
  const reason = REASONS[code];
  return reason === undefined ? code : `${reason} (${code})`;
}
