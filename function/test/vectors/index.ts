import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HashParams } from '../../src/hashing/types';

/** One test vector: `password` must verify against `hash`, `wrong` must not. */
export interface HashVector {
  readonly scheme: string;
  readonly hash: string;
  readonly params?: HashParams;
  readonly password?: string;
  readonly wrong?: string;
  readonly source: string;
}

function readJsonLines(file: string): HashVector[] {
  return readFileSync(path.join(__dirname, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HashVector);
}

/** Vectors made on Debian by independent tools (generate.sh). */
export function generatedVectors(): HashVector[] {
  return readJsonLines('generated.jsonl');
}

/** Vectors copied from published sources (published.json cites each). */
export function publishedVectors(): HashVector[] {
  const file = JSON.parse(readFileSync(path.join(__dirname, 'published.json'), 'utf8')) as { vectors: HashVector[] };
  return file.vectors;
}

export function allVectors(): HashVector[] {
  return [...generatedVectors(), ...publishedVectors()];
}

/** sha512crypt with 500000 rounds (generate.sh), for the event-loop test. */
export function slowVector(): HashVector {
  const [vector] = readJsonLines('event-loop.jsonl');
  if (!vector) throw new Error('event-loop.jsonl is empty');
  return vector;
}
