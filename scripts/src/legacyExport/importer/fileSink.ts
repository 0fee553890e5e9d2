/**
 * Writes users to the JSON-lines users file of the file store (`LegacyStore=file`). The new file is
 * built beside the old one as `<file>.importing`, appended batch by batch (its committed length goes into
 * the checkpoint, so a resumed run truncates it back and continues), and renamed over the users file only
 * when the whole export is in: readers see the old file or the new one, never half of either.
 *
 * Merging with an existing users file keeps it idempotent: a user imported again replaces the old line
 * but keeps its `migrated`/`migratedAt` marks, and users of the old file that this export does not
 * contain are carried over unchanged.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileUserRepository } from '../../../../function/src/legacy/fileRepository';
import type { LegacyUserRecord } from '../../../../function/src/legacy/port';
import { errorCode } from '../errors';
import { CheckpointMismatchError } from './checkpoint';
import type { Reject } from './rejects';
import type { AcceptedUser, UserSink } from './sink';

export class FileSink implements UserSink {
  readonly description: string;
  private readonly stored = new Set<string>();
  private length: number;

  private constructor(
    private readonly usersFile: string,
    private readonly partialFile: string,
    private handle: fs.FileHandle | undefined,
    startLength: number,
    private readonly existing: ReadonlyMap<string, LegacyUserRecord>,
  ) {
    this.description = `users file ${usersFile}`;
    this.length = startLength;
  }

  /** `resumeLength`: the committed length from the checkpoint, to continue an interrupted import. */
  static async open(usersFile: string, resumeLength?: number): Promise<FileSink> {
    const existing = new Map<string, LegacyUserRecord>();
    if (await exists(usersFile)) {
      // An invalid existing file stops the import (its error lists the lines): merging would lose users.
      for (const record of (await FileUserRepository.load(usersFile)).records()) existing.set(record.username, record);
    }
    const partialFile = path.join(path.dirname(usersFile), `${path.basename(usersFile)}.importing`);
    const partialSize = (await fs.stat(partialFile).catch(() => undefined))?.size;
    if (resumeLength !== undefined && resumeLength > 0 && (partialSize ?? 0) < resumeLength) {
      // The users the checkpoint counts as written are not there: resuming would lose them.
      throw new CheckpointMismatchError(`${partialFile} is missing or shorter than the checkpoint says: delete the checkpoint to start the import over`);
    }
    try {
      let length = 0;
      let flags = 'w';
      if (resumeLength !== undefined && partialSize !== undefined) {
        length = resumeLength;
        await fs.truncate(partialFile, length);
        flags = 'a';
      }
      // The old file's permissions carry over (whoever runs the function must still read it); new files are 0600.
      const mode = (await fs.stat(usersFile).catch(() => undefined))?.mode;
      const handle = await fs.open(partialFile, flags, mode === undefined ? 0o600 : mode & 0o777);
      return new FileSink(usersFile, partialFile, handle, length, existing);
    } catch (error) {
      throw new Error(`${partialFile} could not be opened (${errorCode(error)}): check that the users file's folder exists and is writable`);
    }
  }

  async write(batch: readonly AcceptedUser[]): Promise<Reject[]> {
    const lines = batch.map(({ user }) => {
      this.stored.add(user.username);
      return `${JSON.stringify(this.merged(user))}\n`;
    });
    if (lines.length === 0) return [];
    const text = lines.join('');
    await this.requireHandle().write(text);
    this.length += Buffer.byteLength(text);
    return [];
  }

  async commit(): Promise<{ usersFileBytes: number }> {
    await this.requireHandle().datasync();
    return { usersFileBytes: this.length };
  }

  noteAlreadyStored(username: string): void {
    this.stored.add(username);
  }

  async finish(): Promise<void> {
    const carried = [...this.existing.values()].filter((record) => !this.stored.has(record.username));
    if (carried.length > 0) await this.requireHandle().write(carried.map((record) => `${JSON.stringify(lineOf(record))}\n`).join(''));
    const handle = this.requireHandle();
    await handle.sync();
    await handle.close();
    this.handle = undefined;
    try {
      await fs.rename(this.partialFile, this.usersFile);
    } catch (error) {
      throw new Error(`the users file ${this.usersFile} could not be replaced (${errorCode(error)}): the complete import is in ${this.partialFile}; check the folder's permissions and rename it yourself`);
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** The record as the file store keeps it, with the old line's migration marks. */
  private merged(user: LegacyUserRecord): Record<string, unknown> {
    const old = this.existing.get(user.username);
    return lineOf({ ...user, migrated: old?.migrated ?? false, migratedAt: old?.migratedAt });
  }

  private requireHandle(): fs.FileHandle {
    if (!this.handle) throw new Error('the users file is already closed');
    return this.handle;
  }
}

/** One users-file line (fileRepository.ts format): defaults left out to keep the file small. */
function lineOf(record: LegacyUserRecord): Record<string, unknown> {
  return {
    username: record.username,
    hash: record.hash,
    ...(record.params ? { params: record.params } : {}),
    status: record.status,
    mustChangePassword: record.mustChangePassword,
    ...(record.migrated ? { migrated: true } : {}),
    ...(record.migratedAt ? { migratedAt: record.migratedAt } : {}),
  };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
