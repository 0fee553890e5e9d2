import path from 'node:path';
import bcrypt from 'bcrypt';
import { createWorkerPool, resolveWorkerFile, workerFileCandidates, WORKER_BUNDLE_NAME } from './worker-pool';

describe('worker bundle resolution', () => {
  it('tries the explicit file, then beside the bundle, then dist/function from the CLI bundle, then the repo dist', () => {
    const candidates = workerFileCandidates('/opt/custom/worker.cjs');
    expect(candidates).toEqual([
      '/opt/custom/worker.cjs',
      path.join(__dirname, WORKER_BUNDLE_NAME),
      path.join(__dirname, '..', 'function', WORKER_BUNDLE_NAME),
      path.resolve(__dirname, '..', '..', '..', 'dist', 'function', WORKER_BUNDLE_NAME),
    ]);
  });

  it('picks the first file that exists', () => {
    expect(resolveWorkerFile(['/nonexistent/a.cjs', __filename, '/nonexistent/b.cjs'])).toBe(__filename);
  });

  it('tells the operator to build when no bundle exists', () => {
    expect(() => resolveWorkerFile(['/nonexistent/a.cjs'])).toThrow(/npm run build/);
  });

  it('rejects a nonsensical worker count', () => {
    expect(() => createWorkerPool({ maxWorkers: 0 })).toThrow(RangeError);
  });
});

describe('warm-up', () => {
  it('answers a derive sent while the first hash thread is still starting, and again after', async () => {
    const pool = createWorkerPool({ maxWorkers: 1 });
    try {
      pool.warmUp();
      pool.warmUp(); // a second call changes nothing
      const setting = '$2b$04$abcdefghijklmnopqrstuu';
      const expected = bcrypt.hashSync('correct horse', setting);
      await expect(pool.derive({ kind: 'bcrypt', secret: 'correct horse', setting })).resolves.toBe(expected);
      await expect(pool.derive({ kind: 'bcrypt', secret: 'correct horse', setting })).resolves.toBe(expected);
    } finally {
      await pool.close();
    }
  });

  it('starts again after close', async () => {
    const pool = createWorkerPool({ maxWorkers: 1 });
    pool.warmUp();
    await pool.close();
    pool.warmUp();
    try {
      await expect(pool.derive({ kind: 'bcrypt', secret: 'pw', setting: '$2b$04$abcdefghijklmnopqrstuu' })).resolves.toMatch(/^\$2b\$04\$/);
    } finally {
      await pool.close();
    }
  });
});
