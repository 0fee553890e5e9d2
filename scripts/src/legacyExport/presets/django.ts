/**
 * Django's `auth_user` table exported as CSV (psql `\copy auth_user TO 'users.csv' CSV HEADER`, MySQL, or
 * `dumpdata` flattened to JSON lines):
 *
 *   id,password,last_login,is_superuser,username,first_name,last_name,email,is_staff,is_active,date_joined
 *
 * `password` is Django's `<algorithm>$<fields…>` string (django/contrib/auth/hashers.py): pbkdf2_sha256,
 * pbkdf2_sha1, argon2, bcrypt_sha256 and bcrypt are recognized by the hash registry as they are. A value
 * starting with `!` (UNUSABLE_PASSWORD_PREFIX, from set_unusable_password) or empty means "no password".
 * The sign-in name is the e-mail address when there is one (Entra signs in by e-mail), else `username`.
 */
import { boolean, joinName, text } from '../fields';
import type { Preset } from './preset';

export const djangoPreset: Preset = {
  name: 'django',
  fields: {
    username: ['email', 'username'],
    email: ['email'],
    hash: ['password'],
    givenName: ['first_name'],
    surname: ['last_name'],
    isActive: ['is_active'],
  },
  formats: ['csv', 'json-lines'],
  usernameHint: 'the django preset signs users in by email, falling back to username',
  requiredFields: ['username', 'hash'],
  convert(read) {
    const password = text(read('hash'), 'password');
    const unusable = password === undefined || password.startsWith('!');
    const givenName = text(read('givenName'), 'first_name');
    const surname = text(read('surname'), 'last_name');
    return {
      ok: true,
      user: {
        username: text(read('username'), 'email'),
        email: text(read('email'), 'email'),
        displayName: joinName(givenName, surname),
        givenName,
        surname,
        hash: unusable ? undefined : password,
        noHashReason: unusable
          ? 'unusable password: Django marks this account as having no password (empty, or "!" from set_unusable_password, typical for social-login users); it cannot be migrated by password, the user needs a password reset in Entra'
          : undefined,
        // is_active = False is Django's way to disable an account (ModelBackend refuses the sign-in).
        status: boolean(read('isActive'), 'is_active') === false ? 'disabled' : 'active',
        mustChangePassword: false,
      },
    };
  },
};
