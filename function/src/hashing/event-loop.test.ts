import { slowVector } from '../../test/vectors';
import { createHashRegistry, type HashRegistry } from './registry';

/**
 * Hashing must not block the event loop: while a sha512crypt hash with 500000
 * rounds (well over 200 ms of CPU) is verified on a hash thread, a 5 ms timer on the main
 * thread must keep firing on time.
 */
let registry: HashRegistry;
beforeAll(async () => {
  registry = createHashRegistry({ maxWorkers: 1 });
  // Start the worker thread first: spawning it is not what this test measures.
  await registry.verify('hashcat', '$1$28772684$iEwNOgGugqO9.bIz5sk8k/');
});
afterAll(() => registry.close());

it('verifies a slow pure-JS hash without blocking the event loop', async () => {
  const vector = slowVector();
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);

  const started = performance.now();
  const result = await registry.verify(vector.password ?? '', vector.hash);
  const elapsed = performance.now() - started;
  clearInterval(timer);

  expect(result).toEqual({ scheme: 'sha512-crypt', ok: true });
  expect(elapsed).toBeGreaterThan(200);
  expect(maxGap).toBeLessThan(50);
});
