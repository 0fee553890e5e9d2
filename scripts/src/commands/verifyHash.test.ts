/** `jitmigrate verify-hash`: one answer per input line, in input order, blank lines included. */
import { createHashRegistry, type HashRegistry } from '../../../function/src/hashing';
import { verifyHashLines } from './verifyHash';

let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(async () => {
  await registry.close();
});

async function answers(lines: string[]): Promise<unknown[]> {
  const out: string[] = [];
  await verifyHashLines(
    registry,
    (async function* () {
      yield* lines;
    })(),
    (text) => void out.push(text),
  );
  return out.join('').split('\n').slice(0, -1).map((line) => JSON.parse(line) as unknown);
}

describe('verify-hash', () => {
  const md5 = { hash: '$1$rCzDfJtt$DKEhLpg8gxmKMlIBBNXYD0', password: 'password' }; // mkpasswd -m md5 (vector file)

  it('answers a blank or whitespace-only line with "empty line", so output line N answers input line N', async () => {
    expect(await answers([JSON.stringify(md5), '', '   \t', JSON.stringify({ ...md5, password: 'password1' }), ''])).toEqual([
      { ok: true, scheme: 'md5-crypt' },
      { ok: false, error: 'empty line' },
      { ok: false, error: 'empty line' },
      { ok: false, scheme: 'md5-crypt' },
      { ok: false, error: 'empty line' },
    ]);
  });

  it('keeps the input order when more lines are in flight than the window holds', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? '' : JSON.stringify({ ...md5, password: i % 3 === 1 ? 'password' : 'wrong' })));
    const expected = lines.map((_, i) => (i % 3 === 0 ? { ok: false, error: 'empty line' } : { ok: i % 3 === 1, scheme: 'md5-crypt' }));
    expect(await answers(lines)).toEqual(expected);
  });
});
