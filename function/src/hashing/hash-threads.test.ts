import { pbkdf2Sync, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { slowVector } from '../../test/vectors';
import { createHashRegistry, type HashRegistry } from './registry';
import { MalformedHashError } from './types';
import { HASH_THREAD_NICENESS } from './thread-priority';

/**
 * Every costly derivation runs on the hash threads: at background priority, off libuv's shared pool (which
 * the event loop needs for WebCrypto, DNS and files), and dropped when the caller's deadline aborts it.
 */

/** A Django PBKDF2-SHA256 hash made by node:crypto (not our code); `iterations` sets how long it takes. */
function djangoPbkdf2(password: string, iterations: number): string {
  const salt = randomBytes(9).toString('hex');
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}

/** nice value of each thread of this process, by name (/proc/self/task/<tid>/stat, field 19). */
function threadNiceness(): { tid: number; name: string; nice: number }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), nice: Number(afterName[16]) };
  });
}

let registry: HashRegistry;
beforeAll(async () => {
  registry = createHashRegistry({ maxWorkers: 2 });
  // Start the threads first: spawning them is not what these tests measure.
  await Promise.all([registry.verify('x', djangoPbkdf2('x', 1000)), registry.verify('x', djangoPbkdf2('x', 1000))]);
});
afterAll(() => registry.close());

(process.platform === 'linux' ? describe : describe.skip)('priority', () => {
  it('runs hash threads below the event loop, and leaves every other thread alone', () => {
    const threads = threadNiceness();
    const niced = threads.filter((thread) => thread.nice === HASH_THREAD_NICENESS);
    expect(niced.length).toBeGreaterThanOrEqual(1);
    expect(niced.length).toBeLessThanOrEqual(2);
    // The main thread (tid = pid), libuv's pool and V8's platform threads keep their priority.
    expect(threads.find((thread) => thread.tid === process.pid)?.nice).toBe(0);
    expect(threads.filter((thread) => thread.nice !== 0 && thread.nice !== HASH_THREAD_NICENESS)).toEqual([]);
    expect(threads.filter((thread) => thread.name.startsWith('libuv-worker')).every((thread) => thread.nice === 0)).toBe(true);
  });
});

describe("libuv's pool stays free", () => {
  it('answers WebCrypto at once while every hash thread is busy with PBKDF2', async () => {
    const slow = djangoPbkdf2('pw', 1_500_000);
    const hashing = Array.from({ length: 6 }, () => registry.verify('pw', slow));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // jose verifies caller tokens through WebCrypto, whose jobs run in libuv's pool: hashing there would queue them.
    const started = performance.now();
    await webcrypto.subtle.digest('SHA-256', new Uint8Array(32));
    const webCryptoMs = performance.now() - started;
    const hashingStarted = performance.now();
    const results = await Promise.all(hashing);
    const hashingMs = performance.now() - hashingStarted;
    expect(results.every((result) => result.ok && result.scheme === 'django-pbkdf2-sha256')).toBe(true);
    // The six derivations were still under way, for hundreds of milliseconds, when the digest came back.
    expect(hashingMs).toBeGreaterThan(200);
    // In libuv's pool the digest would have waited for a whole derivation, about half of that time.
    expect(webCryptoMs).toBeLessThan(hashingMs / 5);
  });
});

describe('deadline', () => {
  it('drops a queued derivation when its signal aborts, without waiting for the ones ahead of it', async () => {
    const vector = slowVector();
    const ahead = [registry.verify(vector.password ?? '', vector.hash), registry.verify(vector.password ?? '', vector.hash)];
    const controller = new AbortController();
    const queued = registry.verify(vector.password ?? '', vector.hash, undefined, controller.signal);
    const started = performance.now();
    controller.abort();
    await expect(queued).rejects.toThrow(/abort/i);
    // The slow hash takes well over 200 ms (event-loop.test.ts).
    expect(performance.now() - started).toBeLessThan(150);
    await expect(Promise.all(ahead)).resolves.toEqual([
      { scheme: 'sha512-crypt', ok: true },
      { scheme: 'sha512-crypt', ok: true },
    ]);
  });

  it('stops a running derivation when its signal aborts, and the pool keeps serving', async () => {
    const vector = slowVector();
    const controller = new AbortController();
    const running = registry.verify(vector.password ?? '', vector.hash, undefined, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    controller.abort();
    await expect(running).rejects.toThrow(/abort/i);
    // The slow hash takes well over 200 ms (event-loop.test.ts).
    expect(performance.now() - started).toBeLessThan(150);
    await expect(registry.verify('x', djangoPbkdf2('x', 1000))).resolves.toEqual({ scheme: 'django-pbkdf2-sha256', ok: true });
  });

  it('refuses at once with a signal that has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(registry.verify('x', djangoPbkdf2('x', 1000), undefined, controller.signal)).rejects.toThrow(/abort/i);
  });

  it.each([
    ['bcrypt', '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO'],
    ['argon2id', '$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk'],
  ])('reports an aborted %s derivation as aborted, not as a malformed hash', async (_scheme, hash) => {
    const controller = new AbortController();
    controller.abort();
    await expect(registry.verify('password', hash, undefined, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('a failing hash thread', () => {
  it.each([
    ['bcrypt', '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO'],
    ['argon2id', '$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk'],
  ])('is reported as what it is, not as a malformed %s hash', async (_scheme, hash) => {
    // A worker whose every task fails the way a crashed or out-of-memory thread does.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jit-broken-worker-'));
    const workerFile = path.join(dir, 'broken-worker.cjs');
    writeFileSync(workerFile, "module.exports = () => { throw new Error('hash thread failed'); };\n");
    const broken = createHashRegistry({ workerFile, maxWorkers: 1 });
    try {
      const error = await broken.verify('password', hash).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).not.toBeInstanceOf(MalformedHashError);
      expect((error as Error).message).toBe('hash thread failed');
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
