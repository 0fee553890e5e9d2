import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialServiceConfigError, HttpCredentialService, MAX_RESPONSE_BYTES } from './httpCredentialService';
import { LegacySystemError } from './port';

const PASSWORD = 'Sup3r-Secret-Passw0rd!';
const API_KEY = 'k3y-7f1d2c9a-never-log-me';

interface Seen {
  readonly method?: string;
  readonly path?: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The client's port: the same port means the same TCP connection. */
  readonly clientPort?: number;
}

type Reply = (req: Seen, res: http.ServerResponse) => void;

let server: http.Server;
let baseUrl: string;
let reply: Reply;
let seen: Seen[] = [];
let connections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), clientPort: req.socket.remotePort };
      seen.push(entry);
      reply(entry, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  reply = json(200, { result: 'valid' });
});

function json(status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

function service(extra: Partial<ConstructorParameters<typeof HttpCredentialService>[0]> = {}): HttpCredentialService {
  return new HttpCredentialService({ url: `${baseUrl}/verify`, apiKey: API_KEY, timeoutMs: 1000, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<LegacySystemError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LegacySystemError);
  const e = error as LegacySystemError;
  // Never the password, the key, the URL or a cause that might carry them.
  for (const secret of [PASSWORD, API_KEY, baseUrl, 'verify', '/lookup']) expect(e.message).not.toContain(secret);
  expect(e.cause).toBeUndefined();
  expect(String(e.stack)).not.toContain(PASSWORD);
  return e;
}

describe('HttpCredentialService configuration', () => {
  it.each([
    'https://legacy.contoso.com/verify',
    'http://127.0.0.1:8080/verify',
    'http://127.8.9.10/verify',
    'http://localhost:3000/verify',
    'http://[::1]:3000/verify',
  ])('accepts %s', (url) => {
    expect(new HttpCredentialService({ url }).kind).toBe('http');
  });

  it.each([
    ['http://legacy.contoso.com/verify', /^LegacyServiceUrl must use https/],
    ['http://10.0.0.5/verify', /^LegacyServiceUrl must use https/],
    ['ftp://127.0.0.1/verify', /^LegacyServiceUrl must use https/],
    ['not a url', /^LegacyServiceUrl is not a valid URL/],
    ['https://user:pw@legacy.contoso.com/verify', /^LegacyServiceUrl must not contain a user name or password/],
  ])('rejects %s', (url, message) => {
    expect(() => new HttpCredentialService({ url })).toThrow(message);
    try {
      new HttpCredentialService({ url });
    } catch (error) {
      expect(error).toBeInstanceOf(CredentialServiceConfigError);
      expect((error as CredentialServiceConfigError).message).not.toContain('pw@');
    }
  });

  it('rejects a bad header name and timeout', () => {
    expect(() => new HttpCredentialService({ url: 'https://x.example', apiKeyHeader: 'x api key' })).toThrow(/^LegacyServiceApiKeyHeader /);
    expect(() => new HttpCredentialService({ url: 'https://x.example', timeoutMs: 0 })).toThrow(/^LegacyServiceTimeoutMs /);
  });
});

describe('HttpCredentialService requests', () => {
  it('POSTs the username and password as JSON with the API key', async () => {
    await service().checkCredentials('alice@contoso.com', PASSWORD);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/verify');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-api-key']).toBe(API_KEY);
    expect(JSON.parse(request!.body)).toEqual({ username: 'alice@contoso.com', password: PASSWORD });
  });

  it('uses a custom header, or none without a key', async () => {
    await service({ apiKeyHeader: 'Ocp-Apim-Subscription-Key' }).checkCredentials('a', PASSWORD);
    await service({ apiKey: undefined }).checkCredentials('a', PASSWORD);
    expect(seen[0]!.headers['ocp-apim-subscription-key']).toBe(API_KEY);
    expect(seen[0]!.headers['x-api-key']).toBeUndefined();
    expect(seen[1]!.headers['x-api-key']).toBeUndefined();
  });

  it.each([
    [{ result: 'valid' }, { outcome: 'valid', status: 'active', mustChangePassword: false }],
    [{ result: 'invalid' }, { outcome: 'invalid', status: 'active', mustChangePassword: false }],
    [{ result: 'unknown' }, { outcome: 'unknown', status: 'active', mustChangePassword: false }],
    [{ result: 'valid', status: 'disabled' }, { outcome: 'valid', status: 'disabled', mustChangePassword: false }],
    [{ result: 'valid', status: 'locked', mustChangePassword: true }, { outcome: 'valid', status: 'locked', mustChangePassword: true }],
    [{ result: 'valid', status: null, mustChangePassword: null, extra: { future: 1 } }, { outcome: 'valid', status: 'active', mustChangePassword: false }],
  ])('reads %j', async (body, expected) => {
    reply = json(200, body);
    expect(await service().checkCredentials('a', PASSWORD)).toEqual(expected);
  });

  it('reads a profile, normalizing the email and ignoring fields it does not know', async () => {
    reply = json(200, { result: 'valid', profile: { email: ' Alice@Contoso.com ', displayName: 'Alice Smith', givenName: 'Alice', surname: '', nickname: 'Al' } });
    expect(await service().checkCredentials('a', PASSWORD)).toEqual({
      outcome: 'valid',
      status: 'active',
      mustChangePassword: false,
      profile: { email: 'alice@contoso.com', displayName: 'Alice Smith', givenName: 'Alice' },
    });
    reply = json(200, { result: 'valid', profile: null });
    expect(await service().checkCredentials('a', PASSWORD)).not.toHaveProperty('profile');
    reply = json(200, { result: 'valid', profile: { displayName: '' } });
    expect(await service().checkCredentials('a', PASSWORD)).not.toHaveProperty('profile');
  });

  it('reuses one kept-alive connection across calls', async () => {
    const svc = service();
    const before = connections;
    for (let i = 0; i < 8; i++) await svc.checkCredentials(`user${i}`, PASSWORD);
    expect(connections - before).toBe(1);
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((s) => s.clientPort)).size).toBe(1);
    svc.close();
  });

  it('runs concurrent calls on parallel connections and keeps them for reuse', async () => {
    const svc = service();
    const before = connections;
    await Promise.all(Array.from({ length: 4 }, (_, i) => svc.checkCredentials(`user${i}`, PASSWORD)));
    await Promise.all(Array.from({ length: 4 }, (_, i) => svc.checkCredentials(`user${i}`, PASSWORD)));
    expect(connections - before).toBe(4);
    svc.close();
  });
});

describe('HttpCredentialService failures', () => {
  it.each([
    [500, /answered HTTP 500 \(the contract allows only 200\)$/],
    [503, /answered HTTP 503/],
    [401, /HTTP 401 .*check LegacyServiceApiKey/],
    [403, /HTTP 403 .*check LegacyServiceApiKey/],
    [204, /answered HTTP 204/],
  ])('rejects HTTP %i', async (status, message) => {
    reply = json(status, status === 204 ? '' : { result: 'valid', echo: PASSWORD });
    expect((await failure(service().checkCredentials('a', PASSWORD))).message).toMatch(message);
  });

  it('does not follow a redirect (it would resend the password)', async () => {
    reply = (req, res) => {
      if (req.path === '/verify') {
        res.writeHead(307, { location: '/elsewhere' });
        res.end();
      } else json(200, { result: 'valid' })(req, res);
    };
    expect((await failure(service().checkCredentials('a', PASSWORD))).message).toMatch(/HTTP 307 .*redirects are not followed/);
    expect(seen.map((s) => s.path)).toEqual(['/verify']);
  });

  it.each([
    ['not JSON', `oops ${PASSWORD}`, /the answer is not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['no result', { status: 'active' }, /"result" must be/],
    ['a boolean result', { result: true }, /"result" must be/],
    ['a bad status', { result: 'valid', status: 'Active' }, /"status" must be one of active, disabled, locked/],
    ['a string mustChangePassword', { result: 'valid', mustChangePassword: 'false' }, /"mustChangePassword" must be true or false/],
    ['an empty body', '', /the answer is not JSON/],
    ['a profile that is not an object', { result: 'valid', profile: 'Alice' }, /^legacy web service: "profile" must be a JSON object$/],
    ['a profile array', { result: 'valid', profile: [] }, /"profile" must be a JSON object/],
    ['a profile email that is no address', { result: 'valid', profile: { email: 'alice' } }, /^legacy web service: in "profile", "email" must be an email address \(name@domain\)$/],
    ['a profile name that is too long', { result: 'valid', profile: { surname: 'x'.repeat(65) } }, /in "profile", "surname" must be at most 64 characters/],
    ['a profile name that is a number', { result: 'valid', profile: { displayName: 7 } }, /in "profile", "displayName" must be a string/],
  ])('rejects %s', async (_name, body, message) => {
    reply = json(200, body);
    expect((await failure(service().checkCredentials('a', PASSWORD))).message).toMatch(message);
  });

  it('stops reading an answer larger than 16 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ result: 'valid', pad: 'x'.repeat(MAX_RESPONSE_BYTES) });
    reply = json(200, big);
    expect((await failure(service().checkCredentials('a', PASSWORD))).message).toMatch(/larger than 16384 bytes/);
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no content-length
      res.write('{"result":"valid","pad":"');
      res.write('y'.repeat(MAX_RESPONSE_BYTES));
      res.end('"}');
    };
    expect((await failure(service().checkCredentials('a', PASSWORD))).message).toMatch(/larger than 16384 bytes/);
  });

  it('gives up at the timeout', async () => {
    reply = (req, res) => setTimeout(() => json(200, { result: 'valid' })(req, res), 800);
    const started = Date.now();
    const error = await failure(service({ timeoutMs: 150 }).checkCredentials('a', PASSWORD));
    expect(error.message).toBe('legacy web service: no answer within 150 ms (LegacyServiceTimeoutMs)');
    expect(Date.now() - started).toBeLessThan(600);
  });

  it("stops when the caller's signal aborts", async () => {
    reply = (req, res) => setTimeout(() => json(200, { result: 'valid' })(req, res), 800);
    const started = Date.now();
    const error = await failure(service().checkCredentials('a', PASSWORD, AbortSignal.timeout(100)));
    expect(error.message).toBe('legacy web service: the request was cancelled');
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('reports an unreachable service by its network error code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const svc = new HttpCredentialService({ url: `http://127.0.0.1:${port}/verify`, apiKey: API_KEY });
    expect((await failure(svc.checkCredentials('a', PASSWORD))).message).toBe('legacy web service: could not be reached (ECONNREFUSED)');
  });

  it('reports a connection dropped mid-answer', async () => {
    reply = (_req, res) => res.socket?.destroy();
    expect((await failure(service().checkCredentials('a', PASSWORD))).message).toMatch(/^legacy web service: could not be reached \(/);
  });
});

describe('HttpCredentialService look-up endpoint', () => {
  function lookupService(extra: Partial<ConstructorParameters<typeof HttpCredentialService>[0]> = {}): HttpCredentialService {
    return service({ lookupUrl: `${baseUrl}/lookup`, ...extra });
  }

  it('exists only when LegacyServiceLookupUrl is set', () => {
    expect(service().lookupUser).toBeUndefined();
    expect(lookupService().lookupUser).toBeInstanceOf(Function);
  });

  it.each([
    ['http://legacy.contoso.com/lookup', /^LegacyServiceLookupUrl must use https/],
    ['not a url', /^LegacyServiceLookupUrl is not a valid URL: set it to the https URL of the legacy look-up endpoint$/],
    ['https://user:pw@legacy.contoso.com/lookup', /^LegacyServiceLookupUrl must not contain a user name or password/],
  ])('rejects the look-up URL %s', (lookupUrl, message) => {
    expect(() => new HttpCredentialService({ url: 'https://legacy.contoso.com/verify', lookupUrl })).toThrow(message);
  });

  it('POSTs the username only, with the API key, and never a password', async () => {
    reply = json(200, { found: false });
    await lookupService().lookupUser!('alice@contoso.com');
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', path: '/lookup' });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-api-key']).toBe(API_KEY);
    expect(JSON.parse(request!.body)).toEqual({ username: 'alice@contoso.com' });
    expect(request!.body).not.toContain('password');
  });

  it.each([
    [{ found: false }, { found: false }],
    [{ found: false, status: 'weird', profile: 'ignored' }, { found: false }],
    [{ found: true }, { found: true, status: 'active' }],
    [{ found: true, status: 'locked' }, { found: true, status: 'locked' }],
    [
      { found: true, status: 'disabled', profile: { email: 'Alice@Contoso.com', displayName: 'Alice Smith', givenName: 'Alice', surname: 'Smith' }, future: 1 },
      { found: true, status: 'disabled', profile: { email: 'alice@contoso.com', displayName: 'Alice Smith', givenName: 'Alice', surname: 'Smith' } },
    ],
  ])('reads %j', async (body, expected) => {
    reply = json(200, body);
    expect(await lookupService().lookupUser!('a')).toEqual(expected);
  });

  it.each([
    ['no found', { status: 'active' }, /^legacy web service look-up: "found" must be true or false$/],
    ['a string found', { found: 'true' }, /"found" must be true or false/],
    ['a bad status', { found: true, status: 'gone' }, /^legacy web service look-up: "status" must be one of active, disabled, locked$/],
    ['a bad profile', { found: true, profile: { email: 'alice' } }, /^legacy web service look-up: in "profile", "email" must be an email address/],
    ['not JSON', 'nope', /^legacy web service look-up: the answer is not JSON$/],
  ])('rejects an answer with %s', async (_name, body, message) => {
    reply = json(200, body);
    expect((await failure(lookupService().lookupUser!('a'))).message).toMatch(message);
  });

  it('rejects another status, and names the look-up setting for a redirect', async () => {
    reply = json(404, { found: false });
    expect((await failure(lookupService().lookupUser!('a'))).message).toBe('legacy web service look-up: answered HTTP 404 (the contract allows only 200)');
    reply = (_req, res) => {
      res.writeHead(308, { location: '/elsewhere' });
      res.end();
    };
    expect((await failure(lookupService().lookupUser!('a'))).message).toMatch(/HTTP 308 .*set LegacyServiceLookupUrl to the final URL$/);
    expect(seen.map((s) => s.path)).toEqual(['/lookup', '/lookup']);
  });

  it('gives up at the timeout', async () => {
    reply = (req, res) => setTimeout(() => json(200, { found: false })(req, res), 800);
    const started = Date.now();
    const error = await failure(lookupService({ timeoutMs: 150 }).lookupUser!('a'));
    expect(error.message).toBe('legacy web service look-up: no answer within 150 ms (LegacyServiceTimeoutMs)');
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('shares the kept-alive connection with the credential endpoint', async () => {
    const svc = lookupService();
    const before = connections;
    reply = (req, res) => json(200, req.path === '/lookup' ? { found: true } : { result: 'valid' })(req, res);
    await svc.checkCredentials('a', PASSWORD);
    await svc.lookupUser!('a');
    await svc.checkCredentials('a', PASSWORD);
    expect(connections - before).toBe(1);
    svc.close();
  });
});
