import { EXTENSION_ATTRIBUTE } from './extensionAttribute';

describe('EXTENSION_ATTRIBUTE', () => {
  it('takes the app id without hyphens and a name of letters, digits and underscores', () => {
    expect(EXTENSION_ATTRIBUTE.exec('extension_0b5e7a8c1d2e4f309a4b5c6d7e8f9a0b_requiresMigration')?.slice(1)).toEqual(['0b5e7a8c1d2e4f309a4b5c6d7e8f9a0b', 'requiresMigration']);
  });

  it.each([
    ['the app id with hyphens', 'extension_0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b_requiresMigration'],
    ['a short name', 'requiresMigration'],
    ['a name over 120 characters', `extension_0b5e7a8c1d2e4f309a4b5c6d7e8f9a0b_${'a'.repeat(121)}`],
    ['a hyphen in the name', 'extension_0b5e7a8c1d2e4f309a4b5c6d7e8f9a0b_requires-migration'],
  ])('refuses %s', (_case, value) => {
    expect(EXTENSION_ATTRIBUTE.test(value)).toBe(false);
  });
});
