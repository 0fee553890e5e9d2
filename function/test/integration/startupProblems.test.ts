/**
 * Start-up reports every configuration problem in one round: a settings problem does not hide the checks
 * that need the key, the users file or the stores (README "Configuration"), at start-up and in the health check.
 */
import { HttpRequest } from '@azure/functions';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import type { Env } from '../../src/config/settings';
import { CapturingSink, startHarness, type Harness } from '../support/harness';
import { sampleUsers, writeUsersFile } from '../support/users';

const NOT_A_KEY = '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----';

let h: Harness;
let usersFile: string;
const endpoints: PasswordSubmitEndpoint[] = [];

beforeAll(async () => {
  h = await startHarness();
  usersFile = await writeUsersFile(await sampleUsers());
});

afterAll(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  await h.stop();
});

function endpointWith(extra: Env): PasswordSubmitEndpoint {
  const endpoint = new PasswordSubmitEndpoint({ ...h.baseEnv, LegacyStore: 'file', LegacyUsersFile: usersFile, ...extra });
  endpoints.push(endpoint);
  return endpoint;
}

/** The settings named at start-up (what `serve` prints) and by the health check, which must agree. */
async function reported(endpoint: PasswordSubmitEndpoint): Promise<{ startup: string[]; health: { status?: number; settings: string[]; body: string } }> {
  const sink = new CapturingSink();
  const runtime = await endpoint.getRuntime(sink);
  const startup = runtime.ready ? [] : runtime.problems.map((p) => p.setting);
  const response = await endpoint.handle(new HttpRequest({ method: 'GET', url: 'http://localhost/api/onPasswordSubmit' }), sink);
  const body = response.jsonBody as { problems?: { setting: string }[] };
  return { startup, health: { status: response.status, settings: (body.problems ?? []).map((p) => p.setting), body: JSON.stringify(body) } };
}

describe('configuration problems at start-up', () => {
  it('names a settings problem together with a broken key and a missing users file', async () => {
    const { startup, health } = await reported(endpointWith({ ClockSkewSeconds: 'soon', DecryptionPrivateKey: NOT_A_KEY, LegacyUsersFile: '/nonexistent/users.jsonl' }));
    expect(startup.sort()).toEqual(['ClockSkewSeconds', 'DecryptionPrivateKey', 'LegacyUsersFile']);
    expect(health.status).toBe(503);
    expect(health.settings.sort()).toEqual(startup);
    expect(health.body).not.toContain('not a key');
  });

  it('names a settings problem together with a timing decoy in no known format', async () => {
    const { startup } = await reported(endpointWith({ LockoutThreshold: '0', TimingDecoyHash: 'plaintext-password' }));
    expect(startup.sort()).toEqual(['LockoutThreshold', 'TimingDecoyHash']);
  });

  it('checks nothing twice: a users file that is not set is reported once, beside the key', async () => {
    const { startup } = await reported(endpointWith({ LegacyUsersFile: '', DecryptionPrivateKey: NOT_A_KEY }));
    expect(startup.sort()).toEqual(['DecryptionPrivateKey', 'LegacyUsersFile']);
  });

  it('is ready when only the checks could have failed and none did', async () => {
    const { startup, health } = await reported(endpointWith({}));
    expect(startup).toEqual([]);
    expect(health.status).toBe(200);
  });
});
