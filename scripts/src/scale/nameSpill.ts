/**
 * Names written out of memory: an append-only temporary file of (record number, name) entries, read back
 * by position to confirm a hash match exactly. 13 bytes plus the name's, rounded up to 8 (about 40 bytes for
 * an email address), on disk in the system's temporary folder (TMPDIR), never in the heap.
 *
 * The file is unlinked as soon as it is open (POSIX), so it vanishes with the process however that ends,
 * and nobody else can open it; where unlinking an open file fails (Windows) it is deleted on close. It is
 * created 0600 in a private 0700 folder: the names are usernames and emails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCode } from '../operations/files';

/** Entries start on 8-byte boundaries, so a 32-bit position addresses 32 GiB. */
const ALIGN = 8;
const MAX_POSITION = 0xffff_fffe;
/** record (float64) · name length in bytes (uint32) · encoding (uint8) */
const HEADER = 13;
const UTF8 = 0;
/** For names with lone surrogates, which UTF-8 cannot carry: UTF-16 keeps every string exactly. */
const UTF16 = 1;
const LONE_SURROGATE = /\p{Cs}/u;
const BUFFER_BYTES = 1 << 20;
const SPACE_NEEDED = ' with room for about 40 bytes a user';

export class NameSpill {
  /** Appended but not yet written: positions at or past `flushed` are read from here. */
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private flushed = 0;
  private readonly scratch = Buffer.allocUnsafe(HEADER);
  private fd: number | undefined;

  private constructor(
    fd: number,
    /** Set when the file could not be unlinked while open: delete it on close. */
    private readonly leftover: { file: string; dir: string } | undefined,
    private readonly parent: string,
  ) {
    this.fd = fd;
  }

  /** `parent`: where the file goes (default the system's temporary folder). */
  static create(parent = os.tmpdir()): NameSpill {
    let dir: string | undefined;
    let fd: number;
    try {
      dir = fs.mkdtempSync(path.join(parent, 'jitmigrate-names-'));
      fd = fs.openSync(path.join(dir, 'names.bin'), 'w+', 0o600);
    } catch (error) {
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`could not create a temporary file in ${parent} (${errorCode(error)}): set TMPDIR to a writable folder${SPACE_NEEDED}`);
    }
    const file = path.join(dir, 'names.bin');
    try {
      fs.unlinkSync(file);
      fs.rmdirSync(dir);
      return new NameSpill(fd, undefined, parent);
    } catch {
      return new NameSpill(fd, { file, dir }, parent);
    }
  }

  /** Writes the entry; returns its position for `recordAt` and `holds`. */
  append(record: number, name: string): number {
    const encoding = LONE_SURROGATE.test(name) ? UTF16 : UTF8;
    const nameBytes = Buffer.byteLength(name, encoding === UTF8 ? 'utf8' : 'utf16le');
    const size = Math.ceil((HEADER + nameBytes) / ALIGN) * ALIGN;
    const offset = this.flushed + this.used;
    const position = offset / ALIGN;
    if (position > MAX_POSITION) throw new RangeError('the temporary name file is full (32 GiB)');
    if (this.used + size > this.buffer.length) this.flush();
    const target = size <= this.buffer.length ? this.buffer : Buffer.alloc(size);
    const at = target === this.buffer ? this.used : 0;
    target.writeDoubleLE(record, at);
    target.writeUInt32LE(nameBytes, at + 8);
    target.writeUInt8(encoding, at + 12);
    target.write(name, at + HEADER, encoding === UTF8 ? 'utf8' : 'utf16le');
    if (target === this.buffer) this.used += size;
    else this.writeOut(target);
    return position;
  }

  recordAt(position: number): number {
    return this.read(position * ALIGN, HEADER).readDoubleLE(0);
  }

  /** Whether the entry at `position` is for exactly `name`. */
  holds(position: number, name: string): boolean {
    const header = this.read(position * ALIGN, HEADER);
    const nameBytes = header.readUInt32LE(8);
    const encoding = header.readUInt8(12) === UTF8 ? 'utf8' : 'utf16le';
    if (nameBytes !== Buffer.byteLength(name, encoding)) return false;
    return this.read(position * ALIGN + HEADER, nameBytes).toString(encoding) === name;
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.leftover) {
      fs.rmSync(this.leftover.dir, { recursive: true, force: true });
    }
  }

  private read(offset: number, length: number): Buffer {
    if (offset >= this.flushed) return this.buffer.subarray(offset - this.flushed, offset - this.flushed + length);
    const into = length <= this.scratch.length ? this.scratch : Buffer.allocUnsafe(length);
    fs.readSync(this.requireFd(), into, 0, length, offset);
    return into.subarray(0, length);
  }

  private flush(): void {
    this.writeOut(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeOut(bytes: Buffer): void {
    const fd = this.requireFd();
    try {
      for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written, this.flushed + written);
    } catch (error) {
      throw new Error(`could not write the temporary file of names in ${this.parent} (${errorCode(error)}): free some space, or set TMPDIR to a folder${SPACE_NEEDED}`);
    }
    this.flushed += bytes.length;
  }

  private requireFd(): number {
    if (this.fd === undefined) throw new Error('the temporary name file is already closed');
    return this.fd;
  }
}
