/**
 * The resume checkpoint: after each batch is fully committed to the store, the number of the last source
 * record it covers, plus the lengths of the files the run appends to. A re-run with the same --checkpoint
 * skips records up to that number. The checkpoint also names its input (size and a fingerprint of the
 * first MiB), preset and store, so it is never applied to another import by mistake. It holds no hash,
 * no password and no connection string. Written atomically: a crash leaves the old or the new one.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readCheckpointText, writeFileAtomically } from '../../operations/files';
import { errorCode } from '../errors';

export interface InputIdentity {
  readonly path: string;
  readonly size: number;
  /** SHA-256 of the first MiB: a different export of the same size is still told apart. */
  readonly fingerprint: string;
}

export interface Checkpoint {
  readonly version: 1;
  readonly input: InputIdentity;
  readonly preset: string;
  /** `table:<account or endpoint>/<table>` or `file:<absolute path>`. */
  readonly target: string;
  /** Every record up to and including this one is committed (or rejected and logged). */
  readonly lastRecord: number;
  /** True once the whole export was imported. */
  readonly complete: boolean;
  readonly rejectsBytes: number;
  /** File store: committed length of the users file being written. */
  readonly usersFileBytes?: number;
  readonly updatedAt: string;
}

/** A checkpoint that belongs to another import: a usage error, fixed by the operator. */
export class CheckpointMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointMismatchError';
  }
}

const FINGERPRINT_BYTES = 1024 * 1024;

export async function inputIdentity(file: string): Promise<InputIdentity> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    return { path: path.resolve(file), size, fingerprint: createHash('sha256').update(buffer).digest('hex') };
  } finally {
    await handle.close();
  }
}

/** The checkpoint in `file`, or undefined when there is none yet; throws when it belongs to another import. */
export async function loadCheckpoint(file: string, expected: Pick<Checkpoint, 'input' | 'preset' | 'target'>): Promise<Checkpoint | undefined> {
  const text = await readCheckpointText(file);
  if (text === undefined) return undefined;
  let checkpoint: Checkpoint;
  try {
    checkpoint = JSON.parse(text) as Checkpoint;
  } catch {
    throw new CheckpointMismatchError(`the checkpoint ${file} is not valid JSON: delete it to start the import over (upserts make that safe)`);
  }
  if (checkpoint?.version !== 1 || !Number.isSafeInteger(checkpoint.lastRecord) || checkpoint.lastRecord < 0) {
    throw new CheckpointMismatchError(`the checkpoint ${file} is not one this command wrote: delete it or pass another --checkpoint path`);
  }
  const differences: string[] = [];
  if (checkpoint.input?.size !== expected.input.size || checkpoint.input?.fingerprint !== expected.input.fingerprint) differences.push('input file');
  if (checkpoint.preset !== expected.preset) differences.push('preset');
  if (checkpoint.target !== expected.target) differences.push('store');
  if (differences.length > 0) {
    throw new CheckpointMismatchError(
      `the checkpoint ${file} belongs to another import (different ${differences.join(', ')}): pass the same --input, --preset and store as the interrupted run, or delete the checkpoint to start over`,
    );
  }
  return checkpoint;
}

export async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  try {
    await writeFileAtomically(file, `${JSON.stringify(checkpoint, null, 2)}\n`);
  } catch (error) {
    throw new Error(`the checkpoint ${file} could not be saved (${errorCode(error)}): check that its folder exists and is writable`);
  }
}
