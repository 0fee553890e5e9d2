import { slowVector } from '../../test/vectors';
import { createHashRegistry, type HashRegistry } from '../hashing/registry';
import type { LegacyCredentialResult, LegacyCredentialService, LegacyLookupResult, LegacyUserRecord, LegacyUserRepository } from '../legacy/port';
import { MemoryStateStore } from '../state/memoryStateStore';
import type { MigrationMarks } from '../state/port';
import { Deadline } from './deadline';
import { HashStoreChecker, WebServiceChecker } from './verify';

/** A hash-store check hands the callout's deadline to the hash threads, so an abandoned verification stops. */
const slow = slowVector();

class OneUser implements LegacyUserRepository {
  readonly kind = 'file' as const;
  readonly signals: (AbortSignal | undefined)[] = [];
  constructor(private readonly record: LegacyUserRecord) {}
  async findByUsername(username: string, signal?: AbortSignal): Promise<LegacyUserRecord | undefined> {
    this.signals.push(signal);
    return username === this.record.username ? this.record : undefined;
  }
  async markMigrated(): Promise<void> {}
  async markSuperseded(): Promise<void> {}
}

let registry: HashRegistry;
let checker: HashStoreChecker;
/** How long the slow hash takes here, measured rather than assumed (CI machines differ). */
let fullMs = 0;
beforeAll(async () => {
  registry = createHashRegistry({ maxWorkers: 1 });
  const record: LegacyUserRecord = { username: 'slow@contoso.com', hash: slow.hash, status: 'active', mustChangePassword: false, migrated: false };
  // The decoy for unknown users is the same slow hash: both paths must stop at the deadline.
  checker = new HashStoreChecker(new OneUser(record), registry, slow.hash);
  await registry.verify('hashcat', '$1$28772684$iEwNOgGugqO9.bIz5sk8k/'); // start the thread
  const started = performance.now();
  await registry.verify(slow.password ?? '', slow.hash);
  fullMs = performance.now() - started;
});
afterAll(() => registry.close());

it.each([
  ['a known user', 'slow@contoso.com'],
  ['an unknown user (decoy)', 'nobody@contoso.com'],
])('stops verifying %s when the deadline passes', async (_case, username) => {
  const deadline = new Deadline(100);
  const started = performance.now();
  try {
    await expect(checker.check(username, slow.password ?? '', deadline.signal)).rejects.toMatchObject({ name: 'AbortError' });
  } finally {
    deadline.dispose();
  }
  const elapsed = performance.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(95);
  // The hash alone takes well over 200 ms (event-loop.test.ts); the thread was stopped instead of finishing it.
  expect(fullMs).toBeGreaterThan(200);
  expect(elapsed).toBeLessThan(100 + (fullMs - 100) / 2);
  // The one hash thread is free again for the next request.
  await expect(registry.verify('hashcat', '$1$28772684$iEwNOgGugqO9.bIz5sk8k/')).resolves.toEqual({ scheme: 'md5-crypt', ok: true });
});

it('verifies as usual within the budget', async () => {
  const deadline = new Deadline(10_000);
  try {
    await expect(checker.check('slow@contoso.com', slow.password ?? '', deadline.signal)).resolves.toMatchObject({
      facts: { kind: 'checked', passwordValid: true },
      scheme: 'sha512-crypt',
    });
  } finally {
    deadline.dispose();
  }
});

describe('profile and look-up', () => {
  const MD5 = { password: 'hashcat', hash: '$1$28772684$iEwNOgGugqO9.bIz5sk8k/' };
  const profile = { email: 'ada@contoso.com', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' };
  const ada: LegacyUserRecord = { username: 'ada', hash: MD5.hash, status: 'locked', mustChangePassword: false, migrated: false, profile };
  const signal = new AbortController().signal;

  it('hands on the profile of the record with the check', async () => {
    const hashes = new HashStoreChecker(new OneUser(ada), registry, MD5.hash);
    expect(await hashes.check('ada', MD5.password, signal)).toMatchObject({ facts: { kind: 'checked', passwordValid: true }, profile });
    expect(await new HashStoreChecker(new OneUser({ ...ada, profile: undefined }), registry, MD5.hash).check('ada', MD5.password, signal)).not.toHaveProperty('profile');
    expect(await hashes.check('nobody', MD5.password, signal)).not.toHaveProperty('profile');
  });

  it('HashStoreChecker.lookup reads the record: status, migrated and profile, or not found', async () => {
    const repository = new OneUser(ada);
    const hashes = new HashStoreChecker(repository, registry, MD5.hash);
    expect(await hashes.lookup('ada', signal)).toEqual({ found: true, status: 'locked', migrated: false, profile });
    expect(await hashes.lookup('nobody', signal)).toEqual({ found: false });
    expect(repository.signals).toEqual([signal, signal]);
    const migrated = new HashStoreChecker(new OneUser({ ...ada, migrated: true, migratedAt: '2025-01-01T00:00:00.000Z', profile: undefined }), registry, MD5.hash);
    expect(await migrated.lookup('ada', signal)).toEqual({ found: true, status: 'locked', migrated: true });
  });

  /** A web service that knows `ada` only; `lookupUser` only when asked for. */
  function service(withLookup: boolean): LegacyCredentialService & { lookups: string[] } {
    const lookups: string[] = [];
    const checkCredentials = async (username: string, password: string): Promise<LegacyCredentialResult> =>
      username === 'ada' ? { outcome: password === MD5.password ? 'valid' : 'invalid', status: 'active', mustChangePassword: false, profile } : { outcome: 'unknown', status: 'active', mustChangePassword: false };
    const lookupUser = async (username: string): Promise<LegacyLookupResult> => {
      lookups.push(username);
      return username === 'ada' ? { found: true, status: 'disabled', profile } : { found: false };
    };
    return { kind: 'http', lookups, checkCredentials, ...(withLookup ? { lookupUser } : {}) };
  }

  it('WebServiceChecker hands on the profile the service sent with the check', async () => {
    const web = new WebServiceChecker(service(false), new MemoryStateStore({ lockoutWindowMs: 60_000 }).migrations);
    expect(await web.check('ada', MD5.password, signal)).toMatchObject({ facts: { kind: 'checked', passwordValid: true }, profile });
  });

  it('WebServiceChecker.lookup asks the service and takes migrated from the shared marks', async () => {
    const marks = new MemoryStateStore({ lockoutWindowMs: 60_000 }).migrations;
    const legacy = service(true);
    const web = new WebServiceChecker(legacy, marks);
    expect(await web.lookup!('ada', signal)).toEqual({ found: true, status: 'disabled', migrated: false, profile });
    await web.markMigrated('ada', new Date());
    expect(await web.lookup!('ada', signal)).toEqual({ found: true, status: 'disabled', migrated: true, profile });
    expect(await web.lookup!('nobody', signal)).toEqual({ found: false });
    expect(legacy.lookups).toEqual(['ada', 'ada', 'nobody']);
  });

  it('WebServiceChecker has no lookup when the service has no look-up endpoint', () => {
    const web = new WebServiceChecker(service(false), new MemoryStateStore({ lockoutWindowMs: 60_000 }).migrations);
    expect(web.lookup).toBeUndefined();
  });

  it('WebServiceChecker.lookup rejects when the service or the marks cannot answer', async () => {
    const marks = new MemoryStateStore({ lockoutWindowMs: 60_000 }).migrations;
    const failing: LegacyCredentialService = { ...service(true), lookupUser: () => Promise.reject(new Error('down')) };
    await expect(new WebServiceChecker(failing, marks).lookup!('ada', signal)).rejects.toThrow('down');
    const brokenMarks: MigrationMarks = {
      markMigrated: async () => {},
      isMigrated: () => Promise.reject(new Error('state store down')),
      markSuperseded: async () => {},
      isSuperseded: async () => false,
    };
    await expect(new WebServiceChecker(service(true), brokenMarks).lookup!('ada', signal)).rejects.toThrow('state store down');
  });
});
