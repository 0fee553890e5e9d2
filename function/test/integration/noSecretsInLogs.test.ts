/**
 * Captures every line the function emits during a full run (its telemetry sink, and anything written to
 * stdout/stderr or the console) and asserts that no password, token, JWE or key material appears.
 */
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { CapturingSink, passwordSubmitRequest, startHarness, type Harness } from '../support/harness';
import { sampleUsers, STRONG, WEAK, writeUsersFile } from '../support/users';

let h: Harness;
const captured: string[] = [];
const restore: (() => void)[] = [];

function capture(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(args.map(String).join(' '));
    };
    restore.push(() => (console[method] = original));
  }
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

it('emits no password, token, JWE or key in any log line', async () => {
  const usersFile = await writeUsersFile(await sampleUsers());
  const sink = new CapturingSink();
  const endpoint = new PasswordSubmitEndpoint({ ...h.baseEnv, LegacyStore: 'file', LegacyUsersFile: usersFile, LockoutThreshold: '2' });
  const secrets: string[] = [STRONG, WEAK, h.certificate.privateKeyPem.split('\n')[1]!];
  const wrong = ['Wr0ng-Secret-A', 'Wr0ng-Secret-B', 'Wr0ng-Secret-C'];
  secrets.push(...wrong);

  capture();
  try {
    const attempts: [string, string, { nonce?: string; token?: string; body?: string }?][] = [
      ['alice@contoso.com', STRONG],
      ['weak@contoso.com', WEAK],
      ['disabled@contoso.com', STRONG],
      ['alice@contoso.com', wrong[0]!],
      ['alice@contoso.com', wrong[1]!],
      ['alice@contoso.com', wrong[2]!],
      ['nobody@contoso.com', wrong[0]!],
      ['alice@contoso.com', STRONG, { nonce: 'repeat' }],
      ['alice@contoso.com', STRONG, { nonce: 'repeat' }],
      ['alice@contoso.com', STRONG, { token: 'not-a-token' }],
    ];
    for (const [username, password, options] of attempts) {
      const { request, body } = await passwordSubmitRequest(h, username, password, options);
      const context = (JSON.parse(body) as { data: { encryptedPasswordContext: string } }).data.encryptedPasswordContext;
      secrets.push(context, request.headers.get('authorization')!.slice('Bearer '.length));
      await endpoint.handle(request, sink);
    }
    // A tampered context and an expired token exercise the error paths too.
    const { request: tampered, body } = await passwordSubmitRequest(h, 'alice@contoso.com', STRONG, {
      body: JSON.stringify(h.entra.passwordSubmitBody((await h.entra.encryptPasswordContext({ username: 'alice@contoso.com', password: 'Tamper-Secret-1', nonce: 'n' }, h.certificate.certificatePem)).slice(0, -4) + 'AAAA')),
    });
    secrets.push('Tamper-Secret-1', (JSON.parse(body) as { data: { encryptedPasswordContext: string } }).data.encryptedPasswordContext);
    await endpoint.handle(tampered, sink);
    const runtime = await endpoint.getRuntime();
    if (runtime.ready) await runtime.background.drain();
    await endpoint.close();
  } finally {
    restore.reverse().forEach((r) => r());
  }

  const everything = [...sink.lines, ...captured];
  expect(sink.lines.length).toBeGreaterThan(10);
  for (const secret of secrets) {
    // Name the leaked secret by its position only: the message itself must not carry it.
    for (const line of everything) expect({ secretIndex: secrets.indexOf(secret), leaked: line.includes(secret) }).toEqual({ secretIndex: secrets.indexOf(secret), leaked: false });
  }
  // Every telemetry line is one JSON object with an event name and only allow-listed fields.
  for (const line of sink.lines) expect(typeof (JSON.parse(line) as { event?: unknown }).event).toBe('string');
  expect(everything.join('\n')).not.toMatch(/BEGIN (RSA )?PRIVATE KEY|eyJ[A-Za-z0-9_-]{10,}\./);
});
