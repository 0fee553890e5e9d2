/**
 * Generic preset: a CSV with a header row, or JSON lines, already in this project's vocabulary:
 *
 *   username,hash,params,displayName,givenName,surname,status,mustChangePassword
 *   alice@contoso.com,$2b$12$…,,Alice Smith,Alice,Smith,active,false
 *
 * `username` falls back to `email`; `params` is a JSON object (JSON text in a CSV cell), needed only by
 * hashes that do not describe themselves (Firebase scrypt). Other column names: `--map`.
 */
import { boolean, jsonObject, status, text } from '../fields';
import type { Preset } from './preset';

export const genericPreset: Preset = {
  name: 'generic',
  fields: {
    username: ['username', 'email'],
    email: ['email'],
    hash: ['hash'],
    params: ['params'],
    displayName: ['displayName'],
    givenName: ['givenName'],
    surname: ['surname'],
    status: ['status'],
    mustChangePassword: ['mustChangePassword'],
  },
  formats: ['csv', 'json-lines', 'json-document'],
  usernameHint: 'the generic preset reads "username", then "email"; name another column with --map username=<column>',
  requiredFields: ['username', 'hash'],
  convert(read) {
    const hash = text(read('hash'), 'hash');
    return {
      ok: true,
      user: {
        username: text(read('username'), 'username'),
        email: text(read('email'), 'email'),
        displayName: text(read('displayName'), 'displayName'),
        givenName: text(read('givenName'), 'givenName'),
        surname: text(read('surname'), 'surname'),
        hash,
        params: jsonObject(read('params'), 'params'),
        noHashReason: hash ? undefined : 'missing hash: the "hash" field is empty; export the password hash, or name its column with --map hash=<column>',
        status: status(read('status'), 'status') ?? 'active',
        mustChangePassword: boolean(read('mustChangePassword'), 'mustChangePassword') ?? false,
      },
    };
  },
};
