import path from 'node:path';
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
