/** The legacy web-service store: deadline and legacy-error behaviour, end to end. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { CapturingSink, signIn, startHarness, type Harness } from '../support/harness';
import { STRONG } from '../support/users';

let h: Harness;
let legacy: http.Server;
let legacyUrl: string;
let seenApiKeys: (string | undefined)[] = [];
const sink = new CapturingSink();

beforeAll(async () => {
  h = await startHarness();
  legacy = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      seenApiKeys.push(req.headers['x-api-key'] as string | undefined);
      const { username, password } = JSON.parse(text) as { username: string; password: string };
      const reply = (status: number, body: unknown, delay = 0): void => {
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        }, delay);
      };
      if (username === 'slow@contoso.com') return reply(200, { result: 'valid' }, 3000);
      if (username === 'broken@contoso.com') return reply(500, { error: 'boom' });
      if (username === 'carol@contoso.com') return reply(200, { result: password === STRONG ? 'valid' : 'invalid', status: 'active' });
      return reply(200, { result: 'unknown' });
    });
  });
  await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
  legacyUrl = `http://127.0.0.1:${(legacy.address() as AddressInfo).port}/verify`;
});

afterAll(async () => {
  legacy.closeAllConnections();
  await new Promise((resolve) => legacy.close(resolve));
  await h.stop();
});

function endpointWith(extra: Record<string, string>): PasswordSubmitEndpoint {
  return new PasswordSubmitEndpoint({
    ...h.baseEnv,
    LegacyStore: 'http',
    LegacyServiceUrl: legacyUrl,
    LegacyServiceApiKey: 'test-api-key',
    LegacyServiceTimeoutMs: '2000',
    StateStore: 'memory',
    CalloutBudgetMs: '400',
    ...extra,
  });
}

describe('legacy web service', () => {
  it('migrates on valid, retries on invalid and unknown, and sends the API key', async () => {
    const endpoint = endpointWith({});
    seenApiKeys = [];
    expect((await signIn(endpoint, sink, h, 'carol@contoso.com', STRONG)).action).toBe('MigratePassword');
    expect((await signIn(endpoint, sink, h, 'carol@contoso.com', 'Wrong-Pass-1')).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'dave@contoso.com', STRONG)).action).toBe('Retry');
    expect(seenApiKeys).toEqual(['test-api-key', 'test-api-key', 'test-api-key']);
    await endpoint.close();
  });

  it('abandons verification at the deadline and answers the error action (default Block) in time', async () => {
    const endpoint = endpointWith({});
    const started = Date.now();
    const { action, response } = await signIn(endpoint, sink, h, 'slow@contoso.com', STRONG);
    const elapsed = Date.now() - started;
    expect(action).toBe('Block');
    expect((response.jsonBody as { data: { actions: Record<string, string>[] } }).data.actions[0]!.title).toBe('Sign-in unavailable');
    expect(elapsed).toBeLessThan(2000);
    expect(sink.events('jit.passwordSubmit').some((e) => e.reason === 'deadline')).toBe(true);
    await endpoint.close();
  });

  it('answers the configured error action when the legacy system fails', async () => {
    const endpoint = endpointWith({ LegacyErrorAction: 'Retry' });
    expect((await signIn(endpoint, sink, h, 'broken@contoso.com', STRONG)).action).toBe('Retry');
    expect(sink.events('jit.passwordSubmit').some((e) => e.reason === 'legacy-error')).toBe(true);
    await endpoint.close();
  });
});
