/** The loopback host routes exactly the function app's routes: the External ID callout and the B2C endpoints. */
import { B2C_ROUTES } from '../../../lib/b2c/contract';
import { basicAuthorization, b2cEnv } from '../../../function/test/support/b2c';
import { sampleUsers, writeUsersFile } from '../../../function/test/support/users';
import { startLocalHost, type LocalHost } from './localHost';

let host: LocalHost;

beforeAll(async () => {
  const usersFile = await writeUsersFile(await sampleUsers());
  host = await startLocalHost({ env: b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile }), sink: { write: () => undefined } });
});
afterAll(() => host.close());

describe('startLocalHost', () => {
  it('serves the B2C routes under /api, as in Azure', async () => {
    const post = (route: string, body: unknown) =>
      fetch(`${host.origin}/api/${route}`, { method: 'POST', headers: { authorization: basicAuthorization(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(B2C_ROUTES.signUp, { email: 'nobody@contoso.com' })).status).toBe(200);
    const signIn = await post(B2C_ROUTES.signIn, { signInName: 'alice@contoso.com', password: 'Wrong-Horse-9' });
    expect(signIn.status).toBe(409);
    expect(await signIn.json()).toMatchObject({ version: '1.0.0', status: 409 });
    expect((await fetch(`${host.origin}/api/${B2C_ROUTES.health}`)).status).toBe(200);
  });

  it('answers 404 for any other path, and for the External ID callout in a B2C-only deployment', async () => {
    expect((await fetch(`${host.origin}/api/b2c/other`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${host.origin}/api/b2c/signin/extra`, { method: 'POST' })).status).toBe(404);
    const callout = await fetch(host.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(callout.status).toBe(404);
  });
});
