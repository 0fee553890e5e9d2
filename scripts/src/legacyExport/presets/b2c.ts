/**
 * Azure AD B2C, as `jitmigrate export-b2c` writes it (JSON lines, schema jitmigrate.b2c-user/1,
 * docs/export-b2c.md): one user a line, already classified.
 *
 *   {"b2cObjectId":"5f0c…","classification":"email","username":"ada@example.com","email":"ada@example.com",
 *    "displayName":"Ada Lovelace","givenName":"Ada","surname":"Lovelace","mobilePhone":"+44 7700900123",
 *    "accountEnabled":true,"status":"active",…}
 *
 * `classification: "username"` lines exist only when the export was run with --allow-usernames, so they become
 * a username identity; every other line an email identity. No password hash: B2C exports none, and each
 * password is verified against B2C at the first External ID sign-in (LegacyStore=b2c). So this preset is for
 * provision-users; import-legacy refuses its users for want of a hash, with that reason.
 */
import { EXTERNAL_ID_USERNAME } from '../../b2cExport/classify';
import { boolean, FieldError, status, text } from '../fields';
import type { Preset } from './preset';
import { GUID } from '../../../../lib/ids/guid';

export const b2cPreset: Preset = {
  name: 'b2c',
  fields: {
    b2cObjectId: ['b2cObjectId'],
    classification: ['classification'],
    username: ['username'],
    email: ['email'],
    displayName: ['displayName'],
    givenName: ['givenName'],
    surname: ['surname'],
    mobilePhone: ['mobilePhone'],
    accountEnabled: ['accountEnabled'],
    status: ['status'],
  },
  formats: ['json-lines'],
  usernameHint: 'export-b2c writes the sign-in name as "username"; re-run export-b2c rather than editing its lines',
  requiredFields: ['b2cObjectId', 'classification', 'username'],
  convert(read) {
    const objectId = text(read('b2cObjectId'), 'b2cObjectId');
    if (objectId === undefined || !GUID.test(objectId)) throw new FieldError("b2cObjectId must be the B2C user's object id (a GUID), as export-b2c writes it");
    const classification = text(read('classification'), 'classification');
    if (classification !== 'email' && classification !== 'username') throw new FieldError(`classification must be email or username (export-b2c's values), got "${classification ?? ''}"`);
    const username = text(read('username'), 'username');
    if (classification === 'username' && username !== undefined && !EXTERNAL_ID_USERNAME.test(username)) {
      throw new FieldError('username: External ID usernames are letters, digits, - and _ (a letter or digit first), at most 64');
    }
    const disabled = boolean(read('accountEnabled'), 'accountEnabled') === false || status(read('status'), 'status') === 'disabled';
    const mobilePhone = text(read('mobilePhone'), 'mobilePhone');
    return {
      ok: true,
      user: {
        username,
        email: classification === 'email' ? (text(read('email'), 'email') ?? username) : undefined,
        displayName: text(read('displayName'), 'displayName'),
        givenName: text(read('givenName'), 'givenName'),
        surname: text(read('surname'), 'surname'),
        noHashReason: 'missing hash: B2C exports no password hashes; each password is verified against B2C at the first sign-in (LegacyStore=b2c), so import-legacy does not apply: use provision-users --preset b2c',
        status: disabled ? 'disabled' : 'active',
        mustChangePassword: false,
        b2c: { objectId: objectId.toLowerCase(), signInType: classification === 'username' ? 'userName' : 'emailAddress', ...(mobilePhone === undefined ? {} : { mobilePhone }) },
      },
    };
  },
};
