import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { csvCell, openReport, reportFormatFor } from './reports';

describe('csvCell', () => {
  it('quotes per RFC 4180 and leaves plain values alone', () => {
    expect(csvCell('ada@example.com')).toBe('ada@example.com');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(-3)).toBe('-3');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@sum')).toBe("'@sum");
  });
});

describe('reports', () => {
  it('chooses the format from --format or the extension', () => {
    expect(reportFormatFor('out.CSV')).toBe('csv');
    expect(reportFormatFor('out.jsonl')).toBe('jsonl');
    expect(reportFormatFor('out.txt', 'csv')).toBe('csv');
    expect(() => reportFormatFor('out', 'xml')).toThrow('--format must be jsonl or csv');
  });

  it('writes JSON lines and CSV with mode 0600', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-reports-'));
    for (const format of ['jsonl', 'csv'] as const) {
      const file = path.join(dir, `r.${format}`);
      const report = await openReport<{ username: string; n: number }>(file, format, ['username', 'n']);
      await report.write({ username: 'ada@example.com', n: 1 });
      await report.write({ username: 'b,c', n: 2 });
      await report.close();
      expect(report.rows).toBe(2);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      const text = await fs.readFile(file, 'utf8');
      expect(text).toBe(format === 'csv' ? 'username,n\r\nada@example.com,1\r\n"b,c",2\r\n' : '{"username":"ada@example.com","n":1}\n{"username":"b,c","n":2}\n');
    }
  });

  it('names the fix when the file cannot be created', async () => {
    await expect(openReport('/nonexistent-dir/x/report.jsonl', 'jsonl', [])).rejects.toThrow(/could not create the report .*ENOENT.*check the path/);
  });
});
