import { usernameKey, UsernameHashTable } from './usernameHashTable';

const hex = (name: string) => {
  const { hi, lo } = usernameKey(name);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
};

describe('usernameKey', () => {
  it('is FNV-1a 64 (the reference test vectors)', () => {
    expect(hex('')).toBe('cbf29ce484222325');
    expect(hex('a')).toBe('af63dc4c8601ec8c');
    expect(hex('foobar')).toBe('85944171f73967e8');
  });

  it('tells names apart that differ only beyond ASCII', () => {
    expect(hex('ｗｉｄｅ@example.com')).not.toBe(hex('wide@example.com'));
  });
});

describe('UsernameHashTable', () => {
  it('finds what was added, with its columns, across growth', () => {
    const table = new UsernameHashTable({ offset: Float64Array, line: Uint32Array });
    const count = 5000; // several doublings from the first 1024 slots
    for (let i = 0; i < count; i++) {
      const slot = table.add(usernameKey(`user${i}@example.com`));
      table.columns.offset[slot] = i * 1e10; // beyond 32 bits: a Float64Array keeps it exact
      table.columns.line[slot] = i + 1;
    }
    expect(table.size).toBe(count);
    for (const i of [0, 1, 1023, 4999]) {
      const slot = table.find(usernameKey(`user${i}@example.com`));
      expect(table.columns.offset[slot]).toBe(i * 1e10);
      expect(table.columns.line[slot]).toBe(i + 1);
    }
    expect(table.find(usernameKey('nobody@example.com'))).toBe(-1);
    let visited = 0;
    table.forEachSlot(() => visited++);
    expect(visited).toBe(count);
  });

  it('sized for the entries expected, holds them without growing, and still grows past them', () => {
    const table = new UsernameHashTable({ line: Uint32Array }, 3000);
    const columns = table.columns;
    for (let i = 0; i < 3000; i++) table.columns.line[table.add(usernameKey(`user${i}@example.com`))] = i + 1;
    expect(table.columns).toBe(columns);
    for (let i = 3000; i < 7000; i++) {
      const slot = table.add(usernameKey(`user${i}@example.com`));
      table.columns.line[slot] = i + 1;
    }
    expect(table.columns).not.toBe(columns);
    expect([0, 2999, 6999].map((i) => table.columns.line[table.find(usernameKey(`user${i}@example.com`))])).toEqual([1, 3000, 7000]);
    expect(new UsernameHashTable({}, Number.NaN).size).toBe(0);
  });

  it('keeps every entry of a repeated key, and the key that hashes to zero', () => {
    const table = new UsernameHashTable({ line: Uint32Array });
    const key = usernameKey('same@example.com');
    table.columns.line[table.add(key)] = 1;
    table.columns.line[table.add(key)] = 2;
    expect(table.slotsOf(key).map((slot) => table.columns.line[slot])).toEqual([1, 2]);
    const zero = { hi: 0, lo: 0 };
    expect(table.find(zero)).toBe(-1);
    table.columns.line[table.add(zero)] = 3;
    expect(table.columns.line[table.find(zero)]).toBe(3);
    expect(table.size).toBe(3);
  });
});
