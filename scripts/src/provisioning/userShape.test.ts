import { createUserRequest } from './graphRequests';
import type { ExportedUser } from '../legacyExport/types';
import { planUser, type UserDraft } from './userPlan';
import { B2C_PASSWORD_POLICIES, userShapeFor } from './userShape';

const FLAG = 'extension_0123456789abcdef0123456789abcdef_requiresMigration';
const b2c = { domain: 'contosob2c.onmicrosoft.com', migrationProperty: FLAG, platform: 'b2c' as const };
const PASSWORD = 'Xy7!not-really-random-Passw0rd';

function draftOf(user: Partial<ExportedUser>, target: Parameters<typeof planUser>[1] = b2c): UserDraft {
  const planned = planUser({ ok: true, user: { record: 7, username: 'Ada@Example.com', status: 'active', mustChangePassword: false, attributes: {}, ...user } }, target);
  if (!planned.ok) throw new Error(planned.failure.reason);
  return planned.draft;
}

describe('userShapeFor(b2c)', () => {
  const shape = userShapeFor('b2c');

  it('creates a B2C local account: email identity issued by the tenant domain, the flag, no UPN or nickname', () => {
    expect(shape.newUserPrincipalName(b2c.domain)).toBeUndefined();
    const request = shape.createRequest('7', draftOf({ displayName: 'Ada L.', givenName: ' Ada ', surname: 'Lovelace' }), undefined, PASSWORD);
    expect(request).toEqual({
      id: '7',
      method: 'POST',
      url: '/users',
      body: {
        accountEnabled: true,
        displayName: 'Ada L.',
        identities: [{ signInType: 'emailAddress', issuer: 'contosob2c.onmicrosoft.com', issuerAssignedId: 'ada@example.com' }],
        passwordPolicies: 'DisablePasswordExpiration, DisableStrongPassword',
        givenName: 'Ada',
        surname: 'Lovelace',
        [FLAG]: true,
        passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: false },
      },
    });
    expect(B2C_PASSWORD_POLICIES).toBe('DisablePasswordExpiration, DisableStrongPassword');
  });

  it("takes the display name from the email's local part when the export has none, and leaves out unknown names", () => {
    const body = shape.createRequest('7', draftOf({}), undefined, PASSWORD).body as Record<string, unknown>;
    expect(body.displayName).toBe('ada');
    expect(body).not.toHaveProperty('givenName');
    expect(body).not.toHaveProperty('surname');
    expect(body).not.toHaveProperty('userPrincipalName');
    expect(body).not.toHaveProperty('mailNickname');
  });

  it('reports a user whose sign-in name is not an email instead of creating it', () => {
    const planned = planUser({ ok: true, user: { record: 2, username: 'jdoe', status: 'active', mustChangePassword: false, attributes: {} } }, b2c);
    expect(planned).toMatchObject({ ok: false, failure: { code: 'no-email', reason: expect.stringContaining('B2C local accounts sign in with their email') } });
  });
});

describe('userShapeFor(externalId)', () => {
  it('is the External ID body as before: a random UPN and its nickname', () => {
    const target = { domain: 'contoso.onmicrosoft.com', migrationProperty: FLAG };
    const shape = userShapeFor(undefined);
    expect(userShapeFor('externalId')).toBe(shape);
    const upn = shape.newUserPrincipalName(target.domain);
    expect(upn).toMatch(/^[0-9a-f]{32}@contoso\.onmicrosoft\.com$/);
    const draft = draftOf({}, target);
    expect(shape.createRequest('7', draft, upn, PASSWORD)).toEqual(createUserRequest('7', draft, upn as string, PASSWORD));
    expect((shape.createRequest('7', draft, upn, PASSWORD).body as Record<string, unknown>).passwordPolicies).toBe('DisablePasswordExpiration');
    expect(() => shape.createRequest('7', draft, undefined, PASSWORD)).toThrow(/needs the UPN/);
  });

  it('keeps the External ID wording for a record without an email', () => {
    const planned = planUser({ ok: true, user: { record: 2, username: 'jdoe', status: 'active', mustChangePassword: false, attributes: {} } }, { domain: 'contoso.onmicrosoft.com', migrationProperty: FLAG });
    expect(planned).toMatchObject({ ok: false, failure: { reason: expect.stringContaining('External ID local accounts sign in with their email') } });
  });
});
