/**
 * Issue: a password the user set in Entra (self-service reset) must win over the old legacy password.
 * The real endpoint, the real Graph client and the Graph emulator, with a token that holds only User.Read.All.
 */
import { promises as fs } from 'node:fs';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import type { Env } from '../../src/config/settings';
import { GraphEmulator } from '../../../test/emulators/graph';
import { GraphClient, staticToken } from '../../../lib/graph';
import { CapturingSink, signIn, startHarness, type Harness } from '../support/harness';
import { sampleUsers, STRONG, WEAK, writeUsersFile } from '../support/users';

const GRAPH_TOKEN = 'graph-token-for-tests';
const DAY = 24 * 60 * 60_000;

let h: Harness;
let graph: GraphEmulator;
let usersFile: string;
let env: Env;

/** An Entra user made by provisioning `ago` before now (the directory's clock is set back for the create). */
async function provisionedUser(username: string, ago = 30 * DAY): Promise<string> {
  graph.setClock(() => new Date(Date.now() - ago));
  graph.setPermissions(undefined);
  try {
    const writer = new GraphClient({ baseUrl: graph.url, token: staticToken(GRAPH_TOKEN) });
    const user = await writer.post<{ id: string }>('/users', {
      accountEnabled: true,
      displayName: username,
      identities: [{ signInType: 'emailAddress', issuer: graph.tenantDomain, issuerAssignedId: username }],
      passwordProfile: { password: `Random-${Math.random()}-Aa1`, forceChangePasswordNextSignIn: false },
      passwordPolicies: 'DisablePasswordExpiration',
    });
    return user.id;
  } finally {
    graph.setClock(() => new Date());
    graph.setPermissions(['User.Read.All']);
  }
}

const endpoints: PasswordSubmitEndpoint[] = [];
function endpointWith(extra: Env = {}): PasswordSubmitEndpoint {
  const endpoint = new PasswordSubmitEndpoint({ ...env, ...extra });
  endpoints.push(endpoint);
  return endpoint;
}

async function legacyRecord(username: string): Promise<Record<string, unknown> | undefined> {
  const lines = (await fs.readFile(usersFile, 'utf8')).split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.username === username);
}

beforeAll(async () => {
  h = await startHarness();
  graph = await GraphEmulator.start({ token: GRAPH_TOKEN, permissions: ['User.Read.All'] });
  usersFile = await writeUsersFile(await sampleUsers());
  env = {
    ...h.baseEnv,
    LegacyStore: 'file',
    LegacyUsersFile: usersFile,
    PasswordChangeCheck: 'graph',
    JITMIGRATE_GRAPH_URL: graph.url,
    JITMIGRATE_GRAPH_TOKEN: GRAPH_TOKEN,
  };
});

afterAll(async () => {
  for (const endpoint of endpoints) await endpoint.close();
  await graph.stop();
  await h.stop();
});

describe('a password set in Entra after provisioning wins over the legacy password', () => {
  it('migrates a provisioned user whose Entra password was never changed, reading Graph once', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    const id = await provisionedUser('alice@contoso.com');
    await endpoint.getRuntime(); // its start-up probe reads Graph once too
    const before = graph.stats.requests;
    const { action } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { user: { id } });
    expect(action).toBe('MigratePassword');
    expect(graph.stats.requests - before).toBe(1);
    const [event] = sink.events('jit.passwordSubmit');
    expect(event).toMatchObject({ action: 'MigratePassword', reason: 'migrated' });
    expect(typeof event!.entraMs).toBe('number');
  });

  it('answers Retry after a self-service reset, marks the legacy record superseded and logs the user id only', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    const id = await provisionedUser('bob@contoso.com');
    graph.simulateSelfServicePasswordReset(id);

    const { action } = await signIn(endpoint, sink, h, 'bob@contoso.com', STRONG, { user: { id } });
    expect(action).toBe('Retry');
    const runtime = await endpoint.getRuntime();
    if (runtime.ready) await runtime.background.drain();

    const [changed] = sink.events('jit.passwordChangedInEntra');
    expect(changed).toBeDefined();
    expect(changed!.userId).toBe(id);
    expect(JSON.stringify(changed)).not.toContain('bob');
    expect(sink.events('jit.passwordSubmit')[0]).toMatchObject({ action: 'Retry', reason: 'password-changed-in-entra' });
    expect(sink.lines.join('\n')).not.toContain(STRONG);
    expect(typeof (await legacyRecord('bob@contoso.com'))?.supersededAt).toBe('string');
    expect((await legacyRecord('bob@contoso.com'))?.migrated).toBe(false);
  });

  it('keeps answering Retry for a superseded record, without Graph and even when Graph is down', async () => {
    const sink = new CapturingSink();
    // A new instance reads the users file as it is now: bob's record carries the superseded mark.
    const endpoint = endpointWith();
    await endpoint.getRuntime();
    graph.setFaults({ serverErrorRate: 1 });
    try {
      const before = graph.stats.requests;
      const { action } = await signIn(endpoint, sink, h, 'bob@contoso.com', STRONG, { user: { id: '00000000-0000-4000-8000-000000000001' } });
      expect(action).toBe('Retry');
      expect(graph.stats.requests).toBe(before);
    } finally {
      graph.setFaults(undefined);
    }
  });

  it('checks UpdatePassword answers too: a weak legacy password never replaces a reset one', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    const fresh = await provisionedUser('weak@contoso.com');
    expect((await signIn(endpoint, sink, h, 'weak@contoso.com', WEAK, { user: { id: fresh } })).action).toBe('UpdatePassword');
    graph.simulateSelfServicePasswordReset(fresh);
    expect((await signIn(endpoint, sink, h, 'weak@contoso.com', WEAK, { user: { id: fresh } })).action).toBe('Retry');
  });

  it('counts a password change within the provisioning slack as the provisioning write itself', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    const id = await provisionedUser('mallory@contoso.com', 60_000);
    const { action } = await signIn(endpoint, sink, h, 'mallory@contoso.com', STRONG, { user: { id } });
    expect(action).toBe('MigratePassword');
  });

  it('does not read Graph for a wrong password, an unknown user or a blocked account', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    await endpoint.getRuntime();
    const before = graph.stats.requests;
    const user = { id: '00000000-0000-4000-8000-000000000002' };
    expect((await signIn(endpoint, sink, h, 'alice@contoso.com', 'Wrong-Horse-9', { user })).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'nobody@contoso.com', STRONG, { user })).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'disabled@contoso.com', STRONG, { user })).action).toBe('Block');
    expect(graph.stats.requests).toBe(before);
  });
});

describe('when Graph cannot answer, LegacyErrorAction decides', () => {
  it.each([
    ['Block', 'Block'],
    ['Retry', 'Retry'],
  ])('Graph failing with LegacyErrorAction=%s answers %s, never MigratePassword', async (setting, expected) => {
    const sink = new CapturingSink();
    const endpoint = endpointWith({ LegacyErrorAction: setting });
    await endpoint.getRuntime();
    graph.setFaults({ serverErrorRate: 1 });
    try {
      const { action } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { user: { id: '00000000-0000-4000-8000-000000000003' } });
      expect(action).toBe(expected);
      expect(sink.events('jit.passwordSubmit')[0]).toMatchObject({ reason: 'entra-error' });
      expect(sink.events('jit.entraCheckFailed')[0]).toMatchObject({ errorName: 'EntraDirectoryError' });
    } finally {
      graph.setFaults(undefined);
    }
  });

  it('a Graph slower than the callout budget answers the error action inside the budget', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith({ CalloutBudgetMs: '400' });
    await endpoint.getRuntime();
    graph.setFaults({ latencyMs: 2000 });
    try {
      const started = performance.now();
      const { action } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { user: { id: '00000000-0000-4000-8000-000000000004' } });
      expect(action).toBe('Block');
      expect(performance.now() - started).toBeLessThan(1500);
      expect(sink.events('jit.passwordSubmit')[0]).toMatchObject({ reason: 'deadline' });
    } finally {
      graph.setFaults(undefined);
    }
  });

  it('a request without authenticationContext.user.id cannot be checked: the error action, never MigratePassword', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    const { action } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { user: { userPrincipalName: 'x@contoso.example' } });
    expect(action).toBe('Block');
    expect(sink.events('jit.entraCheckFailed')).toHaveLength(1);
  });

  it('refuses a user id that is not an object id before anything reaches Graph', async () => {
    const sink = new CapturingSink();
    const endpoint = endpointWith();
    const { response } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { user: { id: '../applications' } });
    expect(response.status).toBe(400);
  });
});

describe('start-up and health check', () => {
  async function health(endpoint: PasswordSubmitEndpoint): Promise<{ status?: number; body: { status: string; problems?: { setting: string; problem: string }[] } }> {
    const { HttpRequest } = await import('@azure/functions');
    const response = await endpoint.handle(new HttpRequest({ method: 'GET', url: 'http://localhost/api/onPasswordSubmit' }), new CapturingSink());
    return { status: response.status, body: response.jsonBody as { status: string; problems?: { setting: string; problem: string }[] } };
  }

  it('is ready when Graph signs in and reads users', async () => {
    expect((await health(endpointWith())).status).toBe(200);
  });

  it('is not ready, naming User.Read.All, when the app may not read users', async () => {
    graph.setPermissions([]);
    try {
      const { status, body } = await health(endpointWith());
      expect(status).toBe(503);
      expect(body.problems).toEqual([expect.objectContaining({ setting: 'PasswordChangeCheck', problem: expect.stringContaining('User.Read.All') })]);
    } finally {
      graph.setPermissions(['User.Read.All']);
    }
  });

  it.each([
    ['no Graph credential in Azure', { JITMIGRATE_GRAPH_URL: '', JITMIGRATE_GRAPH_TOKEN: '' }, 'GraphClientId'],
    ['the token seam towards a real Graph', { JITMIGRATE_GRAPH_URL: '', JITMIGRATE_GRAPH_TOKEN: 'x' }, 'JITMIGRATE_GRAPH_TOKEN'],
    ['the URL seam off loopback', { JITMIGRATE_GRAPH_URL: 'https://graph.example.com' }, 'JITMIGRATE_GRAPH_URL'],
    ['a certificate setting that is not PEM', { JITMIGRATE_GRAPH_URL: '', JITMIGRATE_GRAPH_TOKEN: '', GraphClientId: '11111111-2222-4333-8444-555555555555', GraphClientCertificate: 'not a pem' }, 'GraphClientCertificate'],
    ['an unresolved Key Vault reference', { JITMIGRATE_GRAPH_URL: '', JITMIGRATE_GRAPH_TOKEN: '', GraphClientId: '11111111-2222-4333-8444-555555555555', GraphClientCertificate: '@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/g)' }, 'GraphClientCertificate'],
  ])('is not ready with %s, naming %s', async (_name, extra, setting) => {
    const { status, body } = await health(endpointWith(extra));
    expect(status).toBe(503);
    expect(body.problems?.map((p) => p.setting)).toContain(setting);
  });

  it('needs no Graph at all with PasswordChangeCheck=off', async () => {
    const { status } = await health(endpointWith({ PasswordChangeCheck: 'off', JITMIGRATE_GRAPH_URL: '', JITMIGRATE_GRAPH_TOKEN: '' }));
    expect(status).toBe(200);
  });
});
