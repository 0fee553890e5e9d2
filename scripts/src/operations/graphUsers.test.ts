import { identityFilter, localUsername, passwordChangedAfterCreation } from './graphUsers';

describe('localUsername', () => {
  const identities = [
    { signInType: 'federated', issuer: 'google.com', issuerAssignedId: 'g-123' },
    { signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: ' Ada@Example.COM ' },
    { signInType: 'userPrincipalName', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'x@contoso.onmicrosoft.com' },
  ];

  it('takes the local identity, normalized as the legacy store normalizes usernames', () => {
    expect(localUsername(identities)).toBe('ada@example.com');
    expect(localUsername(identities, 'CONTOSO.onmicrosoft.com')).toBe('ada@example.com');
    expect(localUsername([{ signInType: 'userName', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'Bob_1' }])).toBe('Bob_1');
  });

  it('finds none for another issuer, or without a local identity', () => {
    expect(localUsername(identities, 'fabrikam.onmicrosoft.com')).toBeUndefined();
    expect(localUsername([identities[0] as (typeof identities)[0]])).toBeUndefined();
    expect(localUsername(undefined)).toBeUndefined();
  });
});

describe('passwordChangedAfterCreation', () => {
  const created = '2026-03-01T10:00:00Z';
  it('ignores the password set at creation, counts a later change', () => {
    expect(passwordChangedAfterCreation(created, '2026-03-01T10:00:03Z')).toBeUndefined();
    expect(passwordChangedAfterCreation(created, '2026-03-02T08:30:00Z')).toBe('2026-03-02T08:30:00.000Z');
  });
  it('is undefined when either time is missing or unreadable', () => {
    expect(passwordChangedAfterCreation(undefined, '2026-03-02T08:30:00Z')).toBeUndefined();
    expect(passwordChangedAfterCreation(created, undefined)).toBeUndefined();
    expect(passwordChangedAfterCreation(created, 'yesterday')).toBeUndefined();
  });
});

describe('identityFilter', () => {
  it('names issuer and issuerAssignedId and doubles single quotes (OData string literals)', () => {
    expect(identityFilter("o'brien@example.com", 'contoso.onmicrosoft.com')).toBe(
      "identities/any(c:c/issuerAssignedId eq 'o''brien@example.com' and c/issuer eq 'contoso.onmicrosoft.com')",
    );
  });
});
