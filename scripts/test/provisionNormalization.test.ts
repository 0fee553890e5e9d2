/**
 * provision-users sends the sign-in name every look-up computes (trimmed, NFKC, lower-cased), and writes a
 * line in the error report for each value it changed, against the loopback Graph emulator.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { normalizeUsername } from '../../function/src/legacy';
import { graphClientFromEnvironment } from '../../lib/graph';
import type { GraphEmulator } from '../../test/emulators/graph';
import { runProvisionUsers } from '../src/commands/provisionUsers';
import { findUsersByIdentity } from '../src/operations/graphUsers';
import { readProvisionErrors } from '../src/operations/provisionErrors';
import { EMULATOR_TOKEN, startTenant, TENANT_DOMAIN } from '../src/provisioning/testing/fixtures';

const HASH = '$2b$04$only.a.test.hash.only.a.test.hash.only.a.tes';
const FULL_WIDTH = 'ｗｉｄｅ.ｅｍａｉｌ@example.com';

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer | string, _encoding, done) => (chunks.push(String(chunk)), done()) });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('provision-users normalizes the sign-in name and reports every changed value', () => {
  let emulator: GraphEmulator;
  let flag: string;
  let dir: string;
  beforeEach(async () => {
    ({ emulator, migrationProperty: flag } = await startTenant());
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-provision-normalize-'));
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sends the normalized email, cuts a long display name to 256, and says so for each', async () => {
    const input = path.join(dir, 'users.jsonl');
    const longName = `${'Ada Lovelace '.repeat(23)}Byron`; // 304 characters
    await fs.writeFile(
      input,
      [
        { username: 'wide', email: FULL_WIDTH, hash: HASH },
        { username: 'long@example.com', displayName: longName, hash: HASH },
        { username: 'plain', email: ' Mixed.Case@Example.COM ', hash: HASH },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const env = { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN };
    const out = sink();
    const err = sink();
    const errorsFile = path.join(dir, 'errors.jsonl');
    const code = await runProvisionUsers(['--input', input, '--migration-property', flag, '--domain', TENANT_DOMAIN, '--errors', errorsFile], { stdout: out.stream, stderr: err.stream, env });
    expect(err.text()).toMatch(/created 3, exists 0, failed 0/);
    expect(code).toBe(0);

    const users = [...emulator.users.values()] as { identities: { issuerAssignedId: string }[]; displayName: string }[];
    const signInNames = users.map((user) => user.identities[0]!.issuerAssignedId).sort();
    expect(signInNames).toEqual(['long@example.com', 'mixed.case@example.com', 'wide.email@example.com']);
    // The name every look-up (status, reconcile, the function) computes finds the user.
    const found = await findUsersByIdentity(graphClientFromEnvironment({ env }), [normalizeUsername(FULL_WIDTH)], TENANT_DOMAIN);
    expect(found.get('wide.email@example.com')).toEqual(expect.any(String));
    const long = users.find((user) => user.identities[0]!.issuerAssignedId === 'long@example.com')!;
    expect(long.displayName).toBe(longName.slice(0, 256).trimEnd());

    const report = (await fs.readFile(errorsFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(report).toEqual([
      {
        record: 1,
        username: 'wide',
        status: 'changed',
        code: 'normalized-email',
        reason: `the email "${FULL_WIDTH}" became the sign-in name "wide.email@example.com" (Unicode NFKC, as every look-up normalizes it): correct the export if that is not the user's address`,
      },
      {
        record: 2,
        username: 'long@example.com',
        status: 'changed',
        code: 'shortened-display-name',
        reason: 'the display name is 304 characters long and Graph allows 256: it was cut to its first 256; shorten it in the export to choose the text',
      },
    ]);
    expect(out.text()).toContain(`error report: ${errorsFile} (with 2 value(s) changed to fit Entra: status "changed")`);
    // status --provision-errors reads the notices as neither failures nor stray lines.
    expect(await readProvisionErrors(errorsFile)).toMatchObject({ failed: 0, notFlagged: 0, skipped: 0 });
  });
});
