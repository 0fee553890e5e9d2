/** When rejects fail the import: every record, or more than the share, refused for one reason. */
import { dominantReject } from './rejectShare';

const report = (read: number, rejectsByCategory: Record<string, number>, skippedByResume = 0) => ({ read, skippedByResume, rejectsByCategory });

describe('dominantReject', () => {
  it('is the one reason covering more than the share; exactly the share passes', () => {
    expect(dominantReject(report(1000, { 'missing hash': 501, 'duplicate username': 10 }), 50)).toEqual({ category: 'missing hash', count: 501, processed: 1000, everyRecord: false });
    expect(dominantReject(report(1000, { 'missing hash': 500, 'duplicate username': 400 }), 50)).toBeUndefined();
    // Many rejects but spread over reasons: no single cause to name.
    expect(dominantReject(report(10, { a: 4, b: 3, c: 3 }), 50)).toBeUndefined();
  });

  it('always fails when every record was rejected for one reason, whatever the share', () => {
    expect(dominantReject(report(3, { 'missing hash': 3 }), 100)).toMatchObject({ everyRecord: true, count: 3, processed: 3 });
    expect(dominantReject(report(1, { 'invalid username': 1 }), 100)).toMatchObject({ everyRecord: true });
  });

  it('0 % fails on any reject; nothing read or nothing rejected never fails', () => {
    expect(dominantReject(report(1000, { 'unrecognized hash': 1 }), 0)).toMatchObject({ count: 1 });
    expect(dominantReject(report(1000, {}), 0)).toBeUndefined();
    expect(dominantReject(report(0, {}), 50)).toBeUndefined();
  });

  it('counts only the records this run judged (not those skipped by a resume)', () => {
    expect(dominantReject(report(1000, { 'missing hash': 300 }, 600), 50)).toMatchObject({ processed: 400, count: 300 });
    expect(dominantReject(report(1000, { 'missing hash': 300 }, 0), 50)).toBeUndefined();
    expect(dominantReject(report(600, {}, 600), 50)).toBeUndefined();
  });
});
