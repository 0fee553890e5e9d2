import { allVectors, type HashVector } from '../../test/vectors';
import { runDeriveTask } from './derive/run';
import { isRejectedInputs, type DeriveTask } from './derive/tasks';
import { createHashRegistry, createSchemes, type HashRegistry } from './registry';
import { MalformedHashError, UnrecognizedHashError } from './types';
import type { OffThread } from './worker-pool';

const vectors = allVectors();
const label = (vector: HashVector, index: number) => `${vector.scheme} #${index} (${vector.source})`;
const cases = vectors.map((vector, index) => [label(vector, index), vector] as const);

/** Runs the worker derivations in-process, so the sources (not only the built bundle) are checked. */
const inProcess: OffThread = { derive: async (task) => runDeriveTask(task) };
const inProcessSchemes = createSchemes(inProcess);

let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe('identification', () => {
  it.each(cases)('%s is recognized by exactly its own scheme', (_name, vector) => {
    const claimants = inProcessSchemes.filter((scheme) => scheme.identify(vector.hash, vector.params)).map((scheme) => scheme.id);
    expect(claimants).toEqual([vector.scheme]);
    expect(registry.identify(vector.hash, vector.params)?.id).toBe(vector.scheme);
  });

  it('has a correct-password and a wrong-password vector for every registered scheme', () => {
    for (const id of registry.schemes) {
      const own = vectors.filter((vector) => vector.scheme === id);
      expect({ id, correct: own.some((v) => v.password !== undefined) }).toEqual({ id, correct: true });
      expect({ id, wrong: own.some((v) => v.wrong !== undefined) }).toEqual({ id, wrong: true });
    }
  });

  it('lists every scheme once', () => {
    expect(new Set(registry.schemes).size).toBe(registry.schemes.length);
    expect(registry.schemes).toEqual(inProcessSchemes.map((scheme) => scheme.id));
  });
});

describe('verification through the registry (worker bundle)', () => {
  it.each(cases)('%s', async (_name, vector) => {
    if (vector.password !== undefined) {
      await expect(registry.verify(vector.password, vector.hash, vector.params)).resolves.toEqual({ scheme: vector.scheme, ok: true });
    }
    if (vector.wrong !== undefined) {
      await expect(registry.verify(vector.wrong, vector.hash, vector.params)).resolves.toEqual({ scheme: vector.scheme, ok: false });
    }
  });
});

describe('worker derivations run in-process (checks the sources, not the bundle)', () => {
  const workerSchemes = new Set(['sha256-crypt', 'sha512-crypt', 'md5-crypt', 'apr1', 'des-crypt', 'phpass', 'drupal7', 'drupal7-upgraded-md5', 'ldap-crypt']);
  const workerCases = cases.filter(([, vector]) => workerSchemes.has(vector.scheme));

  it.each(workerCases)('%s', async (_name, vector) => {
    const scheme = inProcessSchemes.find((candidate) => candidate.id === vector.scheme);
    if (!scheme) throw new Error(`no scheme ${vector.scheme}`);
    if (vector.password !== undefined) await expect(scheme.verify(vector.password, vector.hash, vector.params)).resolves.toBe(true);
    if (vector.wrong !== undefined) await expect(scheme.verify(vector.wrong, vector.hash, vector.params)).resolves.toBe(false);
  });
});

describe('errors', () => {
  const notHashes = [
    '',
    'password',
    'plain text with spaces',
    '$9$unknown$scheme',
    '$2b$10$tooShort',
    '{UNKNOWN}abcd',
    '{SSHA}not base64!',
    '{SHA}AAAA', // base64, but not 20 bytes
    'pbkdf2_sha512$1000$salt$AAAA',
    'AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggE=', // ASP.NET V2 too short (aspnetcore FailureCases)
    'AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJgAAAAAAAAAAAAA=', // V2 with extra data
    'AQAAAAIAAAAyAAAAEOMwvh3+FZxqkdMBz2ekgGhwQ4A=', // V3 too short
    'x'.repeat(5000),
  ];

  it.each(notHashes.map((hash) => [hash.slice(0, 40), hash]))('rejects %j as unrecognized without echoing it', async (_name, hash) => {
    expect(registry.identify(hash)).toBeUndefined();
    const error = await registry.verify('secret-password', hash).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnrecognizedHashError);
    expect((error as Error).message).not.toContain('secret-password');
    if (hash.length > 3) expect((error as Error).message).not.toContain(hash);
  });

  it('treats a non-string hash as unrecognized', async () => {
    await expect(registry.verify('pw', undefined as unknown as string)).rejects.toBeInstanceOf(UnrecognizedHashError);
  });

  it('rejects a non-string password', async () => {
    await expect(registry.verify(undefined as unknown as string, '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=')).rejects.toBeInstanceOf(TypeError);
  });

  it('does not verify through a scheme other than the one params.algorithm names', async () => {
    const sha = '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=';
    expect(registry.identify(sha, { algorithm: 'ldap-sha' })?.id).toBe('ldap-sha');
    expect(registry.identify(sha, { algorithm: 'firebase-scrypt' })).toBeUndefined();
    await expect(registry.verify('password', sha, { algorithm: 'bcrypt' })).rejects.toBeInstanceOf(UnrecognizedHashError);
  });

  it('does not take a Firebase hash without its params for anything', () => {
    expect(registry.identify('lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==')).toBeUndefined();
  });

  it('answers false, without hashing, for passwords over 4096 bytes', async () => {
    const started = performance.now();
    await expect(registry.verify('é'.repeat(2049), '$6$rounds=9000000$salt$' + 'a'.repeat(86))).resolves.toEqual({
      scheme: 'sha512-crypt',
      ok: false,
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('throws MalformedHashError when a scheme is asked to verify a hash it does not recognize', async () => {
    const bcrypt = inProcessSchemes.find((scheme) => scheme.id === 'bcrypt');
    await expect(bcrypt?.verify('pw', '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=')).rejects.toBeInstanceOf(MalformedHashError);
  });
});

describe('lifecycle', () => {
  it('close() is safe twice and the registry starts a new pool afterwards', async () => {
    const own = createHashRegistry();
    await expect(own.verify('hashcat', '$1$28772684$iEwNOgGugqO9.bIz5sk8k/')).resolves.toEqual({ scheme: 'md5-crypt', ok: true });
    await own.close();
    await own.close();
    await expect(own.verify('hashcat', '$1$28772684$iEwNOgGugqO9.bIz5sk8k/')).resolves.toEqual({ scheme: 'md5-crypt', ok: true });
    await own.close();
  });

  it('close() before any use does nothing', async () => {
    const own = createHashRegistry();
    await own.close();
  });
});

describe('argon2 parameter order', () => {
  // node-argon2 (the reference C implementation's Node binding) writes `m=…,p=…,t=…`, not `m=…,t=…,p=…`.
  it('verifies a hash written by the argon2 npm package', async () => {
    const argon2 = await import('argon2');
    const hash = await argon2.hash('Ünïcode-pässword', { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 2 });
    expect(hash).toMatch(/\$m=4096,p=2,t=2\$/);
    const registry = createHashRegistry();
    try {
      expect(await registry.verify('Ünïcode-pässword', hash)).toEqual({ scheme: 'argon2id', ok: true });
      expect(await registry.verify('Unicode-password', hash)).toEqual({ scheme: 'argon2id', ok: false });
    } finally {
      await registry.close();
    }
  });

  it('refuses a parameter list that repeats or omits a cost', () => {
    const registry = createHashRegistry();
    expect(registry.identify('$argon2id$v=19$m=4096,m=4096,t=2$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0')).toBeUndefined();
    expect(registry.identify('$argon2id$v=19$m=4096,t=2,x=1$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0')).toBeUndefined();
  });
});

describe('a derivation that refuses its inputs', () => {
  /** Runs each task in-process after `corrupt` changes it into inputs the real library refuses. */
  const corrupting = (corrupt: (task: DeriveTask) => DeriveTask): OffThread => ({ derive: async (task) => runDeriveTask(corrupt(task)) as never });

  it('throws one fixed error that does not carry the library\'s own text', () => {
    const refused = (() => {
      try {
        runDeriveTask({ kind: 'bcrypt', secret: 'pw', setting: '$2b$04$not-a-salt' });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(RangeError);
    expect(isRejectedInputs(refused)).toBe(true);
    expect((refused as Error).message).not.toMatch(/invalid salt/i);
    expect(isRejectedInputs(new Error('hash thread failed'))).toBe(false);
  });

  it.each([
    ['bcrypt', '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO', /bcrypt salt or cost is invalid/],
    ['argon2id', '$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk', /Argon2 parameters were rejected/],
  ])('makes %s report a malformed hash', async (id, hash, message) => {
    const schemes = createSchemes(
      corrupting((task) => (task.kind === 'bcrypt' ? { ...task, setting: '$2b$04$x' } : task.kind === 'argon2' ? { ...task, salt: new Uint8Array(1) } : task)),
    );
    const scheme = schemes.find((candidate) => candidate.id === id)!;
    await expect(scheme.verify('password', hash)).rejects.toThrow(MalformedHashError);
    await expect(scheme.verify('password', hash)).rejects.toThrow(message);
  });
});
