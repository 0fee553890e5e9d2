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

  it('read-only (dry run) neither creates the file nor writes to it', async () => {
    const checkpoint = await CheckpointFile.open(file, target, { readOnly: true });
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(checkpoint.settled([{ record: 1, email: 'a@example.com', state: 'created', id: 'x' }])).rejects.toThrow(/read-only/);
    await checkpoint.close();
  });
});
