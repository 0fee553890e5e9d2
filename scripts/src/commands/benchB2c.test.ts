/**
 * The B2C sign-in rows of `npm run bench` measure what they say: each request a verified sign-in through the
 * real endpoint (no figures are asserted: speed targets are the bench's to print).
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { B2C_ROUTES } from '../../../lib/b2c/contract';
import { PasswordSubmitEndpoint } from '../../../function/src/app';
import { createHashRegistry, type HashRegistry } from '../../../function/src/hashing';
import { b2cEnv, b2cRequest } from '../../../function/test/support/b2c';
import { FakeEntra } from '../../../function/test/support/fakeEntra';
import { measureB2cSignIn } from './benchB2c';
import { measureRow, type Send } from './benchMeasure';

const TENANT = '0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b';
const APP = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const PASSWORD = 'Bench-Test-Password-1!';

let entra: FakeEntra;
let registry: HashRegistry;
let dir: string;
let ssha: string;

beforeAll(async () => {
  entra = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
  registry = createHashRegistry();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-bench-b2c-test-'));
  const salt = randomBytes(8);
  ssha = `{SSHA}${Buffer.concat([createHash('sha1').update(PASSWORD).update(salt).digest(), salt]).toString('base64')}`;
});

afterAll(async () => {
  await registry.close();
  await entra.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('bench: B2C sign-in rows', () => {
  it('measures bearer and Basic sign-ins, each request a new user verified through /api/b2c/signin', async () => {
    const rows = await measureB2cSignIn({
      entra,
      tenantId: TENANT,
      apiAppId: APP,
      password: PASSWORD,
      hashes: { fast: ssha, bcrypt: await bcrypt.hash(PASSWORD, 4) },
      registry,
      iterations: 5,
      concurrency: 2,
      dir,
      settings: {},
    });
    expect(rows.map((row) => row.cells[0])).toEqual(['bearer, new token each call ({SSHA}, µs hash)', 'Basic ({SSHA}, µs hash)', 'bearer, new token each call, bcrypt (cost 10)']);
    for (const row of rows) {
      expect(row.cells).toHaveLength(12);
      expect(Number.isFinite(row.overheadP99)).toBe(true);
    }
  });

  it('refuses to measure replayed answers (the same name and password again gets the first answer, unverified)', async () => {
    const usersFile = path.join(dir, 'replay.jsonl');
    await fs.writeFile(usersFile, `${JSON.stringify({ username: 'same@bench.test', hash: ssha })}\n`);
    const endpoint = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile }));
    try {
      const send: Send = (request, sink) => endpoint.handleB2c(B2C_ROUTES.signIn, request, sink);
      const row = {
        name: 'the same user each time',
        hash: ssha,
        password: PASSWORD,
        expectedAnswer: 'migrated',
        send,
        makeRequest: async () => b2cRequest(B2C_ROUTES.signIn, { signInName: 'same@bench.test', password: PASSWORD }),
      };
      await expect(measureRow(row, registry, 5, 2)).rejects.toThrow(/answered without a look-up and verify \(a replayed answer\)/);
    } finally {
      await endpoint.close();
    }
  });
});
