/**
 * A strict reader for the zip files the function package produces and the Flex publish emulator receives
 * (APPNOTE.TXT 4.3: local headers, central directory, end of central directory). Stored and deflated
 * entries only, CRC-32 checked, no zip64 (the package is a few MB). No jest imports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix mode from the external attributes (0 when the archive was not made on Unix). */
  mode: number;
  /** Raw MS-DOS date and time fields. */
  dosDate: number;
  dosTime: number;
  /** 0 = stored, 8 = deflated. */
  method: number;
  /** Length of the central-directory extra field (0 when no timestamp or zip64 field was written). */
  extraLength: number;
}

export class InvalidZipError extends Error {
  override readonly name = 'InvalidZipError';
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function readZip(zip: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  let offset = zip.readUInt32LE(eocd + 16);
  if (offset + size > eocd) throw new InvalidZipError('central directory overlaps the end record');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== CENTRAL) throw new InvalidZipError(`bad central directory entry ${i}`);
    const madeBy = zip.readUInt16LE(offset + 4);
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const dosTime = zip.readUInt16LE(offset + 12);
    const dosDate = zip.readUInt16LE(offset + 14);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const uncompressedSize = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const external = zip.readUInt32LE(offset + 38);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString(flags & 0x800 ? 'utf8' : 'latin1', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;

    if (flags & 0x1) throw new InvalidZipError(`${name}: encrypted entries are not supported`);
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL) throw new InvalidZipError(`${name}: bad local header`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (raw.length !== compressedSize) throw new InvalidZipError(`${name}: truncated data`);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflate(name, raw);
    else throw new InvalidZipError(`${name}: compression method ${method} is not supported`);
    if (data.length !== uncompressedSize) throw new InvalidZipError(`${name}: size mismatch`);
    if (crc32(data) !== crc) throw new InvalidZipError(`${name}: CRC-32 mismatch`);
    const madeOnUnix = madeBy >> 8 === 3;
    entries.push({ name, data, mode: madeOnUnix ? external >>> 16 : 0, dosDate, dosTime, method, extraLength });
  }
  return entries;
}

/** Writes every file entry under `dir`; rejects names that would escape it (zip-slip). */
export function extractZip(zip: Buffer, dir: string): string[] {
  const root = path.resolve(dir);
  const names: string[] = [];
  for (const entry of readZip(zip)) {
    const target = path.resolve(root, entry.name);
    if (!target.startsWith(root + path.sep)) throw new InvalidZipError(`${entry.name}: path escapes the target directory`);
    if (entry.name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, entry.data, { mode: entry.mode & 0o777 || 0o644 });
    names.push(entry.name);
  }
  return names;
}

function inflate(name: string, raw: Buffer): Buffer {
  try {
    return inflateRawSync(raw);
  } catch (error) {
    throw new InvalidZipError(`${name}: bad deflate data (${(error as Error).message})`);
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  if (zip.length < 22) throw new InvalidZipError('not a zip file: too short');
  // The record is 22 bytes plus a comment of at most 65,535 bytes.
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let offset = zip.length - 22; offset >= lowest; offset--) {
    if (zip.readUInt32LE(offset) === EOCD) return offset;
  }
  throw new InvalidZipError('not a zip file: no end of central directory record');
}
