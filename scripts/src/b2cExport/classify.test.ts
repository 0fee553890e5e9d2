import type { User } from '../../../lib/graph';
import { classifyB2cUser, type ClassifyOptions } from './classify';
import { countUser, emptyCounts, readCounts } from './counts';

const DOMAIN = 'contosob2c.onmicrosoft.com';
const PLAIN: ClassifyOptions = { allowUsernames: false, attributes: [] };
const USERNAMES: ClassifyOptions = { allowUsernames: true, attributes: [] };
const upn = (id: string) => ({ signInType: 'userPrincipalName', issuer: DOMAIN, issuerAssignedId: `${id}@${DOMAIN}` });

function user(id: string, identities: User['identities'], extra: Partial<User> = {}): User {
  return { id, accountEnabled: true, displayName: `User ${id}`, userType: 'Member', creationType: 'LocalAccount', userPrincipalName: `${id}@${DOMAIN}`, identities: [...(identities ?? []), upn(id)], ...extra };
}

describe('classifyB2cUser', () => {
  it('migrates a local account with an email, with what provisioning needs', () => {
    const result = classifyB2cUser(
      user('u1', [{ signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'ada@example.com' }], {
        givenName: 'Ada',
        surname: 'Lovelace',
        mail: 'ada.work@example.com',
        otherMails: ['ada@example.com'],
        mobilePhone: '+44 7700900123',
      }),
      PLAIN,
    );
    expect(result).toEqual({
      migrate: true,
      user: {
        b2cObjectId: 'u1',
        classification: 'email',
        username: 'ada@example.com',
        email: 'ada@example.com',
        displayName: 'User u1',
        givenName: 'Ada',
        surname: 'Lovelace',
        mail: 'ada.work@example.com',
        otherMails: ['ada@example.com'],
        mobilePhone: '+44 7700900123',
        accountEnabled: true,
        status: 'active',
      },
    });
  });

  it('takes B2C custom sign-in types that start with emailAddress as the email', () => {
    const result = classifyB2cUser(user('u2', [{ signInType: 'emailAddress1', issuer: DOMAIN, issuerAssignedId: 'bo@example.com' }]), PLAIN);
    expect(result).toMatchObject({ migrate: true, user: { classification: 'email', email: 'bo@example.com' } });
  });

  it('exports a disabled account marked to be created disabled', () => {
    const result = classifyB2cUser(user('u3', [{ signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'cy@example.com' }], { accountEnabled: false }), PLAIN);
    expect(result).toMatchObject({ migrate: true, user: { accountEnabled: false, status: 'disabled' } });
  });

  it('reports a username-only account unless usernames are allowed, then migrates it as a username identity', () => {
    const local = user('u4', [{ signInType: 'userName', issuer: DOMAIN, issuerAssignedId: 'dee_01' }]);
    expect(classifyB2cUser(local, PLAIN)).toEqual({ migrate: false, entry: { b2cObjectId: 'u4', reason: 'username-only', displayName: 'User u4', username: 'dee_01', accountEnabled: true } });
    const allowed = classifyB2cUser(local, USERNAMES);
    expect(allowed).toMatchObject({ migrate: true, user: { classification: 'username', username: 'dee_01' } });
    expect(allowed.migrate && allowed.user.email).toBeUndefined();
  });

  it.each([['dee.smith'], ['-dee'], ['x'.repeat(65)], ['dée']])('reports the username %s, which External ID refuses', (name) => {
    const result = classifyB2cUser(user('u5', [{ signInType: 'userName', issuer: DOMAIN, issuerAssignedId: name }]), USERNAMES);
    expect(result).toMatchObject({ migrate: false, entry: { reason: 'username-invalid', username: name } });
  });

  it('reports a social-only account with its providers, never as a user to create', () => {
    const result = classifyB2cUser(
      user('u6', [
        { signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: '10157' },
        { signInType: 'federated', issuer: 'google.com', issuerAssignedId: '1098' },
      ]),
      USERNAMES,
    );
    expect(result).toEqual({ migrate: false, entry: { b2cObjectId: 'u6', reason: 'social', displayName: 'User u6', issuers: ['facebook.com', 'google.com'], accountEnabled: true } });
  });

  it('migrates a local account that also has a social identity, naming the provider', () => {
    const result = classifyB2cUser(
      user('u7', [
        { signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'eve@example.com' },
        { signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: '2' },
      ]),
      PLAIN,
    );
    expect(result).toMatchObject({ migrate: true, user: { classification: 'email', federatedIssuers: ['facebook.com'] } });
  });

  it.each<[string, Partial<User>]>([
    ['an #EXT# user principal name', { userPrincipalName: `fay_gmail.com#EXT#@${DOMAIN}`, userType: 'Member' }],
    ['userType Guest', { userType: 'Guest' }],
  ])('skips a guest with %s, even one with an email identity', (_label, extra) => {
    const result = classifyB2cUser(user('u8', [{ signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'fay@example.com' }], extra), PLAIN);
    expect(result).toMatchObject({ migrate: false, entry: { reason: 'guest' } });
  });

  it('finds #EXT# in the userPrincipalName identity when the UPN was not returned', () => {
    const guest: User = { id: 'u9', identities: [{ signInType: 'userPrincipalName', issuer: DOMAIN, issuerAssignedId: `gus_x.com#EXT#@${DOMAIN}` }] };
    expect(classifyB2cUser(guest, PLAIN)).toMatchObject({ migrate: false, entry: { reason: 'guest', userPrincipalName: `gus_x.com#EXT#@${DOMAIN}` } });
  });

  it('reports an account with no email, username or social identity with its sign-in types', () => {
    const result = classifyB2cUser(user('u10', [{ signInType: 'phoneNumber', issuer: DOMAIN, issuerAssignedId: '+15555550100' }]), USERNAMES);
    expect(result).toMatchObject({ migrate: false, entry: { reason: 'no-local-identity', signInTypes: ['phoneNumber', 'userPrincipalName'] } });
  });

  it('carries the requested extension attributes by short name, matching the name without regard to case', () => {
    const name = 'extension_00001111aaaa2222bbbb3333cccc4444_loyaltyNumber';
    const result = classifyB2cUser(
      user('u11', [{ signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'gil@example.com' }], { 'extension_00001111AAAA2222bbbb3333cccc4444_LoyaltyNumber': 'L-42', extension_00001111aaaa2222bbbb3333cccc4444_other: 'x' }),
      { allowUsernames: false, attributes: [{ name, shortName: 'loyaltyNumber' }] },
    );
    expect(result).toMatchObject({ migrate: true, user: { extensionAttributes: { loyaltyNumber: 'L-42' } } });
    expect(JSON.stringify(result)).not.toContain('"x"');
  });
});

describe('export counts', () => {
  it('counts every user once, by classification or reason, with social users by provider', () => {
    let counts = emptyCounts();
    const users: User[] = [
      user('a', [{ signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'a@example.com' }], { accountEnabled: false }),
      user('b', [{ signInType: 'userName', issuer: DOMAIN, issuerAssignedId: 'bee' }]),
      user('c', [{ signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: '1' }]),
      user('d', [{ signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: '2' }]),
      user('e', [], { userType: 'Guest' }),
    ];
    for (const item of users) counts = countUser(counts, classifyB2cUser(item, PLAIN));
    expect(counts).toEqual({
      users: 5,
      exported: { email: 1, username: 0 },
      disabled: 1,
      notMigrated: { social: 2, guest: 1, 'username-only': 1, 'username-invalid': 0, 'no-local-identity': 0 },
      socialProviders: { 'facebook.com': 2 },
    });
    expect(readCounts(JSON.parse(JSON.stringify(counts)))).toEqual(counts);
    expect(readCounts({ ...counts, users: -1 })).toBeUndefined();
  });
});
