import type { AccessToken, TokenCredential } from '@azure/identity';
import { backoffDelay, parseRetryAfter } from './retry';
import { DEFAULT_GRAPH_SCOPE, graphScopeFor, tokenFromCredential } from './token';

function fakeCredential(answers: Array<AccessToken | null | Error>) {
  const scopes: Array<string | string[]> = [];
  const credential: TokenCredential = {
    async getToken(scope) {
      scopes.push(scope);
      const answer = answers[Math.min(scopes.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      await Promise.resolve();
      return answer ?? null;
    },
  };
  return { credential, scopes };
}

describe('tokenFromCredential', () => {
  const hour = 3_600_000;

  it('caches the token until shortly before it expires, sharing one request between concurrent callers', async () => {
    let now = 1_000_000;
    const { credential, scopes } = fakeCredential([
      { token: 'first', expiresOnTimestamp: now + hour },
      { token: 'second', expiresOnTimestamp: now + 2 * hour },
    ]);
    const source = tokenFromCredential(credential, undefined, () => now);
    expect(await Promise.all([source.getToken(), source.getToken(), source.getToken()])).toEqual(['first', 'first', 'first']);
    now += hour - 10 * 60_000;
    expect(await source.getToken()).toBe('first');
    now += 6 * 60_000;
    expect(await source.getToken()).toBe('second');
    expect(scopes).toEqual([DEFAULT_GRAPH_SCOPE, DEFAULT_GRAPH_SCOPE]);
  });

  it('honours refreshAfterTimestamp', async () => {
    let now = 0;
    const { credential, scopes } = fakeCredential([{ token: 'a', expiresOnTimestamp: hour, refreshAfterTimestamp: 1000 }]);
    const source = tokenFromCredential(credential, 'https://graph.microsoft.us/.default', () => now);
    await source.getToken();
    now = 1001;
    await source.getToken();
    expect(scopes).toEqual(['https://graph.microsoft.us/.default', 'https://graph.microsoft.us/.default']);
  });

  it('turns a credential failure into an error that says how to sign in, keeping the cause', async () => {
    const failure = new Error('ChainedTokenCredential authentication failed.\nCredentialUnavailableError: Azure CLI not found');
    const source = tokenFromCredential(fakeCredential([failure]).credential);
    const error = (await source.getToken().catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('could not get a Graph token for https://graph.microsoft.com/.default: ChainedTokenCredential authentication failed.');
    expect(error.message).toContain('az login --tenant');
    expect(error.cause).toBe(failure);
  });

  it('refuses a null token and recovers on the next call', async () => {
    const source = tokenFromCredential(fakeCredential([null, { token: 'ok', expiresOnTimestamp: Date.now() + hour }]).credential);
    await expect(source.getToken()).rejects.toThrow(/returned no token/);
    await expect(source.getToken()).resolves.toBe('ok');
  });
});

describe('graphScopeFor', () => {
  it.each([
    ['https://graph.microsoft.com', 'https://graph.microsoft.com/.default'],
    ['https://graph.microsoft.us/', 'https://graph.microsoft.us/.default'],
    ['https://microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
    ['http://127.0.0.1:4000', DEFAULT_GRAPH_SCOPE],
  ])('%s → %s', (baseUrl, scope) => {
    expect(graphScopeFor(baseUrl)).toBe(scope);
  });
});

describe('parseRetryAfter and backoffDelay', () => {
  it('reads delta-seconds and HTTP-dates, and ignores nonsense', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter('1.5')).toBe(1500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:09 GMT', now)).toBe(9000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
  });

  it('doubles the window each attempt up to the cap, with half of it random', () => {
    const options = { baseMs: 1000, capMs: 30_000 };
    expect(backoffDelay(0, { ...options, random: () => 0 })).toBe(500);
    expect(backoffDelay(0, { ...options, random: () => 1 })).toBe(1000);
    expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(6000);
    expect(backoffDelay(20, { ...options, random: () => 1 })).toBe(30_000);
  });
});
