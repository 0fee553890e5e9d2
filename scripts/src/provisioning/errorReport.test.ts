import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorReportFile } from './errorReport';

describe('ErrorReportFile', () => {
  it('starts empty on every run, writes {record, username, status, code, reason} lines, mode 0600', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-errors-'));
    const file = path.join(dir, 'errors.jsonl');
    await fs.writeFile(file, 'from the previous run\n');
    const report = await ErrorReportFile.create(file);
    await report.add([{ record: 7, username: 'ada', status: 'failed', code: 'no-email', reason: 'add one' }]);
    await report.add([{ record: 9, status: 'exists', code: 'not-flagged', reason: 'set the flag' }]);
    expect(report.count).toBe(2);
    await report.close();
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.readFile(file, 'utf8')).split('\n')).toEqual([
      '{"record":7,"username":"ada","status":"failed","code":"no-email","reason":"add one"}',
      '{"record":9,"username":null,"status":"exists","code":"not-flagged","reason":"set the flag"}',
      '',
    ]);
    await fs.rm(dir, { recursive: true });
  });
});
