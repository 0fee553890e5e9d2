/**
 * Lines of a file read back by byte offset, for indexes that keep offsets instead of lines. The last bytes
 * read are kept, so lines asked for in file order (a re-import in the same order, a checkpoint read record
 * by record) cost one read per window rather than one per line; a read costs a system call, which is most
 * of the price of a line read alone.
 */
import fs from 'node:fs';

const WINDOW_BYTES = 32 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineWindow {
  private start = 0;
  private bytes = Buffer.alloc(0);

  /** `fd`: open for reading; the caller closes it. Lines already read must not change while in use. */
  constructor(private readonly fd: number) {}

  /** The text of the line starting at `offset`, without its line break (the last line may have none). */
  lineAt(offset: number): string {
    return this.lineFrom(offset).text;
  }

  /** As lineAt, with the offset of the next line (the file's size after the last one): to read a file through. */
  lineFrom(offset: number): { text: string; next: number } {
    let newline = offset >= this.start ? this.bytes.indexOf(NEWLINE, offset - this.start) : -1;
    if (newline === -1) {
      this.readFrom(offset);
      newline = this.bytes.indexOf(NEWLINE);
    }
    const from = offset - this.start;
    let end = newline === -1 ? this.bytes.length : newline;
    const next = this.start + (newline === -1 ? end : newline + 1);
    if (end > from && this.bytes[end - 1] === CARRIAGE_RETURN) end--;
    return { text: this.bytes.toString('utf8', from, end), next };
  }

  /** A window from `offset` that holds its whole line, or the rest of the file. */
  private readFrom(offset: number): void {
    let bytes = Buffer.allocUnsafe(WINDOW_BYTES);
    let filled = 0;
    for (;;) {
      const read = fs.readSync(this.fd, bytes, filled, bytes.length - filled, offset + filled);
      const searchFrom = filled;
      filled += read;
      if (read === 0 || bytes.subarray(searchFrom, filled).includes(NEWLINE)) break;
      if (filled === bytes.length) {
        const larger = Buffer.allocUnsafe(bytes.length * 2);
        bytes.copy(larger);
        bytes = larger;
      }
    }
    this.start = offset;
    this.bytes = bytes.subarray(0, filled);
  }
}
