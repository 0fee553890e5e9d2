/**
 * Errors that stop reading an export. Messages say what to fix and never quote the file's content
 * (it holds hashes and personal data): positions and column names only.
 */

/** The options are wrong (unknown --map target, preset and format that do not fit): a usage error. */
export class ExportOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportOptionsError';
  }
}

/** The file cannot be read as an export at all (missing, malformed CSV, truncated JSON). */
export class ExportReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportReadError';
  }
}

/** A stable, printable error code from a Node.js or csv-parse error, or a generic phrase. */
export { errorCode } from '../../../lib/files/errors';
