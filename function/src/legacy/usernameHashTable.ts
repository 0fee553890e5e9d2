/**
 * Usernames kept as 64-bit hashes in an open-addressing table of typed arrays, with fixed-width numbers per
 * entry (a byte offset, a line number, a flag). About 9 to 20 bytes a name where a Map of strings and
 * objects costs hundreds, and no 16.7 M-entry limit (V8's for Map and Set), so a users file of 10 M names
 * is indexed in tens of MB.
 *
 * The hash is FNV-1a 64 (isthe.com/chongo/tech/comp/fnv) over the name's UTF-16 code units, the same as over
 * its bytes for ASCII: about 20 times faster here than a SHA-256 digest per name. Two different names share a
 * hash with a chance of about n²/2⁶⁵ (3·10⁻⁶ among 10 M names); callers that must be exact read the record
 * behind a hit and compare names (fileRepository.ts), the others accept that chance (status's counts).
 */

export interface UsernameKey {
  readonly hi: number;
  readonly lo: number;
}

/** FNV-1a 64 in four 16-bit limbs (JavaScript numbers cannot multiply 64-bit integers exactly). */
export function usernameKey(name: string): UsernameKey {
  // Offset basis 0xcbf29ce484222325; prime 0x100000001b3 = 2⁴⁰ + 0x1b3.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < name.length; i++) {
    h0 ^= name.charCodeAt(i);
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return { hi: ((h3 << 16) | h2) >>> 0, lo: ((h1 << 16) | h0) >>> 0 };
}

type ColumnType = Float64ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
export type ColumnTypes = Readonly<Record<string, ColumnType>>;
export type Columns<C extends ColumnTypes> = { [K in keyof C]: InstanceType<C[K]> };

const MIN_CAPACITY = 1024;
/** An estimate past this (100 M names, 2 GiB of slots for the key alone) grows by doubling instead. */
const MAX_PRESIZED_ENTRIES = 100_000_000;
/** Grow past three quarters full: linear probing stays short below that. */
const MAX_LOAD = 0.75;

/**
 * Keys are not unique: `add` always adds an entry (two names may share a hash, and an index must keep both),
 * `find`/`slotsOf` return the entries with a key. A slot number is valid until the next `add`, which may grow
 * the table and move every entry; read or write `columns[name][slot]` before adding again.
 */
export class UsernameHashTable<C extends ColumnTypes = Record<never, ColumnType>> {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Per-entry numbers, indexed by slot. */
  columns: Columns<C>;
  private count = 0;

  /**
   * `expectedEntries`: sizes the table for that many at once (an estimate is enough), so a large index is not
   * built by doublings, each of which briefly holds the old arrays and the new ones twice their size.
   */
  constructor(
    private readonly columnTypes: C = {} as C,
    expectedEntries = 0,
  ) {
    const expected = Number.isFinite(expectedEntries) ? Math.min(Math.max(1, expectedEntries), MAX_PRESIZED_ENTRIES) : 1;
    const capacity = Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(expected / MAX_LOAD + 1)));
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.columns = this.newColumns(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The first entry with this key, or -1. */
  find(key: UsernameKey): number {
    const { hi, lo } = stored(key);
    const mask = this.hi.length - 1;
    for (let slot = start(hi, lo, mask); ; slot = (slot + 1) & mask) {
      if (this.isEmpty(slot)) return -1;
      if (this.hi[slot] === hi && this.lo[slot] === lo) return slot;
    }
  }

  /** Every entry with this key (almost always none or one). */
  slotsOf(key: UsernameKey): number[] {
    const { hi, lo } = stored(key);
    const mask = this.hi.length - 1;
    const slots: number[] = [];
    for (let slot = start(hi, lo, mask); !this.isEmpty(slot); slot = (slot + 1) & mask) {
      if (this.hi[slot] === hi && this.lo[slot] === lo) slots.push(slot);
    }
    return slots;
  }

  /** Adds an entry (its columns zero) and returns its slot. */
  add(key: UsernameKey): number {
    if (this.count + 1 > this.hi.length * MAX_LOAD) this.grow();
    this.count++;
    return this.place(stored(key));
  }

  /** Calls `visit` with every entry's slot, in no particular order; `visit` must not add. */
  forEachSlot(visit: (slot: number) => void): void {
    for (let slot = 0; slot < this.hi.length; slot++) if (!this.isEmpty(slot)) visit(slot);
  }

  private isEmpty(slot: number): boolean {
    return this.hi[slot] === 0 && this.lo[slot] === 0;
  }

  private place({ hi, lo }: UsernameKey): number {
    const mask = this.hi.length - 1;
    let slot = start(hi, lo, mask);
    while (!this.isEmpty(slot)) slot = (slot + 1) & mask;
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    return slot;
  }

  private grow(): void {
    const [oldHi, oldLo, oldColumns] = [this.hi, this.lo, this.columns];
    const capacity = oldHi.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.columns = this.newColumns(capacity);
    const names = Object.keys(oldColumns) as Array<keyof C>;
    for (let slot = 0; slot < oldHi.length; slot++) {
      const hi = oldHi[slot] as number;
      const lo = oldLo[slot] as number;
      if (hi === 0 && lo === 0) continue;
      const moved = this.place({ hi, lo });
      for (const name of names) this.columns[name][moved] = oldColumns[name][slot] as number;
    }
  }

  private newColumns(capacity: number): Columns<C> {
    const columns = {} as Columns<C>;
    for (const [name, Column] of Object.entries(this.columnTypes) as Array<[keyof C, ColumnType]>) {
      columns[name] = new Column(capacity) as InstanceType<C[typeof name]>;
    }
    return columns;
  }
}

/** 0/0 marks an empty slot, so that one key is stored as 0/1 (a second name with hash 0/1 is a hash collision like any other). */
function stored(key: UsernameKey): UsernameKey {
  return key.hi === 0 && key.lo === 0 ? { hi: 0, lo: 1 } : key;
}

/**
 * The first slot to probe. FNV's low bits depend only on the names' low bits (multiplication carries upwards
 * only), so both halves are mixed (MurmurHash3's 32-bit finalizer) before masking.
 */
function start(hi: number, lo: number, mask: number): number {
  let h = (hi ^ Math.imul(lo, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & mask;
}
