import { GUID_SOURCE, isGuid } from './guid';

describe('isGuid', () => {
  it('accepts the 8-4-4-4-12 hex form in either case', () => {
    expect(isGuid('0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b')).toBe(true);
    expect(isGuid('0B5E7A8C-1D2E-4F30-9A4B-5C6D7E8F9A0B')).toBe(true);
  });

  it.each([
    ['braces', '{0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b}'],
    ['no hyphens', '0b5e7a8c1d2e4f309a4b5c6d7e8f9a0b'],
    ['a non-hex digit', '0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0g'],
    ['a group too short', '0b5e7a8-1d2e-4f30-9a4b-5c6d7e8f9a0b'],
    ['surrounding text', 'x0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b'],
    ['a trailing newline', '0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b\n'],
    ['empty', ''],
  ])('refuses %s', (_case, value) => {
    expect(isGuid(value)).toBe(false);
  });

  it('gives its source for patterns that embed a GUID', () => {
    const appUri = new RegExp(`^api://[^/]+/(${GUID_SOURCE})$`, 'i');
    expect(appUri.exec('api://contoso.example/0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b')?.[1]).toBe('0b5e7a8c-1d2e-4f30-9a4b-5c6d7e8f9a0b');
  });
});
