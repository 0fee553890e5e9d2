import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FirstRecordIndex } from './firstRecordIndex';

/** Every name with the same hash: the worst case, where only the names read back tell them apart. */
const sameKey = () => ({ hi: 7, lo: 7 });

describe('FirstRecordIndex', () => {
  it('returns the first record of a name seen before, and nothing for a new one', () => {
    const index = new FirstRecordIndex();
    try {
      expect(index.claim('alice@example.com', 1)).toBeUndefined();
      expect(index.claim('bob@example.com', 2)).toBeUndefined();
      expect(index.claim('alice@example.com', 3)).toBe(1);
      expect(index.claim('alice@example.com', 4)).toBe(1);
      expect(index.firstRecordOf('bob@example.com')).toBe(2);
      expect(index.firstRecordOf('carol@example.com')).toBeUndefined();
      expect(index.size).toBe(2);
    } finally {
      index.close();
    }
  });

  it('never takes distinct names with the same hash for duplicates', () => {
    const index = new FirstRecordIndex({ key: sameKey });
    try {
      const names = Array.from({ length: 200 }, (_, i) => `user${i}@example.com`);
      names.forEach((name, i) => expect(index.claim(name, i + 1)).toBeUndefined());
      names.forEach((name, i) => expect(index.claim(name, 1000 + i)).toBe(i + 1));
      expect(index.size).toBe(200);
    } finally {
      index.close();
    }
  });

  it('keeps every name exactly across growth and buffer flushes, whatever the characters', () => {
    const index = new FirstRecordIndex();
    try {
      // Lone surrogates have no UTF-8 form; a name over 1 MiB skips the write buffer, and so many names
      // fill it that most are read back from the file.
      const odd = ['a\uD800@example.com', 'a\uD801@example.com', 'ｗｉｄｅ@example.com', 'x'.repeat(300_000), 'y'.repeat(1_100_000)];
      const names = [...odd, ...Array.from({ length: 40_000 }, (_, i) => `user${i}@example.com`)];
      const claimedBefore = names.filter((name, i) => index.claim(name, i + 1) !== undefined);
      const misplaced = names.filter((name, i) => index.firstRecordOf(name) !== i + 1);
      expect({ claimedBefore, misplaced }).toEqual({ claimedBefore: [], misplaced: [] });
      expect(index.claim('a\uD800@example.com', 9e6)).toBe(1);
      expect(index.firstRecordOf('a\uFFFD@example.com')).toBeUndefined();
      expect(index.claim('user39999@example.com', 2 ** 40)).toBe(odd.length + 40_000);
    } finally {
      index.close();
    }
  });

  it('says where it could not create its temporary file, and what to do', () => {
    const directory = path.join(os.tmpdir(), 'no-such-folder-for-jitmigrate');
    expect(() => new FirstRecordIndex({ directory })).toThrow(/could not create a temporary file in .*no-such-folder-for-jitmigrate \(ENOENT\): set TMPDIR to a writable folder/);
  });

  it('leaves no temporary file behind', async () => {
    const before = await fs.readdir(os.tmpdir());
    const index = new FirstRecordIndex();
    index.claim('alice@example.com', 1);
    const during = (await fs.readdir(os.tmpdir())).filter((entry) => entry.startsWith('jitmigrate-names-') && !before.includes(entry));
    index.close();
    const after = (await fs.readdir(os.tmpdir())).filter((entry) => entry.startsWith('jitmigrate-names-') && !before.includes(entry));
    expect(after).toEqual([]);
    // On POSIX the file is unlinked as soon as it is open: nothing to see even while in use.
    if (process.platform !== 'win32') expect(during.map((entry) => path.join(os.tmpdir(), entry))).toEqual([]);
  });
});
