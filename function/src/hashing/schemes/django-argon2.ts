import { defineScheme } from '../scheme';
import { argon2TypeOf, verifyArgon2Phc } from './argon2';

/**
 * Django's Argon2PasswordHasher (django/contrib/auth/hashers.py) stores 'argon2' followed by
 * argon2-cffi's PHC string, e.g. `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>`
 * (argon2i before Django 3.2).
 */
const PREFIX = 'argon2';

export const djangoArgon2Scheme = defineScheme({
  id: 'django-argon2',
  identify: (hash) => hash.startsWith(`${PREFIX}$argon2`) && argon2TypeOf(hash.slice(PREFIX.length)) !== undefined,
  verify: (password, hash) => verifyArgon2Phc('django-argon2', password, hash.slice(PREFIX.length)),
});
