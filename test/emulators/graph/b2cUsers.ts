/**
 * Users as an Azure AD B2C tenant holds them (b2c-to-external-id.md section 7): local accounts with an email or
 * a username, social accounts (`federated` identities such as facebook.com), invited `#EXT#` guests, disabled
 * accounts and phone sign-in accounts, as `POST /users` bodies for the emulator (`platform: 'b2c'`), and a
 * seeder that creates many through `$batch`. No jest imports: the sandbox and benchmarks may use them.
 */
import type { RawResponse } from './raw';

type Body = Record<string, unknown>;
/** The emulator insists on a password at creation, as Graph does; social users in B2C have none that matters. */
const PASSWORD = { passwordProfile: { password: 'Xy7!long-random-Passw0rd', forceChangePasswordNextSignIn: false }, passwordPolicies: 'DisablePasswordExpiration' };

export function b2cEmailUser(email: string, domain: string, extra: Body = {}): Body {
  return { displayName: email.split('@')[0], accountEnabled: true, identities: [{ signInType: 'emailAddress', issuer: domain, issuerAssignedId: email }], ...PASSWORD, ...extra };
}

export function b2cUsernameUser(username: string, domain: string, extra: Body = {}): Body {
  return { displayName: username, accountEnabled: true, identities: [{ signInType: 'userName', issuer: domain, issuerAssignedId: username }], ...PASSWORD, ...extra };
}

/** A social account: one `federated` identity per provider, e.g. `[['facebook.com', '10157']]`. */
export function b2cSocialUser(displayName: string, providers: ReadonlyArray<readonly [issuer: string, subject: string]>, extra: Body = {}): Body {
  return { displayName, accountEnabled: true, identities: providers.map(([issuer, subject]) => ({ signInType: 'federated', issuer, issuerAssignedId: subject })), ...PASSWORD, ...extra };
}

/** An invited guest: UPN `<mail with _ for @>#EXT#@<domain>`, userType Guest, creationType Invitation. */
export function b2cGuestUser(mail: string, domain: string): Body {
  const local = mail.replace('@', '_');
  return { displayName: mail, accountEnabled: true, userPrincipalName: `${local}#EXT#@${domain}`, mailNickname: local.replace(/[^A-Za-z0-9._-]/g, ''), mail, userType: 'Guest', creationType: 'Invitation', ...PASSWORD };
}

/** Phone sign-in (a B2C custom policy feature): no email, username or social identity. */
export function b2cPhoneUser(phone: string, domain: string): Body {
  return { displayName: phone, accountEnabled: true, identities: [{ signInType: 'phoneNumber', issuer: domain, issuerAssignedId: phone }], ...PASSWORD };
}

type Call = (method: string, path: string, options?: { body?: unknown }) => Promise<RawResponse>;

/** Creates the users 20 to a `$batch`; resolves their ids in order. Any refused user throws with Graph's answer. */
export async function seedB2cUsers(call: Call, users: readonly Body[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < users.length; start += 20) {
    const chunk = users.slice(start, start + 20);
    const answer = await call('POST', '/$batch', { body: { requests: chunk.map((body, index) => ({ id: String(index), method: 'POST', url: '/users', headers: { 'Content-Type': 'application/json' }, body })) } });
    const responses = [...(answer.body?.responses ?? [])].sort((a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id));
    for (const response of responses) {
      if (response.status !== 201) throw new Error(`seeding a B2C user failed: ${JSON.stringify(response.body)}`);
      ids.push(String(response.body.id));
    }
  }
  return ids;
}
