import { checkDomain, checkMigrationProperty } from './target';

describe('checkMigrationProperty', () => {
  it('accepts extension_<32 hex>_<name>', () => {
    expect(checkMigrationProperty(' extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated ')).toEqual({ ok: true, value: 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated' });
  });

  it.each([
    ['toBeMigrated', /put extension_<appId>_ in front .*b2c-extensions-app/],
    ['extension_00001111-aaaa-2222-bbbb-3333cccc4444_toBeMigrated', /remove the hyphens from the appId/],
    ['extension_00001111aaaa2222_toBeMigrated', /must be the 32 hex digits of the b2c-extensions-app appId/],
    ['extension_00001111aaaa2222bbbb3333cccc4444_', /32 hex digits/],
  ])('refuses %s, saying what to fix', (value, fix) => {
    const checked = checkMigrationProperty(value);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problem).toMatch(/^--migration-property must be the full extension attribute name extension_<b2c-extensions-app appId without hyphens>_<name>/);
      expect(checked.problem).toMatch(fix);
    }
  });
});

describe('checkDomain', () => {
  it('accepts a tenant domain and lower-cases it', () => {
    expect(checkDomain('Contoso.onmicrosoft.com')).toEqual({ ok: true, value: 'contoso.onmicrosoft.com' });
  });

  it.each(['https://contoso.onmicrosoft.com', 'user@contoso.com', 'contoso', 'contoso.onmicrosoft.com/', ''])('refuses %p', (value) => {
    expect(checkDomain(value)).toEqual({ ok: false, problem: expect.stringMatching(/^--domain must be the tenant's domain, like contoso.onmicrosoft.com/) });
  });
});
