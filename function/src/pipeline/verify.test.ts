import { slowVector } from '../../test/vectors';
import { createHashRegistry, type HashRegistry } from '../hashing/registry';
import type { LegacyUserRecord, LegacyUserRepository } from '../legacy/port';
import { Deadline } from './deadline';
import { HashStoreChecker } from './verify';

/** A hash-store check hands the callout's deadline to the hash threads, so an abandoned verification stops. */
const slow = slowVector();

class OneUser implements LegacyUserRepository {
  readonly kind = 'file' as const;
  constructor(private readonly record: LegacyUserRecord) {}
  async findByUsername(username: string): Promise<LegacyUserRecord | undefined> {
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
