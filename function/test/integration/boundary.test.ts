/** The HTTP boundary: bad callers and bad input get a clear status and change nothing. */
import { HttpRequest } from '@azure/functions';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { CapturingSink, passwordSubmitRequest, signIn, startHarness, TENANT_ID, type Harness } from '../support/harness';
import { sampleUsers, STRONG, writeUsersFile } from '../support/users';

let h: Harness;
let endpoint: PasswordSubmitEndpoint;
const sink = new CapturingSink();

beforeAll(async () => {
  h = await startHarness();
  const usersFile = await writeUsersFile(await sampleUsers());
  endpoint = new PasswordSubmitEndpoint({ ...h.baseEnv, LegacyStore: 'file', LegacyUsersFile: usersFile, MaxRequestBytes: '8192', LockoutThreshold: '2' });
});

afterAll(async () => {
  await endpoint.close();
  await h.stop();
});

function post(body: string, headers: Record<string, string>): HttpRequest {
  return new HttpRequest({ method: 'POST', url: 'http://localhost/api/onPasswordSubmit', headers, body: { string: body } });
}

describe('caller authentication at the endpoint', () => {
  it('answers 401 with no body and no hint when the token is missing', async () => {
    const { body } = await passwordSubmitRequest(h, 'alice@contoso.com', STRONG);
    const response = await endpoint.handle(post(body, { 'content-type': 'application/json' }), sink);
    expect(response.status).toBe(401);
    expect(response.jsonBody).toBeUndefined();
    expect(response.body).toBeUndefined();
  });

  it.each([
    ['a token for another audience', { claims: { aud: '00000000-0000-0000-0000-000000000001' } }],
    ['a token from another client', { claims: { azp: '00000000-0000-0000-0000-000000000002' } }],
    ['an expired token', { claims: { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200, iat: Math.floor(Date.now() / 1000) - 7200 } }],
    ['a token signed by an unknown key', { signWithUnknownKey: true }],
  ])('answers 401 for %s, before touching the legacy store', async (_name, mint) => {
    const token = await h.entra.mintAccessToken(mint);
    const before = sink.events('jit.passwordSubmit').length;
    const { response } = await signIn(endpoint, sink, h, 'alice@contoso.com', 'Wrong-1', { token });
    expect(response.status).toBe(401);
    expect(sink.events('jit.passwordSubmit').length).toBe(before);
  });

  it('answers 401 to an alg:none token', async () => {
    const good = await h.entra.mintAccessToken();
    const [, payload] = good.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const { response } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { token: none });
    expect(response.status).toBe(401);
  });
});

describe('malformed requests from an authenticated caller', () => {
  it('413 for an oversized body', async () => {
    const token = await h.entra.mintAccessToken();
    const body = JSON.stringify({ padding: 'x'.repeat(10_000) });
    const response = await endpoint.handle(post(body, { authorization: `Bearer ${token}`, 'content-type': 'application/json' }), sink);
    expect(response.status).toBe(413);
  });

  it('415 for a non-JSON content type', async () => {
    const { response } = await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { contentType: 'text/plain' });
    expect(response.status).toBe(415);
  });

  it.each([
    ['malformed JSON', '{"type":'],
    ['a missing context', JSON.stringify({ type: 'microsoft.graph.authenticationEvent.passwordSubmit', data: {} })],
    ['a JWE that is not one', JSON.stringify({ type: 'microsoft.graph.authenticationEvent.passwordSubmit', data: { encryptedPasswordContext: 'a.b.c' } })],
  ])('400 for %s', async (_name, body) => {
    const token = await h.entra.mintAccessToken();
    const { response } = await signIn(endpoint, sink, h, 'x', 'y', { token, body });
    expect(response.status).toBe(400);
    expect((response.jsonBody as { error: string }).error).toBe('invalid_request');
  });

  it('400 for a tampered JWE, and the attempt is not counted', async () => {
    const { body } = await passwordSubmitRequest(h, 'alice@contoso.com', 'Wrong-1');
    const parsed = JSON.parse(body) as { data: { encryptedPasswordContext: string } };
    const parts = parsed.data.encryptedPasswordContext.split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 0xff;
    parts[3] = ciphertext.toString('base64url');
    parsed.data.encryptedPasswordContext = parts.join('.');
    for (let i = 0; i < 3; i++) {
      const { response } = await signIn(endpoint, sink, h, 'x', 'y', { body: JSON.stringify(parsed) });
      expect(response.status).toBe(400);
    }
    // Threshold is 2: had the tampered requests counted, alice would now be locked out.
    expect((await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG)).action).toBe('MigratePassword');
  });

  it('400 for a context without a nonce', async () => {
    const context = await h.entra.encryptPasswordContext({ username: 'alice@contoso.com', password: STRONG, nonce: '' }, h.certificate.certificatePem);
    const body = JSON.stringify(h.entra.passwordSubmitBody(context));
    const { response } = await signIn(endpoint, sink, h, 'x', 'y', { body });
    expect(response.status).toBe(400);
  });

  it('400 when the body names another tenant', async () => {
    const context = await h.entra.encryptPasswordContext({ username: 'alice@contoso.com', password: STRONG, nonce: 'n-tenant' }, h.certificate.certificatePem);
    const body = h.entra.passwordSubmitBody(context) as { data: { tenantId: string } };
    expect(body.data.tenantId).toBe(TENANT_ID);
    body.data.tenantId = '99999999-9999-4999-9999-999999999999';
    const { response } = await signIn(endpoint, sink, h, 'x', 'y', { body: JSON.stringify(body) });
    expect(response.status).toBe(400);
  });
});

describe('health check', () => {
  it('GET answers 200 when ready, naming no secret', async () => {
    const response = await endpoint.handle(new HttpRequest({ method: 'GET', url: 'http://localhost/api/onPasswordSubmit' }), sink);
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({ status: 'ready', identityPlatform: 'externalId', legacyStore: 'file', stateStore: 'memory', decryptionKeys: 1 });
  });

  it('GET answers 503 with the settings to fix, and POST 503, when misconfigured', async () => {
    const broken = new PasswordSubmitEndpoint({ ...h.baseEnv, DecryptionPrivateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----', LegacyStore: 'file', LegacyUsersFile: '/nonexistent/users.jsonl' });
    const health = await broken.handle(new HttpRequest({ method: 'GET', url: 'http://localhost/api/onPasswordSubmit' }), sink);
    expect(health.status).toBe(503);
    const problems = (health.jsonBody as { problems: { setting: string }[] }).problems.map((p) => p.setting);
    expect(problems).toEqual(expect.arrayContaining(['DecryptionPrivateKey', 'LegacyUsersFile']));
    expect(JSON.stringify(health.jsonBody)).not.toContain('not a key');
    const { response } = await signIn(broken, sink, h, 'alice@contoso.com', STRONG);
    expect(response.status).toBe(503);
    await broken.close();
  });
});
