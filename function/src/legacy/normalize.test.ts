import { isValidUsername, normalizeUsername, profileFields, toLegacyProfile, toUserRecord, UserRecordError } from './normalize';

describe('normalizeUsername', () => {
  it.each([
    ['  alice@contoso.com\t', 'alice@contoso.com'],
    ['Alice@Contoso.COM', 'alice@contoso.com'],
    ['Ａｌｉｃｅ＠Ｃｏｎｔｏｓｏ．ｃｏｍ', 'alice@contoso.com'], // full-width forms (NFKC)
    ['\u3000bob@contoso.com\u3000', 'bob@contoso.com'], // ideographic spaces
    ['ﬁona@contoso.com', 'fiona@contoso.com'], // the "fi" ligature
    ['JSmith', 'JSmith'], // not an email: case is kept
    [' Ｊｓｍｉｔｈ ', 'Jsmith'],
    ['Ｅ\u0301cole@Ｅxample.com', 'école@example.com'], // composed by NFKC, then lower-cased
  ])('%j → %j', (raw, expected) => {
    expect(normalizeUsername(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const raw of ['İSTANBUL@example.com', 'ǅemal@example.com', 'ẞtraße@example.com', 'ﬀ@x', 'Ω@x', 'Åsa@x', 'Mixed Case', ' x ']) {
      const once = normalizeUsername(raw);
      expect(normalizeUsername(once)).toBe(once);
    }
  });
});

describe('isValidUsername', () => {
  it('accepts ordinary names up to 256 characters (code points, not UTF-16 units)', () => {
    expect(isValidUsername('alice@contoso.com')).toBe(true);
    expect(isValidUsername('a'.repeat(256))).toBe(true);
    expect(isValidUsername('😀'.repeat(256))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(257)],
    ['too long (astral)', '😀'.repeat(257)],
    ['NUL', 'a\u0000b'],
    ['tab', 'a\tb'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['C1 control', 'a\u0085b'],
    ['lone surrogate', 'a\ud800b'],
  ])('rejects %s', (_name, value) => {
    expect(isValidUsername(value)).toBe(false);
  });
});

describe('toUserRecord', () => {
  const hash = '$2b$10$abcdefghijklmnopqrstuuJ3Ky7XzYz9vW1pPq1nM8O2r6Lh4Gm5K';

  it('fills defaults and normalizes the username', () => {
    expect(toUserRecord({ username: ' Alice@Contoso.com ', hash })).toEqual({
      username: 'alice@contoso.com',
      hash,
      status: 'active',
      mustChangePassword: false,
      migrated: false,
    });
  });

  it('keeps every field', () => {
    const full = {
      username: 'bob',
      hash: 'abc',
      params: { salt: 'x', rounds: 8 },
      status: 'locked',
      mustChangePassword: true,
      migrated: true,
      migratedAt: '2024-05-01T10:00:00.000Z',
    };
    expect(toUserRecord(full)).toEqual(full);
  });

  it('treats null optional fields as absent', () => {
    expect(toUserRecord({ username: 'bob', hash, params: null, status: null, mustChangePassword: null, migrated: null, migratedAt: null })).toEqual({
      username: 'bob',
      hash,
      status: 'active',
      mustChangePassword: false,
      migrated: false,
    });
  });

  it.each([
    ['not an object', 'x', ''],
    ['an array', [], ''],
    ['no username', { hash }, 'username'],
    ['a blank username', { username: '   ', hash }, 'username'],
    ['a control character', { username: 'a\u0001', hash }, 'username'],
    ['no hash', { username: 'a' }, 'hash'],
    ['an empty hash', { username: 'a', hash: '' }, 'hash'],
    ['a huge hash', { username: 'a', hash: 'x'.repeat(5000) }, 'hash'],
    ['params as a string', { username: 'a', hash, params: 'salt' }, 'params'],
    ['params as an array', { username: 'a', hash, params: [] }, 'params'],
    ['a bad status', { username: 'a', hash, status: 'Disabled' }, 'status'],
    ['a string boolean', { username: 'a', hash, mustChangePassword: 'true' }, 'mustChangePassword'],
    ['a bad migrated', { username: 'a', hash, migrated: 1 }, 'migrated'],
    ['a bad date', { username: 'a', hash, migratedAt: 'yesterday' }, 'migratedAt'],
    ['a misspelt field', { username: 'a', hash, Status: 'disabled' }, '"Status"'],
  ])('rejects %s, naming the field and never the hash', (_name, value, field) => {
    let error: unknown;
    try {
      toUserRecord(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserRecordError);
    expect((error as UserRecordError).field).toBe(field);
    expect((error as Error).message).not.toContain(hash);
    expect((error as Error).message).not.toContain('xxxxxxxx');
  });

  it('does not echo an unknown field name that does not look like one', () => {
    expect(() => toUserRecord({ username: 'a', hash, [hash]: 1 })).toThrow(/unknown field \(not shown\)/);
  });
});

describe('profile fields', () => {
  const hash = '$2b$10$abcdefghijklmnopqrstuuJ3Ky7XzYz9vW1pPq1nM8O2r6Lh4Gm5K';

  it('nests the flat profile fields of a record, trimmed, with the email normalized', () => {
    expect(toUserRecord({ username: 'bob', hash, email: ' Bob@Contoso.COM ', displayName: ' Bob Jones ', givenName: 'Bob', surname: 'Jones' })).toEqual({
      username: 'bob',
      hash,
      status: 'active',
      mustChangePassword: false,
      migrated: false,
      profile: { email: 'bob@contoso.com', displayName: 'Bob Jones', givenName: 'Bob', surname: 'Jones' },
    });
  });

  it('keeps only the known fields, and leaves the profile out when none is known', () => {
    expect(toLegacyProfile({ displayName: 'Ada', email: '', givenName: '  ', surname: null, other: 'x' })).toEqual({ displayName: 'Ada' });
    expect(toLegacyProfile({ email: '', displayName: null })).toBeUndefined();
    expect(toUserRecord({ username: 'bob', hash, email: '', surname: null })).not.toHaveProperty('profile');
  });

  it('accepts the longest names Graph allows', () => {
    const profile = { displayName: 'd'.repeat(256), givenName: 'g'.repeat(64), surname: 's'.repeat(64), email: `${'e'.repeat(244)}@contoso.com` };
    expect(toLegacyProfile(profile)).toEqual(profile);
  });

  it.each([
    ['a number', { displayName: 42 }, 'displayName', /^"displayName" must be a string$/],
    ['an object', { email: { value: 'a@b.c' } }, 'email', /^"email" must be a string$/],
    ['a long display name', { displayName: 'x'.repeat(257) }, 'displayName', /^"displayName" must be at most 256 characters without control characters$/],
    ['a long given name', { givenName: 'x'.repeat(65) }, 'givenName', /at most 64 characters/],
    ['a long surname', { surname: 'x'.repeat(65) }, 'surname', /at most 64 characters/],
    ['a long email', { email: `${'x'.repeat(250)}@contoso.com` }, 'email', /at most 256 characters/],
    ['a control character', { surname: 'Jo\u0000nes' }, 'surname', /without control characters/],
    ['a newline', { displayName: 'Bob\nJones' }, 'displayName', /without control characters/],
    ['no @', { email: 'bob.contoso.com' }, 'email', /^"email" must be an email address \(name@domain\)$/],
    ['a space', { email: 'bob jones@contoso.com' }, 'email', /must be an email address/],
  ])('rejects %s, naming the field and never the value', (_name, value, field, message) => {
    let error: unknown;
    try {
      toUserRecord({ username: 'bob', hash, ...value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserRecordError);
    expect((error as UserRecordError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/xxxx|contoso|Jones|\{/);
  });

  it('flattens a profile back to record fields, known ones only', () => {
    expect(profileFields({ email: 'bob@contoso.com', surname: 'Jones' })).toEqual({ email: 'bob@contoso.com', surname: 'Jones' });
    expect(profileFields(undefined)).toEqual({});
  });
});
