/** The failure-window rule both state stores apply; the stores themselves are tested in tableStateStore.test.ts. */
import { inWindow, releaseFrom, reserveIn } from './failureWindow';

const MINUTE = 60_000;
const T0 = Date.parse('2024-06-01T12:00:00.000Z');
const at = (...times: number[]) => times.map((t) => ({ at: t }));

describe('failure window', () => {
  it('keeps entries newer than the window start, later ones included', () => {
    expect(inWindow(at(T0 - 10 * MINUTE, T0 - 5 * MINUTE, T0 - 1, T0, T0 + 5), T0, 5 * MINUTE)).toEqual(at(T0 - 1, T0, T0 + 5));
  });

  it('grants a slot only below the threshold, counting the window with it', () => {
    expect(reserveIn(at(T0 - 2, T0 - 10 * MINUTE, T0 + 1), T0, MINUTE, 3, 10, 'r1')).toEqual({
      granted: true,
      failures: 3,
      entries: [{ at: T0 - 2 }, { at: T0, id: 'r1' }, { at: T0 + 1 }],
    });
    expect(reserveIn(at(T0 - 2, T0 - 1, T0 + 1), T0, MINUTE, 3, 10, 'r2')).toEqual({ granted: false, failures: 3 });
    expect(reserveIn([], T0, MINUTE, 0, 10, 'r3')).toEqual({ granted: false, failures: 0 });
  });

  it('keeps the newest entries beyond the cap', () => {
    const step = reserveIn(at(T0 - 3, T0 - 2, T0 - 1), T0, MINUTE, Infinity, 2, 'r');
    expect(step).toEqual({ granted: true, failures: 2, entries: [{ at: T0 - 1 }, { at: T0, id: 'r' }] });
  });

  it('releases exactly the named reservation, even among entries of the same millisecond', () => {
    const entries = [{ at: T0 }, { at: T0, id: 'a' }, { at: T0, id: 'b' }];
    expect(releaseFrom(entries, 'a')).toEqual([{ at: T0 }, { at: T0, id: 'b' }]);
    expect(releaseFrom(entries, 'c')).toBeUndefined();
  });
});
