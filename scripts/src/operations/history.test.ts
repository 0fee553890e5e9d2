import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendSnapshot, readHistory } from './history';
import { buildSnapshot } from './progress';

const legacy = { store: 'file' as const, total: 10, migrated: 4, migratedWithoutTimestamp: 0, unreadable: 0, superseded: 0, migratedPerDay: new Map(), last24Hours: 0, last7Days: 0 };
const snapshotAt = (iso: string) => buildSnapshot({ now: new Date(iso), migrationProperty: 'p', graph: { pending: 6, migrated: 4 }, legacy });

describe('history', () => {
  it('appends snapshots and reads them back oldest first, skipping lines that are not snapshots', async () => {
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'jit-history-')), 'history.jsonl');
    expect(await readHistory(file)).toEqual({ snapshots: [], skipped: 0 });
    await appendSnapshot(file, snapshotAt('2026-06-02T00:00:00Z'));
    await appendSnapshot(file, snapshotAt('2026-06-01T00:00:00Z'));
    await fs.appendFile(file, '{"schema":"something-else"}\n{"truncated\n\n');
    const history = await readHistory(file);
    expect(history.snapshots.map((s) => s.generatedAt)).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-02T00:00:00.000Z']);
    expect(history.skipped).toBe(2);
  });

  it('names the fix when the file cannot be written', async () => {
    await expect(appendSnapshot('/nonexistent-dir/h.jsonl', snapshotAt('2026-06-01T00:00:00Z'))).rejects.toThrow(/history file .*ENOENT.*writable/);
  });
});
