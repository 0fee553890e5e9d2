import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineWindow } from './lineWindow';

describe('LineWindow', () => {
  it('reads back every line by offset, in any order: CRLF, a line longer than a window, and a last line without its newline', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-lines-'));
    const file = path.join(dir, 'lines.txt');
    const lines = [...Array.from({ length: 3000 }, (_, i) => `line ${i} ${'é'.repeat(i % 50)}`), 'x'.repeat(100_000), 'last'];
    fs.writeFileSync(file, lines.map((line, i) => (i === lines.length - 1 ? line : i % 2 ? `${line}\r\n` : `${line}\n`)).join(''));
    const offsets: number[] = [];
    let offset = 0;
    lines.forEach((line, i) => {
      offsets.push(offset);
      offset += Buffer.byteLength(line) + (i % 2 ? 2 : 1);
    });
    const fd = fs.openSync(file, 'r');
    try {
      const window = new LineWindow(fd);
      const order = [...lines.keys(), ...[...lines.keys()].reverse()];
      expect(order.filter((i) => window.lineAt(offsets[i]!) !== lines[i])).toEqual([]);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
