/**
 * The first record of every name in an export of millions, to find duplicates: a table of 64-bit name
 * hashes with a 4-byte position each (the users file's UsernameHashTable, 12 bytes a slot), over a
 * temporary file of the names themselves (nameSpill.ts). A hash match counts only once the name read back
 * from that file is the same, so a hash collision never makes a distinct user a duplicate.
 */
import { usernameKey, UsernameHashTable, type UsernameKey } from '../../../function/src/legacy';
import { NameSpill } from './nameSpill';

export interface FirstRecordIndexOptions {
  /** About how many names will come (sizes the table once, instead of by doublings). */
  readonly expectedNames?: number;
  /** Where the names go (default the system's temporary folder, TMPDIR). */
  readonly directory?: string;
  /** Tests only: a weak hash, to show that names sharing one are told apart. */
  readonly key?: (name: string) => UsernameKey;
}

export class FirstRecordIndex {
  private readonly spill: NameSpill;
  private readonly table: UsernameHashTable<{ position: Uint32ArrayConstructor }>;
  private readonly key: (name: string) => UsernameKey;

  constructor(options: FirstRecordIndexOptions = {}) {
    this.table = new UsernameHashTable({ position: Uint32Array }, options.expectedNames);
    this.spill = NameSpill.create(options.directory);
    this.key = options.key ?? usernameKey;
  }

  get size(): number {
    return this.table.size;
  }

  /** The earlier record with this name; when there is none, `record` becomes the name's first and undefined is returned. */
  claim(name: string, record: number): number | undefined {
    const key = this.key(name);
    const earlier = this.positionOf(key, name);
    if (earlier !== undefined) return this.spill.recordAt(earlier);
    const position = this.spill.append(record, name);
    const slot = this.table.add(key); // may grow the table: take `columns` after it
    this.table.columns.position[slot] = position;
    return undefined;
  }

  /** The record that claimed this name first, if any. */
  firstRecordOf(name: string): number | undefined {
    const position = this.positionOf(this.key(name), name);
    return position === undefined ? undefined : this.spill.recordAt(position);
  }

  /** Deletes the temporary file; the index cannot be used afterwards. */
  close(): void {
    this.spill.close();
  }

  private positionOf(key: UsernameKey, name: string): number | undefined {
    if (this.table.find(key) === -1) return undefined;
    for (const slot of this.table.slotsOf(key)) {
      const position = this.table.columns.position[slot] as number;
      if (this.spill.holds(position, name)) return position;
    }
    return undefined;
  }
}
