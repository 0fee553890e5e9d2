/** Sample legacy users for integration tests, hashed by the hashing libraries themselves (not our code). */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';
import type { LegacyUserRecord } from '../../src/legacy/port';

export const STRONG = 'Correct-Horse-9';
/** Right for its user, but only two character classes: Entra's policy wants three. */
export const WEAK = 'tr0ub4dor';

export interface SampleUser {
  readonly record: LegacyUserRecord;
  readonly password: string;
}

export async function sampleUsers(): Promise<SampleUser[]> {
  const bcryptStrong = await bcrypt.hash(STRONG, 4);
  const argonStrong = await argon2.hash(STRONG, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2 });
  const bcryptWeak = await bcrypt.hash(WEAK, 4);
  const base = { status: 'active' as const, mustChangePassword: false, migrated: false };
  return [
    { password: STRONG, record: { ...base, username: 'alice@contoso.com', hash: bcryptStrong } },
    { password: STRONG, record: { ...base, username: 'bob@contoso.com', hash: argonStrong } },
    { password: WEAK, record: { ...base, username: 'weak@contoso.com', hash: bcryptWeak } },
    { password: STRONG, record: { ...base, username: 'disabled@contoso.com', hash: bcryptStrong, status: 'disabled' } },
    { password: STRONG, record: { ...base, username: 'locked@contoso.com', hash: bcryptStrong, status: 'locked' } },
    { password: STRONG, record: { ...base, username: 'mustchange@contoso.com', hash: bcryptStrong, mustChangePassword: true } },
    { password: STRONG, record: { ...base, username: 'migrated@contoso.com', hash: bcryptStrong, migrated: true } },
    { password: STRONG, record: { ...base, username: 'mallory@contoso.com', hash: bcryptStrong } },
  ];
}

export async function writeUsersFile(users: readonly SampleUser[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-users-'));
  const file = path.join(dir, 'users.jsonl');
  // The file holds the profile's fields flat, next to the others (fileRepository.ts).
  const line = ({ record: { profile, ...rest } }: SampleUser): string => JSON.stringify({ ...rest, ...profile });
  await fs.writeFile(file, users.map(line).join('\n') + '\n');
  return file;
}
