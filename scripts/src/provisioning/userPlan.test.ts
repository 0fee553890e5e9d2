import type { ExportRow, ExportedUser } from '../legacyExport/types';
import { planUser } from './userPlan';

const target = { domain: 'contoso.onmicrosoft.com', migrationProperty: 'extension_0123456789abcdef0123456789abcdef_toBeMigrated' };
const row = (user: Partial<ExportedUser>): ExportRow => ({
  ok: true,
  user: { record: 4, username: 'ada@example.com', status: 'active', mustChangePassword: false, attributes: {}, ...user },
});

describe('planUser', () => {
  it('builds the create body without password, UPN or nickname', () => {
    const planned = planUser(row({ displayName: ' Ada L. ', givenName: 'Ada', surname: 'Lovelace', attributes: { city: 'London', employeeId: 42, otherMails: 'ada@home.example', extension_0123456789abcdef0123456789abcdef_tier: 'gold' } }), target);
    expect(planned).toEqual({
      ok: true,
      draft: {
        record: 4,
        username: 'ada@example.com',
        email: 'ada@example.com',
        profile: {
          accountEnabled: true,
          displayName: 'Ada L.',
          givenName: 'Ada',
          surname: 'Lovelace',
          identities: [{ signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'ada@example.com' }],
          passwordPolicies: 'DisablePasswordExpiration',
          city: 'London',
          employeeId: '42',
          otherMails: ['ada@home.example'],
          extension_0123456789abcdef0123456789abcdef_tier: 'gold',
          extension_0123456789abcdef0123456789abcdef_toBeMigrated: true,
        },
        changes: [],
      },
    });
  });

  it('signs in with the username when it is an email, else with the email field, lower-cased', () => {
    expect(planUser(row({ username: 'ada', email: ' Ada@Example.COM ' }), target)).toMatchObject({ ok: true, draft: { email: 'ada@example.com' } });
    expect(planUser(row({ username: 'Ada@Example.com', email: 'other@example.com' }), target)).toMatchObject({ ok: true, draft: { email: 'ada@example.com' } });
  });

  it('normalizes the email field as every look-up does, and notes any change beyond trimming and case', () => {
    expect(planUser(row({ username: 'ada', email: ' Ada@Example.COM ' }), target)).toMatchObject({ ok: true, draft: { email: 'ada@example.com', changes: [] } });
    const wide = planUser(row({ username: 'ada', email: 'ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ' }), target);
    expect(wide).toMatchObject({
      ok: true,
      draft: {
        email: 'ada@example.com',
        profile: { identities: [{ signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'ada@example.com' }] },
        changes: [{ code: 'normalized-email', reason: expect.stringMatching(/^the email "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ" became the sign-in name "ada@example\.com" \(Unicode NFKC/) }],
      },
    });
  });

  it('cuts a display name to Graph\'s 256 characters, never inside a surrogate pair, and notes it', () => {
    const cut = planUser(row({ displayName: 'x'.repeat(300) }), target);
    expect(cut).toMatchObject({ ok: true, draft: { profile: { displayName: 'x'.repeat(256) }, changes: [{ code: 'shortened-display-name', reason: expect.stringMatching(/300 characters long and Graph allows 256: it was cut to its first 256/) }] } });
    const emoji = planUser(row({ displayName: `${'x'.repeat(255)}😀 and more` }), target);
    expect(emoji).toMatchObject({ ok: true, draft: { profile: { displayName: 'x'.repeat(255) } } });
    expect(planUser(row({ displayName: 'y'.repeat(256) }), target)).toMatchObject({ ok: true, draft: { profile: { displayName: 'y'.repeat(256) }, changes: [] } });
  });

  it('falls back to given name + surname, then to the email local part, for the display name', () => {
    expect(planUser(row({ givenName: 'Ada', surname: 'Lovelace' }), target)).toMatchObject({ draft: { profile: { displayName: 'Ada Lovelace' } } });
    expect(planUser(row({ displayName: '  ' }), target)).toMatchObject({ draft: { profile: { displayName: 'ada' } } });
  });

  it('mirrors a disabled legacy account and keeps a locked one enabled', () => {
    expect(planUser(row({ status: 'disabled' }), target)).toMatchObject({ draft: { profile: { accountEnabled: false } } });
    expect(planUser(row({ status: 'locked' }), target)).toMatchObject({ draft: { profile: { accountEnabled: true } } });
  });

  it.each([
    ['no email', { username: 'ada', email: undefined }, 'no-email', /no email address.*add one to the export/],
    ['a malformed email', { username: 'ada', email: 'ada@example' }, 'invalid-email', /not a valid email address: correct it/],
    ['a sign-in name over 64 characters', { username: `${'a'.repeat(60)}@example.com` }, 'invalid-email', /Graph allows 64/],
    ['a mapping onto a property this command owns', { attributes: { accountEnabled: 'true' } }, 'invalid-attribute', /remove accountEnabled from the field mapping/],
    ['a mapping onto the migration flag', { attributes: { extension_0123456789abcdef0123456789abcdef_toBeMigrated: false } }, 'invalid-attribute', /provision-users controls/],
    ['a misspelt property', { attributes: { JobTitle: 'x' } }, 'invalid-attribute', /spell it jobTitle/],
    ['an unknown property', { attributes: { shoeSize: 44 } }, 'invalid-attribute', /extension_<appId>_shoeSize/],
    ['a Boolean for a text property', { attributes: { city: true } }, 'invalid-attribute', /city must be text/],
    ['a given name over 64 characters', { givenName: 'x'.repeat(65) }, 'invalid-attribute', /givenName is longer than Graph's 64/],
  ])('refuses %s with a reason that says what to fix', (_label, user, code, reason) => {
    const planned = planUser(row(user as Partial<ExportedUser>), target);
    expect(planned).toMatchObject({ ok: false, record: 4, failure: { code } });
    if (!planned.ok) expect(planned.failure.reason).toMatch(reason);
  });

  it('passes the reader\'s refusal through', () => {
    expect(planUser({ ok: false, record: 9, reason: 'bad hash', username: 'x' }, target)).toEqual({ ok: false, record: 9, username: 'x', failure: { code: 'invalid-row', reason: 'bad hash' } });
  });
});
