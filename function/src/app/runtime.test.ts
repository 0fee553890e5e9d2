import { createHashRegistry, type HashRegistry } from '../hashing/registry';
import { DEFAULT_TIMING_DECOY_HASH } from './runtime';

let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe('the default timing decoy', () => {
  it('is the bcrypt cost-10 hash the README documents, so an unknown user costs a bcrypt-10 verification', async () => {
    expect(DEFAULT_TIMING_DECOY_HASH).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{53}$/);
    expect(registry.identify(DEFAULT_TIMING_DECOY_HASH)?.id).toBe('bcrypt');
    // It really is derived, not refused as malformed: the verification runs to a (failed) comparison.
    await expect(registry.verify('any password', DEFAULT_TIMING_DECOY_HASH)).resolves.toEqual({ scheme: 'bcrypt', ok: false });
  });
});
