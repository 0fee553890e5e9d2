/** functionCodeDeploymentProvider against the loopback Flex publish emulator. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import { ZipFile } from 'yazl';
import { FlexDeployEmulator } from '../../test/emulators/azure';
import { AZURE_TOKEN_VARIABLE, UNKNOWN, staticCredential } from './azureAccess';
import { createFunctionCodeDeploymentProvider, functionCodeDeploymentProvider, type FunctionCodeDeploymentOutputs } from './functionCodeDeployment';

const TOKEN = 'arm-provider-test-token';
const APP_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-jit/providers/Microsoft.Web/sites/func-jit';

let scm: FlexDeployEmulator;
let dir: string;
let sleeps: number[];

function provider(overrides: Parameters<typeof createFunctionCodeDeploymentProvider>[0] = {}): pulumi.dynamic.ResourceProvider {
  return createFunctionCodeDeploymentProvider({
    credentialFor: () => staticCredential(TOKEN),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    pollIntervalMs: 5,
    random: () => 0.5,
    ...overrides,
  });
}

async function writeZip(name: string, files: Record<string, string>): Promise<{ zipPath: string; zipSha256: string }> {
  const zip = new ZipFile();
  for (const [file, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), file, { mtime: new Date(1980, 0, 1) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const zipPath = path.join(dir, name);
  writeFileSync(zipPath, bytes);
  return { zipPath, zipSha256: createHash('sha256').update(bytes).digest('hex') };
}

const packageFiles = (marker: string) => ({ 'host.json': '{"version":"2.0"}', 'package.json': '{"main":"dist/function/main.cjs"}', 'dist/function/main.cjs': `// ${marker}` });

async function inputs(marker = 'v1', overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return { functionAppId: APP_ID, scmHostName: scm.host, ...(await writeZip(`${marker}.zip`, packageFiles(marker))), ...overrides };
}

async function create(p = provider(), news?: Record<string, unknown>): Promise<{ id: string; outs: FunctionCodeDeploymentOutputs }> {
  const checked = await p.check!({}, news ?? (await inputs()));
  expect(checked.failures).toEqual([]);
  const result = await p.create(checked.inputs);
  return { id: result.id, outs: result.outs as FunctionCodeDeploymentOutputs };
}

beforeEach(async () => {
  scm = await FlexDeployEmulator.start({ token: TOKEN, pollsUntilComplete: 2 });
  dir = mkdtempSync(path.join(tmpdir(), 'code-deployment-'));
  sleeps = [];
});
afterEach(async () => {
  await scm.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('check', () => {
  it('normalizes host and hash, keeps unknowns, and names invalid inputs', async () => {
    const news = await inputs();
    const ok = await provider().check!({}, { ...news, scmHostName: 'Func-Jit.SCM.azurewebsites.net', zipSha256: String(news['zipSha256']).toUpperCase() });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs).toMatchObject({ scmHostName: 'func-jit.scm.azurewebsites.net', zipSha256: news['zipSha256'] });
    expect((await provider().check!({}, { ...news, zipSha256: UNKNOWN })).inputs['zipSha256']).toBe(UNKNOWN);
    const bad = await provider().check!({}, { functionAppId: '/subscriptions/x/resourceGroups/y', scmHostName: 'https://func.scm.azurewebsites.net/', zipPath: '', zipSha256: 'abc' });
    expect((bad.failures ?? []).map((failure) => failure.property)).toEqual(['functionAppId', 'scmHostName', 'zipPath', 'zipSha256']);
    expect((await provider().check!({}, { ...news, scmHostName: 'func.scm.azurewebsites.net:8443' })).failures?.[0]?.property).toBe('scmHostName');
  });
});

describe('diff', () => {
  const olds = { functionAppId: APP_ID, scmHostName: 'func-jit.scm.azurewebsites.net', zipSha256: 'a'.repeat(64), deployedSha256: 'a'.repeat(64), deploymentId: 'd1' };
  const diff = (news: Record<string, unknown>) => provider().diff!('id', olds, { functionAppId: APP_ID, scmHostName: olds.scmHostName, zipPath: '/ci/agent/dist/package/function.zip', zipSha256: olds.zipSha256, ...news });

  it('ignores the zip path and compares only the package hash', async () => {
    expect((await diff({})).changes).toBe(false);
    expect((await diff({ zipPath: 'C:\\\\build\\\\function.zip' })).changes).toBe(false);
    expect(await diff({ zipSha256: 'b'.repeat(64) })).toMatchObject({ changes: true, replaces: [] });
    expect((await diff({ zipSha256: UNKNOWN })).changes).toBe(true);
  });

  it('redeploys after a refresh found another deployment, and replaces for another app', async () => {
    expect((await provider().diff!('id', { ...olds, deployedSha256: '' }, { ...olds, zipPath: 'x' })).changes).toBe(true);
    expect((await diff({ functionAppId: APP_ID.toUpperCase() })).changes).toBe(false);
    expect((await diff({ functionAppId: APP_ID.replace('func-jit', 'func-other') })).replaces).toEqual(['functionAppId']);
  });
});

describe('create and update', () => {
  it('publishes the zip with the bearer token and waits until Kudu reports success', async () => {
    const news = await inputs();
    const { id, outs } = await create(provider(), news);
    expect(id).toBe(`${APP_ID}/codeDeployment`);
    expect(outs).toEqual({ functionAppId: APP_ID, scmHostName: scm.host, zipSha256: news['zipSha256'], deployedSha256: news['zipSha256'], deploymentId: scm.deployments[0]!.id });
    expect(scm.deployedSha256).toBe(news['zipSha256']);
    expect(scm.requests[0]).toBe('POST /api/publish?type=zip&RemoteBuild=false');
    expect(scm.requests.filter((request) => request.startsWith('GET /api/deployments/'))).toHaveLength(2);
    expect(JSON.stringify(outs)).not.toContain(TOKEN);
  });

  it('retries 429 after Retry-After and 5xx with back-off', async () => {
    scm.injectFault({ status: 429, method: 'POST', retryAfterSeconds: 7 });
    scm.injectFault({ status: 503, method: 'POST' });
    scm.injectFault({ status: 500, method: 'GET' });
    await create();
    expect(sleeps.slice(0, 2)).toEqual([7000, 1500]); // Retry-After, then the second back-off step (2 s window)
    expect(scm.deployedSha256).toBeDefined();
  });

  it('waits while another deployment runs (409), within a bounded time', async () => {
    scm.injectFault({ status: 409, method: 'POST', times: 2 });
    await create();
    expect(sleeps.slice(0, 2)).toEqual([11_250, 22_500]); // 15 s and 30 s windows with equal jitter at 0.5
    scm.injectFault({ status: 409, method: 'POST', times: 100 });
    const news = await inputs('v2');
    const error = await create(provider({ conflictBudgetMs: 60_000 }), news).catch((caught: Error) => caught);
    expect(String(error)).toMatch(/still running after 60 s \(409\)/);
  });

  it('follows the latest deployment when the publish reply carries no id', async () => {
    scm.injectFault({ status: 200, method: 'POST', afterHandling: true, body: '' });
    const { outs } = await create();
    expect(scm.requests.filter((request) => request === 'GET /api/deployments/latest')).toHaveLength(2);
    expect(outs.deploymentId).toBe(scm.deployments[0]!.id);
  });

  it('survives a lost publish reply: the retry waits for the first deployment, then publishes again', async () => {
    scm.injectFault({ status: 502, method: 'POST', afterHandling: true });
    const { outs } = await create();
    expect(scm.deployments).toHaveLength(2);
    expect(scm.deployedSha256).toBe(outs.zipSha256);
  });

  it('fails with the fix on 401, a failed deployment, or a package that changed after it was built', async () => {
    const unauthorized = createFunctionCodeDeploymentProvider({ credentialFor: () => staticCredential('wrong-token'), sleep: async () => undefined });
    const denied = await create(unauthorized).catch((caught: Error) => caught);
    expect(String(denied)).toMatch(/401.*Website Contributor/);
    expect(String(denied)).not.toContain('wrong-token');

    scm.failNextDeployment('Failed to upload the package to the deployment container.');
    await expect(create()).rejects.toThrow(/ended Failed: Failed to upload the package/);

    const news = await inputs('stale');
    writeFileSync(String(news['zipPath']), 'changed');
    await expect(create(provider(), news)).rejects.toThrow(/changed after it was built/);
    expect(scm.publishes).toBe(1);
  });

  it('redeploys only when the hash changes (engine-style apply)', async () => {
    const p = provider();
    const first = await create(p);
    const samePackageElsewhere = await p.check!(first.outs, { ...(await inputs()), zipPath: path.join(dir, 'v1.zip') });
    expect((await p.diff!(first.id, first.outs, samePackageElsewhere.inputs)).changes).toBe(false);
    const next = await p.check!(first.outs, await inputs('v2'));
    expect((await p.diff!(first.id, first.outs, next.inputs)).changes).toBe(true);
    const updated = (await p.update!(first.id, first.outs, next.inputs)).outs as FunctionCodeDeploymentOutputs;
    expect(updated.deployedSha256).toBe(next.inputs['zipSha256']);
    expect(scm.deployedSha256).toBe(next.inputs['zipSha256']);
    expect(scm.publishes).toBe(2);
  });
});

describe('read and delete', () => {
  it('keeps the hash while our deployment is the latest, and clears it when another one replaced it', async () => {
    const p = provider();
    const { id, outs } = await create(p);
    expect((await p.read!(id, outs)).props).toMatchObject({ deployedSha256: outs.deployedSha256 });
    scm.recordForeignDeployment('f'.repeat(64));
    const refreshed = (await p.read!(id, outs)).props as FunctionCodeDeploymentOutputs;
    expect(refreshed.deployedSha256).toBe('');
    const again = await p.check!(refreshed, await inputs());
    expect((await p.diff!(id, refreshed, again.inputs)).changes).toBe(true);
  });

  it('deletes nothing: the app takes its code with it', async () => {
    const { id, outs } = await create();
    const requests = scm.requests.length;
    await provider().delete!(id, outs);
    expect(scm.requests.length).toBe(requests);
  });
});

describe('the bundled provider and its test seam', () => {
  const saved = process.env[AZURE_TOKEN_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[AZURE_TOKEN_VARIABLE];
    else process.env[AZURE_TOKEN_VARIABLE] = saved;
  });

  it('reaches a loopback SCM site only with JITMIGRATE_AZURE_TOKEN', async () => {
    const news = await inputs();
    delete process.env[AZURE_TOKEN_VARIABLE];
    await expect(functionCodeDeploymentProvider.create(news)).rejects.toThrow(AZURE_TOKEN_VARIABLE);
    expect(scm.requests).toHaveLength(0);
    process.env[AZURE_TOKEN_VARIABLE] = TOKEN;
    scm = await restartFast();
    const fresh = { ...news, scmHostName: scm.host };
    const { outs } = await functionCodeDeploymentProvider.create(fresh);
    expect((outs as FunctionCodeDeploymentOutputs).deployedSha256).toBe(news['zipSha256']);
  });
});

/** The default provider polls every 3 s; an emulator that completes on the first poll keeps this test fast. */
async function restartFast(): Promise<FlexDeployEmulator> {
  await scm.stop();
  return FlexDeployEmulator.start({ token: TOKEN, pollsUntilComplete: 1 });
}
