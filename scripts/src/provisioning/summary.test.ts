import type { ProvisionSummary } from './engine';
import { formatSummary } from './summary';

const files = { checkpoint: '/data/users.csv.provision.checkpoint.jsonl', errors: '/data/users.csv.provision.errors.jsonl' };
const base: ProvisionSummary = {
  dryRun: false,
  records: 10_000,
  created: 9812,
  exists: 180,
  existsNotFlagged: 3,
  failed: { 'graph-rejected': 3, 'no-email': 5 },
  failedTotal: 8,
  skippedByResume: 0,
  wouldCreate: 0,
  existenceChecked: false,
  notAttempted: 0,
  interrupted: false,
  throttled: 2,
  serverBusy: 0,
  peakConcurrency: 8,
  elapsedMs: 352_000,
};

describe('formatSummary', () => {
  it('counts, reasons by frequency, pace and the next step', () => {
    expect(formatSummary(base, files)).toBe(
      [
        'provision-users: 10,000 records in 5 min 52 s (28 users created/s)',
        '  created                   9,812',
        '  exist already               180   3 without the migration flag: see the error report',
        '  failed                        8',
        '    no-email                    5',
        '    graph-rejected              3',
        '  skipped (resume)              0',
        "  throttled (429)               2   sending paused for Graph's Retry-After each time",
        '  checkpoint:   /data/users.csv.provision.checkpoint.jsonl',
        '  error report: /data/users.csv.provision.errors.jsonl',
        'Fix the records in the error report and run the same command again: users already created are skipped.',
        '',
      ].join('\n'),
    );
  });

  it('says so when everything is done, interrupted or stopped', () => {
    const done = { ...base, failed: {}, failedTotal: 0, existsNotFlagged: 0 };
    expect(formatSummary(done, files)).toMatch(/Every user is in the tenant, flagged for just-in-time migration\.\n$/);
    expect(formatSummary({ ...done, interrupted: true, notAttempted: 1234 }, files)).toMatch(/not attempted\s+1,234\s+left for the next run[\s\S]*Interrupted: 1,234 records left\. Run the same command again to resume/);
    expect(formatSummary({ ...done, stoppedBecause: 'the Graph token was refused' }, files)).toMatch(/Stopped: the Graph token was refused\. Fix that and run the same command again/);
  });

  it('for a dry run: what would happen, and whether existing users were looked up', () => {
    const dry = { ...base, dryRun: true, created: 0, exists: 0, existsNotFlagged: 0, wouldCreate: 9992, elapsedMs: 2000 };
    expect(formatSummary(dry, files)).toMatch(/--dry-run: 10,000 records read in 2.0 s; nothing was written[\s\S]*would create\s+9,992\n\s+exist already\s+-\s+not checked: pass --tenant/);
    expect(formatSummary({ ...dry, existenceChecked: true, exists: 4 }, files)).toMatch(/exist already\s+4\n\s+would fail\s+8/);
    expect(formatSummary(dry, files)).not.toContain('checkpoint:');
  });
});
