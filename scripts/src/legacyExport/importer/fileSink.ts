/**
 * Writes users to the JSON-lines users file of the file store (`LegacyStore=file`). The new file is
 * built beside the old one as `<file>.importing`, appended batch by batch (its committed length goes into
 * the checkpoint, so a resumed run truncates it back and continues), and renamed over the users file only
 * when the whole export is in: readers see the old file or the new one, never half of either.
 *
 * Merging with an existing users file keeps it idempotent: a user imported again replaces the old line
 * but keeps its `migrated`/`migratedAt`/`supersededAt` marks, and users of the old file that this export does not
 * contain are carried over unchanged. The old file is indexed, not held (existingUsers.ts), so memory does
 * not grow with either file but by about 21 bytes a user of the old one.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LegacyUserRecord } from '../../../../function/src/legacy';
import { profileFields, usersOfFile } from '../../../../function/src/legacy';
import { errorCode } from '../errors';
import { CheckpointMismatchError } from './checkpoint';
import { ExistingUsers } from './existingUsers';
import type { Reject } from './rejects';
import type { AcceptedUser, UserSink } from './sink';

/** Carried-over users are written this many lines at a time. */
const CARRY_LINES = 1000;

export class FileSink implements UserSink {
  readonly description: string;
  private length: number;

  private constructor(
    private readonly usersFile: string,
    private readonly partialFile: string,
    private handle: fs.FileHandle | undefined,
    startLength: number,
    private readonly existing: ExistingUsers | undefined,
  ) {
    this.description = `users file ${usersFile}`;
    this.length = startLength;
  }

  /** `resumeLength`: the committed length from the checkpoint, to continue an interrupted import. */
  static async open(usersFile: string, resumeLength?: number): Promise<FileSink> {
    // An invalid existing file stops the import (its error lists the lines): merging would lose users.
    const existing = (await exists(usersFile)) ? await ExistingUsers.open(usersFile) : undefined;
    try {
      return await FileSink.openPartial(usersFile, existing, resumeLength);
    } catch (error) {
      await existing?.close().catch(() => undefined);
      throw error;
    }
  }

  private static async openPartial(usersFile: string, existing: ExistingUsers | undefined, resumeLength: number | undefined): Promise<FileSink> {
    const partialFile = path.join(path.dirname(usersFile), `${path.basename(usersFile)}.importing`);
    const partialSize = (await fs.stat(partialFile).catch(() => undefined))?.size;
    if (resumeLength !== undefined && resumeLength > 0 && (partialSize ?? 0) < resumeLength) {
      // The users the checkpoint counts as written are not there: resuming would lose them.
      throw new CheckpointMismatchError(`${partialFile} is missing or shorter than the checkpoint says: delete the checkpoint to start the import over`);
    }
    let length = 0;
    let handle: fs.FileHandle;
    try {
      let flags = 'w';
      if (resumeLength !== undefined && partialSize !== undefined) {
        length = resumeLength;
        await fs.truncate(partialFile, length);
        flags = 'a';
      }
      // The old file's permissions carry over (whoever runs the function must still read it); new files are 0600.
      const mode = (await fs.stat(usersFile).catch(() => undefined))?.mode;
      handle = await fs.open(partialFile, flags, mode === undefined ? 0o600 : mode & 0o777);
    } catch (error) {
      throw new Error(`${partialFile} could not be opened (${errorCode(error)}): check that the users file's folder exists and is writable`);
    }
    try {
      // The users the interrupted run wrote have replaced their old lines already: those are not carried over.
      if (existing && length > 0) for await (const entry of usersOfFile(partialFile)) existing.take(entry.record.username);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return new FileSink(usersFile, partialFile, handle, length, existing);
  }

  async write(batch: readonly AcceptedUser[]): Promise<Reject[]> {
    const lines = batch.map(({ user }) => `${JSON.stringify(this.merged(user))}\n`);
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

  async finish(): Promise<void> {
    if (this.existing) {
      let lines: string[] = [];
      for await (const record of this.existing.untaken()) {
        lines.push(`${JSON.stringify(lineOf(record))}\n`);
        if (lines.length >= CARRY_LINES) {
          await this.requireHandle().write(lines.join(''));
          lines = [];
        }
      }
      if (lines.length > 0) await this.requireHandle().write(lines.join(''));
    }
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
    await this.existing?.close().catch(() => undefined);
  }

  /** The record as the file store keeps it, with the old line's migration marks. */
  private merged(user: LegacyUserRecord): Record<string, unknown> {
    const old = this.existing?.take(user.username);
    return lineOf({ ...user, migrated: old?.migrated ?? false, migratedAt: old?.migratedAt, supersededAt: old?.supersededAt });
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
    // A password set in Entra replaced this one (jit.passwordChangedInEntra): an import must not forget it.
    ...(record.supersededAt ? { supersededAt: record.supersededAt } : {}),
    ...profileFields(record.profile),
  };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
