/**
 * File helpers shared by the commands: JSON-lines input, the checks of the paths a command line names (made
 * before anything changes), and errors in words.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { describeFileError, errorCode } from '../../../lib/files/errors';
import { UsageError } from '../commands/args';

export { describeFileError, errorCode } from '../../../lib/files/errors';

export interface JsonLines {
  /** Each non-blank line that parsed as a JSON object, in file order. */
  readonly objects: Record<string, unknown>[];
  /** Non-blank lines that were not JSON objects. */
  readonly invalid: number;
}

/** Reads a JSON-lines file; a missing file is empty when `missingIsEmpty`, else an error naming `what`. */
export async function readJsonLines(file: string, what: string, options: { missingIsEmpty?: boolean } = {}): Promise<JsonLines> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (options.missingIsEmpty && errorCode(error) === 'ENOENT') return { objects: [], invalid: 0 };
    throw new Error(`could not read ${what} ${file}: ${describeFileError(error)}: check the path and its permissions`);
  }
  const objects: Record<string, unknown>[] = [];
  let invalid = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const value = parseObject(line);
    if (value === undefined) invalid++;
    else objects.push(value);
  }
  return { objects, invalid };
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const FILE_SYSCALLS = new Set(['open', 'read', 'write', 'close', 'mkdir', 'rmdir', 'scandir', 'stat', 'lstat', 'fstat', 'rename', 'unlink', 'access', 'chmod', 'copyfile', 'readlink', 'symlink', 'ftruncate', 'fsync']);

/**
 * An error's message for an operator. A raw Node.js file-system error (Node's own text, `EISDIR: illegal
 * operation on a directory, read`) becomes its path and the reason in words; anything else keeps its message.
 */
export function errorMessage(error: unknown): string {
  // Duck-typed: Node's own errors may come from another realm (a worker, a test sandbox).
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { syscall?: unknown; path?: unknown; message?: unknown };
  if (typeof fields.syscall === 'string' && FILE_SYSCALLS.has(fields.syscall) && /^E[A-Z0-9]+$/.test(errorCode(error))) {
    const where = typeof fields.path === 'string' ? fields.path : 'a file';
    return `${where} could not be used (${fields.syscall}): ${describeFileError(error)}: check the path and its permissions`;
  }
  return typeof fields.message === 'string' ? fields.message : String(error);
}

/**
 * An input file named by `option`: it must exist, be readable and not be a folder (opening a folder works,
 * only the first read fails). Checked before the command changes anything.
 */
export async function requireInputFile(file: string, option: string): Promise<void> {
  let stat: Stats;
  try {
    stat = await fs.stat(file);
    if (!stat.isDirectory()) await fs.access(file, constants.R_OK);
  } catch (error) {
    const fix = errorCode(error) === 'EACCES' ? 'check its permissions' : 'check the path';
    throw new UsageError(`${option} ${file} cannot be read: ${describeFileError(error)}: ${fix}`);
  }
  if (stat.isDirectory()) throw new UsageError(`${option} ${file} is a folder: name the file itself`);
}

/**
 * A file the command will create, replace or append to: not a folder, and in a folder that exists and can
 * be written. Checked before the command changes anything.
 */
export async function requireOutputFile(file: string, option: string): Promise<void> {
  const refuse = (problem: string, fix = 'choose another path'): UsageError => new UsageError(`${option} ${file} cannot be written: ${problem}: ${fix}`);
  let stat: Stats | undefined;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw refuse(describeFileError(error));
  }
  if (stat?.isDirectory()) throw new UsageError(`${option} ${file} is a folder: name a file (inside it, or elsewhere)`);
  if (stat !== undefined) {
    await fs.access(file, constants.W_OK).catch((error: unknown) => {
      throw refuse(describeFileError(error), 'check its permissions or choose another path');
    });
    return;
  }
  await requireWritableFolder(path.dirname(path.resolve(file)), refuse);
}

/** The files a command line names, as [option, path] pairs (an absent option is skipped), checked in one go. */
export async function requirePaths(paths: { readonly inputs?: readonly (readonly [string, string | undefined])[]; readonly outputs?: readonly (readonly [string, string | undefined])[] }): Promise<void> {
  for (const [option, file] of paths.inputs ?? []) if (file !== undefined) await requireInputFile(file, option);
  for (const [option, file] of paths.outputs ?? []) if (file !== undefined) await requireOutputFile(file, option);
}

/**
 * `mkdir -p` with clear errors. Node's recursive mkdir never returns where mkdir answers ENOENT although the
 * parent exists (under /proc, for one): it retries the parent forever at full CPU. So each missing folder is
 * made on its own, once.
 */
export async function makeDirectory(dir: string, option: string, mode = 0o700): Promise<void> {
  const refuse = (problem: string, fix = 'choose another folder'): UsageError => new UsageError(`${option} ${dir} cannot be used: ${problem}: ${fix}`);
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stat = await fs.stat(current);
      if (!stat.isDirectory()) throw refuse(current === path.resolve(dir) ? 'it is a file, not a folder' : `${current} is a file, not a folder`);
      break;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (errorCode(error) !== 'ENOENT') throw refuse(describeFileError(error));
      missing.unshift(current);
      const parent = path.dirname(current);
      if (parent === current) throw refuse(describeFileError(error));
      current = parent;
    }
  }
  if (missing.length === 0) {
    await requireWritableFolder(current, refuse, 'it');
    return;
  }
  for (const folder of missing) {
    try {
      await fs.mkdir(folder, { mode });
    } catch (error) {
      const reason = errorCode(error) === 'ENOENT' ? 'the file system does not allow a folder there (ENOENT)' : describeFileError(error);
      throw refuse(`${folder} could not be created: ${reason}`);
    }
  }
}

/**
 * Replaces `file` with `text` so that a crash (kill -9, power loss) leaves the old content or the new, never
 * half: written to a temporary file beside it, fsync'ed, renamed over. Mode 0600 (checkpoints name users).
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** `name` is how the message refers to the folder: `its folder /x` for a file's folder, `it` for the folder itself. */
async function requireWritableFolder(folder: string, refuse: (problem: string, fix?: string) => UsageError, name = `its folder ${folder}`): Promise<void> {
  let stat: Stats;
  try {
    stat = await fs.stat(folder);
  } catch (error) {
    throw errorCode(error) === 'ENOENT' ? refuse(`${name} does not exist`, 'create the folder first or choose another path') : refuse(`${name}: ${describeFileError(error)}`);
  }
  if (!stat.isDirectory()) throw refuse(`${folder} is a file, not a folder`);
  await fs.access(folder, constants.W_OK | constants.X_OK).catch((error: unknown) => {
    throw refuse(`${name} cannot be written: ${describeFileError(error)}`, 'check the folder\'s permissions or choose another path');
  });
}

/** A checkpoint's text, or undefined when there is none yet; any other read failure names the file and what to check. */
export async function readCheckpointText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new Error(`the checkpoint ${file} could not be read (${errorCode(error)}): check the --checkpoint path and its permissions`);
  }
}
