/**
 * A Keycloak realm export with users: `kc.sh export --realm R --file realm.json` (one document) or
 * `--dir` (`R-users-0.json`, …, each `{"realm":"R","users":[…]}`), a UserRepresentation per user:
 *
 *   {"username","email","firstName","lastName","enabled","federationLink"?,"serviceAccountClientId"?,
 *    "requiredActions":[…],"credentials":[{"type":"password","secretData":"…","credentialData":"…"}]}
 *
 * The admin console's "Partial export" replaces secrets with `**********` and leaves users out: it is not
 * enough. Hash conversion: keycloakCredential.ts. The sign-in name is the e-mail address when there is
 * one (Entra signs in by e-mail), else `username`.
 */
import { boolean, joinName, text } from '../fields';
import { convertKeycloakCredential } from './keycloakCredential';
import type { Preset } from './preset';

export const keycloakPreset: Preset = {
  name: 'keycloak',
  fields: {
    username: ['email', 'username'],
    email: ['email'],
    givenName: ['firstName'],
    surname: ['lastName'],
    enabled: ['enabled'],
    credentials: ['credentials'],
    requiredActions: ['requiredActions'],
    federationLink: ['federationLink'],
    serviceAccountClientId: ['serviceAccountClientId'],
  },
  formats: ['json-document', 'json-lines'],
  usernameHint: 'the keycloak preset signs users in by email, falling back to username',
  requiredFields: ['username', 'credentials'],
  convert(read) {
    const serviceAccountOf = read('serviceAccountClientId');
    if (typeof serviceAccountOf === 'string' && serviceAccountOf !== '') {
      return { ok: false, reason: 'not a person: this is the service account of a Keycloak client, which never signs in with a password; nothing to import' };
    }
    const givenName = text(read('givenName'), 'firstName');
    const surname = text(read('surname'), 'lastName');
    const credential = passwordCredential(read('credentials'));
    const conversion = credential ? convertKeycloakCredential(credential) : undefined;
    let noHashReason: string | undefined;
    if (!conversion) {
      noHashReason = read('federationLink')
        ? 'missing hash: the password lives in a user federation provider (LDAP or Kerberos), not in Keycloak; export it from that directory instead'
        : 'missing hash: the user has no password credential (signs in through an identity provider, or never set a password); it cannot be migrated by password';
    } else if ('problem' in conversion) {
      noHashReason = conversion.problem;
    }
    const requiredActions = read('requiredActions');
    return {
      ok: true,
      user: {
        username: text(read('username'), 'username'),
        email: text(read('email'), 'email'),
        displayName: joinName(givenName, surname),
        givenName,
        surname,
        hash: conversion && 'hash' in conversion ? conversion.hash : undefined,
        noHashReason,
        status: boolean(read('enabled'), 'enabled') === false ? 'disabled' : 'active',
        // "Update Password" as a required action: Keycloak would force a new password at the next sign-in.
        mustChangePassword: Array.isArray(requiredActions) && requiredActions.includes('UPDATE_PASSWORD'),
      },
    };
  },
};

/** The user's password credential; Keycloak keeps one, with other types (otp, webauthn) beside it. */
function passwordCredential(credentials: unknown): Readonly<Record<string, unknown>> | undefined {
  if (!Array.isArray(credentials)) return undefined;
  const found: unknown = credentials.find((c: unknown) => typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'password');
  return found as Readonly<Record<string, unknown>> | undefined;
}
