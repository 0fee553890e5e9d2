/**
 * The create body per platform: the one place provisioning differs between External ID and Azure AD B2C.
 * Everything else (plan, `$batch`, throttling, checkpoint, resume) is the same engine (engine.ts).
 *
 * B2C local account (user-post-users Example 2; azure-ad-b2c-jit.md section 7): `displayName`, an
 * `emailAddress` identity issued by the tenant's *.onmicrosoft.com domain, a password with
 * `forceChangePasswordNextSignIn: false`, password expiration disabled, and the flag
 * `extension_<b2c-extensions-app appId without hyphens>_requiresMigration` — all in the planned profile but the
 * password fields. B2C makes the userPrincipalName itself, so no UPN or mailNickname is sent.
 */
import { B2C_LEGACY_PASSWORD_POLICIES } from '../../../lib/b2c/policies/ids';
import type { BatchRequest } from '../../../lib/graph';
import type { IdentityPlatform } from '../identityPlatform';
import { createUserRequest, newUserPrincipalName } from './graphRequests';
import type { UserDraft } from './userPlan';

export interface UserShape {
  /** The tenant's kind in operator messages. */
  readonly tenantKind: string;
  /**
   * The UPN a create carries, so a later look-up can tell our own earlier attempt from someone else's user;
   * undefined where the platform makes the UPN itself (B2C): an in-doubt user found there counts as "exists".
   */
  newUserPrincipalName(domain: string): string | undefined;
  /** The `$batch` item that creates the user; the password lives only in the returned request. */
  createRequest(id: string, draft: UserDraft, userPrincipalName: string | undefined, password: string): BatchRequest;
}

/**
 * Legacy passwords may be weaker than B2C's default policy: the migration policy writes them with
 * DisableStrongPassword (azure-ad-b2c-jit.md pitfall 3), and DisablePasswordExpiration is what user-post-users
 * Example 2 requires for local accounts ("password expirations must be disabled").
 */
/** The same value the generated policies persist when they write a migrated password (one copy). */
export const B2C_PASSWORD_POLICIES = B2C_LEGACY_PASSWORD_POLICIES;

const EXTERNAL_ID_USERS: UserShape = {
  tenantKind: 'External ID',
  newUserPrincipalName,
  createRequest(id, draft, userPrincipalName, password) {
    if (userPrincipalName === undefined) throw new Error('an External ID create needs the UPN chosen for it');
    return createUserRequest(id, draft, userPrincipalName, password);
  },
};

const B2C_USERS: UserShape = {
  tenantKind: 'B2C',
  newUserPrincipalName: () => undefined,
  createRequest(id, draft, _userPrincipalName, password) {
    return {
      id,
      method: 'POST',
      url: '/users',
      body: { ...draft.profile, passwordProfile: { password, forceChangePasswordNextSignIn: false }, passwordPolicies: B2C_PASSWORD_POLICIES },
    };
  },
};

export function userShapeFor(platform: IdentityPlatform | undefined): UserShape {
  return platform === 'b2c' ? B2C_USERS : EXTERNAL_ID_USERS;
}
