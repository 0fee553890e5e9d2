import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointFile, CheckpointMismatchError } from './checkpoint';

const target = { domain: 'contoso.onmicrosoft.com', migrationProperty: 'extension_0123456789abcdef0123456789abcdef_toBeMigrated' };

describe('CheckpointFile', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-checkpoint-'));
    file = path.join(dir, 'run.checkpoint.jsonl');
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const lines = async () => (await fs.readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

  async function writeSome(): Promise<void> {
    const checkpoint = await CheckpointFile.open(file, target);
    await checkpoint.sending([
      { record: 1, email: 'a@example.com', userPrincipalName: 'u1@contoso.onmicrosoft.com' },
      { record: 2, email: 'b@example.com', userPrincipalName: 'u2@contoso.onmicrosoft.com' },
      { record: 3, email: 'c@example.com', userPrincipalName: 'u3@contoso.onmicrosoft.com' },
    ]);
    await checkpoint.settled([
      { record: 1, email: 'a@example.com', state: 'created', id: 'id-1', userPrincipalName: 'u1@contoso.onmicrosoft.com' },
      { record: 2, email: 'b@example.com', state: 'exists', id: 'id-2', flagged: true },
      { record: 4, email: 'd@example.com', state: 'failed', code: 'invalid-attribute', reason: 'fix the mapping' },
    ]);
    await checkpoint.close();
  }

  it('keeps MFA method lines beside the record: registered or already there settle the method, a failed one does not', async () => {
    await writeSome();
    const first = await CheckpointFile.open(file, target);
    await first.methodsSettled([
      { record: 1, method: 'phone', outcome: 'registered' },
      { record: 1, method: 'email', outcome: 'failed', code: 'throttled', reason: 'run again' },
      { record: 2, method: 'email', outcome: 'already-registered' },
      { record: 9, method: 'phone', outcome: 'registered' }, // no state line: ignored
    ]);
    await first.close();
    const reopened = await CheckpointFile.open(file, target);
    try {
      // The record's own line still answers for its state, id and email.
      expect(reopened.records.get(1)).toMatchObject({ state: 'created', id: 'id-1', email: 'a@example.com', methodsDone: ['phone'] });
      expect(reopened.records.get(2)).toMatchObject({ state: 'exists', methodsDone: ['email'] });
      expect(reopened.records.get(3)?.methodsDone).toBeUndefined();
      expect(reopened.records.get(9)).toBeUndefined();
    } finally {
      await reopened.close();
    }
    expect((await lines()).filter((line) => line.state === 'method')).toHaveLength(4);
  });

  it('writes a header, then write-ahead and outcome lines, with mode 0600', async () => {
    await writeSome();
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const [header, ...rest] = await lines();
    expect(header).toMatchObject({ format: 'jitmigrate-provision-users', version: 1, ...target });
    expect(rest.map((line) => [line.record, line.state])).toEqual([
      [1, 'sending'], [2, 'sending'], [3, 'sending'], [1, 'created'], [2, 'exists'], [4, 'failed'],
    ]);
    expect(rest[3]).toMatchObject({ id: 'id-1', upn: 'u1@contoso.onmicrosoft.com', at: expect.any(String) });
  });

  it('reloads the latest state of each record, keeping the UPN of an unsettled send', async () => {
    await writeSome();
    const checkpoint = await CheckpointFile.open(file, target);
    expect(Object.fromEntries(checkpoint.records)).toEqual({
      1: { state: 'created', email: 'a@example.com', userPrincipalName: 'u1@contoso.onmicrosoft.com', id: 'id-1', code: undefined },
      2: { state: 'exists', email: 'b@example.com', userPrincipalName: 'u2@contoso.onmicrosoft.com', id: 'id-2', code: undefined },
      3: { state: 'sending', email: 'c@example.com', userPrincipalName: 'u3@contoso.onmicrosoft.com', id: undefined, code: undefined },
      4: { state: 'failed', email: 'd@example.com', userPrincipalName: undefined, id: undefined, code: 'invalid-attribute' },
    });
    await checkpoint.settled([{ record: 3, email: 'c@example.com', state: 'created', id: 'id-3' }]);
    await checkpoint.close();
    expect((await CheckpointFile.open(file, target, { readOnly: true })).records.get(3)).toMatchObject({ state: 'created', id: 'id-3' });
  });

  it('drops a last line torn by a crash, and appends cleanly after it', async () => {
    await writeSome();
    await fs.appendFile(file, '{"record":3,"state":"crea');
    const checkpoint = await CheckpointFile.open(file, target);
    expect(checkpoint.records.get(3)?.state).toBe('sending');
    await checkpoint.settled([{ record: 3, email: 'c@example.com', state: 'created', id: 'id-3' }]);
    await checkpoint.close();
    expect((await lines()).at(-1)).toMatchObject({ record: 3, state: 'created' });
    expect((await CheckpointFile.open(file, target, { readOnly: true })).records.get(3)?.state).toBe('created');
  });

  it('restores the newline of a complete last line that lost it', async () => {
    await writeSome();
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.trimEnd());
    const checkpoint = await CheckpointFile.open(file, target);
    await checkpoint.settled([{ record: 3, email: 'c@example.com', state: 'created', id: 'id-3' }]);
    await checkpoint.close();
    expect((await lines()).slice(-2).map((line) => line.state)).toEqual(['failed', 'created']);
  });

  it('refuses a file damaged in the middle, another format, or another target, naming the fix', async () => {
    await writeSome();
    const valid = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, valid.replace('"state":"exists"', '"state":"exi'));
    await expect(CheckpointFile.open(file, target)).rejects.toThrow(/line 6 .* is not valid JSON: the file is damaged/);

    await fs.writeFile(file, valid);
    await expect(CheckpointFile.open(file, { ...target, domain: 'fabrikam.onmicrosoft.com' })).rejects.toThrow(
      /written for --domain contoso.onmicrosoft.com: run with the same options, or pass another --checkpoint/,
    );
    await expect(CheckpointFile.open(file, { ...target, migrationProperty: 'extension_ffffffffffffffffffffffffffffffff_x' })).rejects.toBeInstanceOf(CheckpointMismatchError);

    await fs.writeFile(file, '{"record":1,"state":"created"}\n');
    await expect(CheckpointFile.open(file, target)).rejects.toThrow(/is not a provision-users checkpoint/);
  });

  it('keeps a send\'s UPN through later lines without one, until a newer send replaces it', async () => {
    const checkpoint = await CheckpointFile.open(file, target);
    await checkpoint.sending([{ record: 7, email: 'g@example.com', userPrincipalName: 'first@contoso.onmicrosoft.com' }]);
    await checkpoint.settled([{ record: 7, email: 'g@example.com', state: 'failed', code: 'throttled', reason: 'try again' }]);
    await checkpoint.settled([{ record: 7, state: 'failed', code: 'invalid-row', reason: 'fix the row' }]);
    await checkpoint.sending([{ record: 8, email: 'h@example.com', userPrincipalName: 'h1@contoso.onmicrosoft.com' }]);
    await checkpoint.sending([{ record: 8, email: 'h@example.com', userPrincipalName: 'h2@contoso.onmicrosoft.com' }]);
    await checkpoint.settled([{ record: 8, email: 'h@example.com', state: 'exists', id: 'id-8' }]);
    await checkpoint.close();
    const reloaded = await CheckpointFile.open(file, target, { readOnly: true });
    expect(reloaded.records.get(7)).toEqual({ state: 'failed', email: 'g@example.com', userPrincipalName: 'first@contoso.onmicrosoft.com', id: undefined, code: 'invalid-row' });
    expect(reloaded.records.get(8)).toMatchObject({ state: 'exists', userPrincipalName: 'h2@contoso.onmicrosoft.com', id: 'id-8' });
    expect(reloaded.records.get(9)).toBeUndefined();
    await reloaded.close();
  });

  it('reads every record back exactly from a large file, in any order, and counts states', async () => {
    const checkpoint = await CheckpointFile.open(file, target);
    const count = 3000;
    const records = Array.from({ length: count }, (_, i) => i + 1);
    await checkpoint.sending(records.map((record) => ({ record, email: `user${record}@example.com`, userPrincipalName: `u${record}@contoso.onmicrosoft.com` })));
    // A reason longer than the 64 KiB read window, and outcomes for all but the last 10 records.
    const long = 'x'.repeat(100_000);
    await checkpoint.settled(
      records.slice(0, -10).map((record) =>
        record % 3 === 0
          ? { record, email: `user${record}@example.com`, state: 'failed' as const, code: 'graph-rejected' as const, reason: record === 300 ? long : `refused ${record}` }
          : { record, email: `user${record}@example.com`, state: 'created' as const, id: `id-${record}`, userPrincipalName: `u${record}@contoso.onmicrosoft.com` },
      ),
    );
    await checkpoint.close();
    // A crash took the last line's newline: it still counts (read-only does not repair it).
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).trimEnd());

    const reloaded = await CheckpointFile.open(file, target, { readOnly: true });
    const expected = (record: number) => ({
      state: record > count - 10 ? 'sending' : record % 3 === 0 ? 'failed' : 'created',
      email: `user${record}@example.com`,
      userPrincipalName: `u${record}@contoso.onmicrosoft.com`,
      id: record > count - 10 || record % 3 === 0 ? undefined : `id-${record}`,
      code: record <= count - 10 && record % 3 === 0 ? 'graph-rejected' : undefined,
    });
    const wrong = [...records, ...[...records].reverse()].filter((record) => JSON.stringify(reloaded.records.get(record)) !== JSON.stringify(expected(record)));
    expect(wrong).toEqual([]);
    expect([reloaded.records.count('sending'), reloaded.records.count('failed'), reloaded.records.count('created')]).toEqual([10, 996, 1994]);
    await reloaded.close();
  });

  it('reads lines back at their byte offsets, whatever bytes and line breaks came before them', async () => {
    await writeSome();
    const header = (await fs.readFile(file, 'utf8')).split('\n')[0];
    const line = (entry: object) => Buffer.from(`${JSON.stringify(entry)}\r\n`);
    await fs.writeFile(
      file,
      Buffer.concat([
        Buffer.from(`${header}\n`),
        line({ record: 1, state: 'sending', email: 'ünïcode@example.com', upn: 'u1@contoso.onmicrosoft.com' }),
        // A byte that is not UTF-8 (a damaged reason): the lines after it must not shift.
        Buffer.concat([Buffer.from('{"record":2,"state":"failed","code":"graph-rejected","reason":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]),
        line({ record: 3, state: 'created', email: 'c@example.com', id: 'id-3', upn: 'u3@contoso.onmicrosoft.com' }),
      ]),
    );
    const reloaded = await CheckpointFile.open(file, target, { readOnly: true });
    expect(reloaded.records.get(1)).toMatchObject({ state: 'sending', email: 'ünïcode@example.com' });
    expect(reloaded.records.get(2)).toMatchObject({ state: 'failed', code: 'graph-rejected' });
    expect(reloaded.records.get(3)).toMatchObject({ state: 'created', id: 'id-3', userPrincipalName: 'u3@contoso.onmicrosoft.com' });
    await reloaded.close();
  });

  it('skips lines whose record number is not one, instead of sizing memory by them', async () => {
    await writeSome();
    await fs.appendFile(file, ['{"record":-1,"state":"created"}', '{"record":1e300,"state":"created"}', '{"record":"5","state":"created"}', '{"record":2.5,"state":"created"}', ''].join('\n'));
    const reloaded = await CheckpointFile.open(file, target, { readOnly: true });
    expect([...reloaded.records].map(([record]) => record)).toEqual([1, 2, 3, 4]);
    await reloaded.close();
  });

  it('read-only (dry run) neither creates the file nor writes to it', async () => {
    const checkpoint = await CheckpointFile.open(file, target, { readOnly: true });
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(checkpoint.settled([{ record: 1, email: 'a@example.com', state: 'created', id: 'x' }])).rejects.toThrow(/read-only/);
    await checkpoint.close();
  });
});
