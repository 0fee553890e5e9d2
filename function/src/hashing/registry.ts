import { createArgon2Schemes } from './schemes/argon2';
import { createAspNetIdentitySchemes } from './schemes/aspnet-identity';
import { createBcryptScheme } from './schemes/bcrypt';
import { createDesCryptScheme } from './schemes/des-crypt';
import { createDjangoArgon2Scheme } from './schemes/django-argon2';
import { createDjangoBcryptScheme, createDjangoBcryptSha256Scheme } from './schemes/django-bcrypt';
import { createDjangoPbkdf2Schemes } from './schemes/django-pbkdf2';
import { createDrupal7Scheme, createDrupal7UpgradedMd5Scheme } from './schemes/drupal7';
import { createFirebaseScryptScheme } from './schemes/firebase-scrypt';
import { createLdapCryptScheme, ldapDigestSchemes } from './schemes/ldap';
import { createApr1Scheme, createMd5CryptScheme } from './schemes/md5-crypt';
import { createPasslibPbkdf2Schemes } from './schemes/passlib-pbkdf2';
import { createPhpassScheme } from './schemes/phpass';
import { createScryptScheme } from './schemes/scrypt';
import { createSha256CryptScheme, createSha512CryptScheme } from './schemes/sha-crypt';
import { createWordpressBcryptScheme } from './schemes/wordpress-bcrypt';
import type { HashParams, HashScheme, HashVerification } from './types';
import { UnrecognizedHashError } from './types';
import { createWorkerPool, type OffThread } from './worker-pool';

export interface HashRegistry {
  /** The scheme that recognizes this hash (and params), or undefined. No hashing. */
  identify(hash: string, params?: HashParams): HashScheme | undefined;
  /**
   * Verifies; throws UnrecognizedHashError / MalformedHashError (messages never include the hash or password).
   * An aborted `signal` (the callout's deadline) abandons the derivation and rejects.
   */
  verify(password: string, hash: string, params?: HashParams, signal?: AbortSignal): Promise<HashVerification>;
  /** Ids of all registered schemes. */
  readonly schemes: readonly string[];
  /** Starts the first hash thread in the background (the function's start-up); a verify before it is up waits for it. */
  warmUp(): void;
  /** Stops the worker pool (for tests, CLI exit). Safe to call twice. */
  close(): Promise<void>;
}

export interface HashRegistryOptions {
  /** Path of the bundled worker (hash-worker.cjs); by default found beside the bundle or in dist/. */
  readonly workerFile?: string;
  /** Upper bound on hash threads (default: available cores, at most 8). */
  readonly maxWorkers?: number;
}

/** Every scheme, in no particular order: formats are disjoint (see registry.test.ts), so order never decides. */
export function createSchemes(offThread: OffThread): HashScheme[] {
  const cryptSchemes = [
    createMd5CryptScheme(offThread),
    createSha256CryptScheme(offThread),
    createSha512CryptScheme(offThread),
    createDesCryptScheme(offThread),
    createBcryptScheme(offThread),
  ];
  return [
    ...cryptSchemes,
    createWordpressBcryptScheme(offThread),
    ...createArgon2Schemes(offThread),
    createScryptScheme(offThread),
    createFirebaseScryptScheme(offThread),
    ...createDjangoPbkdf2Schemes(offThread),
    createDjangoArgon2Scheme(offThread),
    createDjangoBcryptSha256Scheme(offThread),
    createDjangoBcryptScheme(offThread),
    ...createPasslibPbkdf2Schemes(offThread),
    ...createAspNetIdentitySchemes(offThread),
    createApr1Scheme(offThread),
    createPhpassScheme(offThread),
    createDrupal7Scheme(offThread),
    createDrupal7UpgradedMd5Scheme(offThread),
    ...ldapDigestSchemes,
    createLdapCryptScheme(cryptSchemes),
  ];
}

export function createHashRegistry(options: HashRegistryOptions = {}): HashRegistry {
  const pool = createWorkerPool(options);
  const schemes = createSchemes(pool);

  const identify = (hash: string, params?: HashParams): HashScheme | undefined =>
    typeof hash === 'string' ? schemes.find((scheme) => scheme.identify(hash, params)) : undefined;

  return {
    identify,
    async verify(password, hash, params, signal) {
      const scheme = identify(hash, params);
      if (!scheme) throw new UnrecognizedHashError();
      const ok = await scheme.verify(password, hash, params, signal);
      return { scheme: scheme.id, ok };
    },
    schemes: Object.freeze(schemes.map((scheme) => scheme.id)),
    warmUp: () => pool.warmUp(),
    close: () => pool.close(),
  };
}
