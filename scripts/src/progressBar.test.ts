import { Writable } from 'node:stream';
import { createProgress, formatCount, formatDuration } from './progressBar';

/** A stream that keeps what is written; `tty` adds what cli-progress needs from a terminal. */
function stream(tty: boolean): NodeJS.WriteStream & { text(): string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  Object.assign(s, {
    isTTY: tty,
    columns: 200,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    clearScreenDown: () => true,
    text: () => chunks.join(''),
  });
  return s;
}

describe('createProgress', () => {
  it('writes plain periodic lines with rate, percentage, ETA and counters when not on a TTY', () => {
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
    const out = stream(false);
    const progress = createProgress({ total: 1000, label: 'import-legacy', stream: out, intervalMs: 0 });
    jest.setSystemTime(new Date('2025-01-01T00:00:01Z'));
    progress.tick(250, { imported: 240, rejected: 10 });
    jest.setSystemTime(new Date('2025-01-01T00:00:02Z'));
    progress.tick(250);
    progress.stop();
    progress.stop();
    jest.useRealTimers();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('import-legacy: 250/1,000 (25%), 250/s, ETA 3.0 s, imported 240, rejected 10');
    expect(lines[1]).toBe('import-legacy: 500/1,000 (50%), 250/s, ETA 2.0 s, imported 240, rejected 10');
    expect(lines[2]).toBe('import-legacy: 500, 250/s, done in 2.0 s, imported 240, rejected 10');
    expect(lines).toHaveLength(3);
  });

  it('throttles plain lines to the interval', () => {
    const out = stream(false);
    const progress = createProgress({ label: 'provision-users', stream: out, intervalMs: 60_000 });
    for (let i = 0; i < 100; i++) progress.tick();
    progress.stop();
    expect(out.text().trim().split('\n')).toEqual([expect.stringMatching(/^provision-users: 100, [\d,]+\/s, done in/)]);
  });

  it('draws a bar with rate and ETA on a terminal, and plain lines in CI', () => {
    const tty = stream(true);
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const progress = createProgress({ total: 10, label: 'import-legacy', stream: tty });
      progress.tick(5, { imported: 5 });
      progress.tick(10); // past an estimated total: the total grows instead of overflowing
      progress.stop();
      expect(tty.text()).toMatch(/import-legacy \[[^\]]+\] 100% 15\/15 \| [\d,]+\/s \| ETA \S+ \| imported 5/);

      process.env.CI = 'true';
      const ci = stream(true);
      createProgress({ label: 'import-legacy', stream: ci }).stop();
      expect(ci.text()).toMatch(/^import-legacy: 0, 0\/s, done in/);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

describe('formatting', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1234567, '1,234,567'],
  ])('formatCount(%i) = %s', (n, text) => expect(formatCount(n)).toBe(text));

  it.each([
    [0.42, '0.4 s'],
    [12.4, '12 s'],
    [59.6, '1 min 00 s'],
    [200, '3 min 20 s'],
    [3900, '1 h 05 min'],
  ])('formatDuration(%d) = %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});
