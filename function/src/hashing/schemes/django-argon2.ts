import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import type { OffThread } from '../worker-pool';
import { argon2TypeOf, verifyArgon2Phc } from './argon2';

/**
 * Django's Argon2PasswordHasher (django/contrib/auth/hashers.py) stores 'argon2' followed by
 * argon2-cffi's PHC string, e.g. `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>`
 * (argon2i before Django 3.2).
 */
const PREFIX = 'argon2';

export const createDjangoArgon2Scheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: 'django-argon2',
    identify: (hash) => hash.startsWith(`${PREFIX}$argon2`) && argon2TypeOf(hash.slice(PREFIX.length)) !== undefined,
    verify: (password, hash, _params, signal) => verifyArgon2Phc('django-argon2', offThread, password, hash.slice(PREFIX.length), signal),
  });
