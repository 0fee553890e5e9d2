/** The Flex publish emulator honours the One Deploy contract the provider relies on. */
import { createHash } from 'node:crypto';
import { ZipFile } from 'yazl';
import { DEPLOY_STATUS, FlexDeployEmulator } from './flexDeploy';

const TOKEN = 'arm-test-token';
let scm: FlexDeployEmulator;

beforeEach(async () => {
  scm = await FlexDeployEmulator.start({ token: TOKEN, pollsUntilComplete: 2 });
});
afterEach(async () => {
  await scm.stop();
});

async function makeZip(files: Record<string, string>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function publish(body: Buffer, { token = TOKEN as string | null, contentType = 'application/zip', query = 'type=zip' } = {}) {
  const response = await fetch(`http://${scm.host}/api/publish?${query}`, {
    method: 'POST',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': contentType },
    body,
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function status(id: string) {
  const response = await fetch(`http://${scm.host}/api/deployments/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, json: (await response.json()) as { id: string; status: number; complete: boolean; status_text: string } };
}

it('accepts a zip with a bearer token, answers the deployment id and completes it after polls', async () => {
  const zip = await makeZip({ 'host.json': '{"version":"2.0"}', 'dist/function/main.cjs': '' });
  const accepted = await publish(zip);
  expect(accepted.status).toBe(200);
  const id = JSON.parse(accepted.text) as string;
  expect((await publish(zip)).status).toBe(409); // still running: one poll's worth of background progress left
  expect((await status(id)).json).toMatchObject({ id, status: DEPLOY_STATUS.Success, complete: true });
  expect((await status('latest')).json.id).toBe(id);
  expect(scm.deployedSha256).toBe(createHash('sha256').update(zip).digest('hex'));
  expect(scm.deployments[0]?.entries).toEqual(['host.json', 'dist/function/main.cjs']);
});

it('refuses requests without the bearer, without application/zip, with another type or a broken zip', async () => {
  const zip = await makeZip({ 'host.json': '{}' });
  expect((await publish(zip, { token: null })).status).toBe(401);
  expect((await publish(zip, { token: 'other' })).status).toBe(401);
  expect((await publish(zip, { contentType: 'application/octet-stream' })).status).toBe(415);
  expect((await publish(zip, { query: 'type=war' })).status).toBe(400);
  const corrupt = Buffer.from(zip);
  corrupt[40] = corrupt[40]! ^ 0xff;
  expect((await publish(corrupt)).status).toBe(400);
  expect(scm.publishes).toBe(0);
});

it('fails a deployment without host.json, and on request', async () => {
  const accepted = await publish(await makeZip({ 'index.js': '' }));
  const id = JSON.parse(accepted.text) as string;
  await status(id);
  expect((await status(id)).json).toMatchObject({ status: DEPLOY_STATUS.Failed, status_text: expect.stringContaining('host.json') });
  scm.failNextDeployment('Failed to upload the package');
  const second = JSON.parse((await publish(await makeZip({ 'host.json': '{}' }))).text) as string;
  await status(second);
  expect((await status(second)).json.status_text).toBe('Failed to upload the package');
  expect(scm.deployedSha256).toBeUndefined();
});

it('serves scripted 429/503/409 faults', async () => {
  scm.injectFault({ status: 429, retryAfterSeconds: 7, method: 'POST' });
  scm.injectFault({ status: 409, method: 'POST' });
  const zip = await makeZip({ 'host.json': '{}' });
  const throttled = await publish(zip);
  expect(throttled.status).toBe(429);
  expect(throttled.headers.get('retry-after')).toBe('7');
  expect((await publish(zip)).status).toBe(409);
  expect((await publish(zip)).status).toBe(200);
});
