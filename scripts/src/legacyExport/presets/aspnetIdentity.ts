/**
 * ASP.NET Core Identity's `AspNetUsers` table exported as CSV (SSMS "Save Results As", bcp, psql \copy):
 *
 *   Id,UserName,NormalizedUserName,Email,NormalizedEmail,EmailConfirmed,PasswordHash,SecurityStamp,
 *   ConcurrencyStamp,PhoneNumber,PhoneNumberConfirmed,TwoFactorEnabled,LockoutEnd,LockoutEnabled,AccessFailedCount
 *
 * (the EF Core migration "CreateIdentitySchema"; ASP.NET Identity 2 for .NET Framework has no Normalized*
 * columns and calls the lockout column `LockoutEndDateUtc`, read as well). `PasswordHash` is the base64
 * blob of PasswordHasher: V2 (PBKDF2-SHA1) or V3 (PBKDF2 with its PRF and iteration count inside), both
 * recognized by the hash registry as they are. The sign-in name is the e-mail address, as in Entra.
 */
import { boolean, dateTime, text } from '../fields';
import type { Preset } from './preset';

export const aspnetIdentityPreset: Preset = {
  name: 'aspnet-identity',
  fields: {
    username: ['Email', 'UserName'],
    email: ['Email'],
    hash: ['PasswordHash'],
    displayName: ['DisplayName', 'FullName'],
    givenName: ['FirstName', 'GivenName'],
    surname: ['LastName', 'Surname'],
    lockoutEnd: ['LockoutEnd', 'LockoutEndDateUtc'],
    lockoutEnabled: ['LockoutEnabled'],
  },
  formats: ['csv', 'json-lines'],
  usernameHint: 'the aspnet-identity preset signs users in by Email, falling back to UserName',
  requiredFields: ['username', 'hash'],
  convert(read, { now }) {
    const hash = text(read('hash'), 'PasswordHash');
    const lockoutEnd = dateTime(read('lockoutEnd'), 'LockoutEnd');
    // UserManager.IsLockedOutAsync: locked only while lockout is enabled for the user and LockoutEnd is
    // still ahead. Apps "disable" users by setting LockoutEnd = DateTimeOffset.MaxValue.
    const lockoutEnabled = boolean(read('lockoutEnabled'), 'LockoutEnabled') ?? true;
    const locked = lockoutEnabled && lockoutEnd !== undefined && lockoutEnd.getTime() > now.getTime();
    const givenName = text(read('givenName'), 'FirstName');
    const surname = text(read('surname'), 'LastName');
    return {
      ok: true,
      user: {
        username: text(read('username'), 'Email'),
        email: text(read('email'), 'Email'),
        displayName: text(read('displayName'), 'DisplayName'),
        givenName,
        surname,
        hash,
        noHashReason: hash
          ? undefined
          : 'missing hash: PasswordHash is empty, so the account signs in only with an external login (AspNetUserLogins) or never set a password; it cannot be migrated by password, the user needs a password reset in Entra',
        status: locked ? 'locked' : 'active',
        mustChangePassword: false,
      },
    };
  },
};
