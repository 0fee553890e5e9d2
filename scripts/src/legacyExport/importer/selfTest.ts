/**
 * The hash self-test: known test accounts (`{"username","password"}` per line) are verified against the
 * hashes as they were stored, with the same registry the function uses at sign-in. A wrong preset, a
 * mangled export or a missing Firebase parameter shows up here, before any real user fails to sign in.
 * Passwords are never printed, logged or kept beyond the check.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { HashRegistry } from '../../../../function/src/hashing';
import type { HashParams } from '../../../../function/src/hashing';
import { MalformedHashError, UnrecognizedHashError } from '../../../../function/src/hashing';
import { isValidUsername, normalizeUsername } from '../../../../function/src/legacy';
import { errorCode } from '../errors';
import { runLimited } from './concurrency';

export interface SelfTestAccount {
  readonly username: string;
  readonly password: string;
}

export interface StoredHash {
  readonly hash: string;
  readonly params?: HashParams;
}

export interface SelfTestResult {
  readonly username: string;
  readonly ok: boolean;
  readonly scheme?: string;
  /** Why it failed, and what to check. */
  readonly problem?: string;
}

/** A self-test file that cannot be used: a usage error. */
export class SelfTestFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelfTestFileError';
  }
}

const MAX_ACCOUNTS = 1000;

export async function loadSelfTestAccounts(file: string): Promise<SelfTestAccount[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new SelfTestFileError(`the self-test file ${file} could not be read (${errorCode(error)}): check the --self-test path`);
  }
  const accounts: SelfTestAccount[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SelfTestFileError(`the self-test file ${file}, line ${index + 1}, is not valid JSON: write one {"username":"…","password":"…"} per line`);
    }
    const { username, password } = (value ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string' || !isValidUsername(normalizeUsername(username))) {
      throw new SelfTestFileError(`the self-test file ${file}, line ${index + 1}, needs a "username" and a "password" string`);
    }
    accounts.push({ username: normalizeUsername(username), password });
  });
  if (accounts.length === 0) throw new SelfTestFileError(`the self-test file ${file} has no accounts: add {"username":"…","password":"…"} lines for a few known test users`);
  if (accounts.length > MAX_ACCOUNTS) throw new SelfTestFileError(`the self-test file ${file} has ${accounts.length} accounts; use at most ${MAX_ACCOUNTS} (a sample per hash scheme is enough)`);
  return accounts;
}

/**
 * Verifies each account. `lookup` reads the stored hash (the store after an import, the parsed export in
 * a dry run); `rejected` says why the import refused the user, when it did.
 */
export async function runSelfTest(
  accounts: readonly SelfTestAccount[],
  registry: Pick<HashRegistry, 'verify'>,
  lookup: (username: string) => Promise<StoredHash | undefined>,
  rejected: (username: string) => string | undefined,
): Promise<SelfTestResult[]> {
  const results: SelfTestResult[] = new Array(accounts.length);
  await runLimited(accounts, Math.max(2, os.availableParallelism()), async (account, index) => {
    results[index] = await check(account, registry, lookup, rejected);
  });
  return results;
}

async function check(
  account: SelfTestAccount,
  registry: Pick<HashRegistry, 'verify'>,
  lookup: (username: string) => Promise<StoredHash | undefined>,
  rejected: (username: string) => string | undefined,
): Promise<SelfTestResult> {
  const { username } = account;
  let stored: StoredHash | undefined;
  try {
    stored = await lookup(username);
  } catch (error) {
    return { username, ok: false, problem: `could not read the store: ${error instanceof Error ? error.message : 'unknown error'}` };
  }
  if (!stored) {
    const reason = rejected(username);
    return { username, ok: false, problem: reason ? `not imported (${reason})` : 'not in the store: the export has no user with this username (after normalization)' };
  }
  try {
    const result = await registry.verify(account.password, stored.hash, stored.params);
    return result.ok
      ? { username, ok: true, scheme: result.scheme }
      : { username, ok: false, scheme: result.scheme, problem: `the password does not match the stored ${result.scheme} hash: check the test password, the preset and (Firebase) the hash parameters` };
  } catch (error) {
    if (error instanceof UnrecognizedHashError) return { username, ok: false, problem: 'the stored hash is in no recognized format' };
    if (error instanceof MalformedHashError) return { username, ok: false, scheme: error.scheme, problem: `the stored ${error.scheme} hash is malformed: ${error.message}` };
    throw error;
  }
}
