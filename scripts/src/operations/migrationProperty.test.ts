import { GraphError } from '../../../lib/graph';
import { UsageError } from '../commands/args';
import { explainUnknownProperty, parseMigrationProperty } from './migrationProperty';

describe('parseMigrationProperty', () => {
  it('accepts extension_<32 hex>_<name> and recovers the hyphenated appId', () => {
    expect(parseMigrationProperty('extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated')).toEqual({
      name: 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated',
      appId: '00001111-aaaa-2222-bbbb-3333cccc4444',
    });
  });

  it.each([
    [undefined, 'is required'],
    ['  ', 'is required'],
    ['extension_00001111-aaaa-2222-bbbb-3333cccc4444_toBeMigrated', 'use extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated'],
    ['toBeMigrated', 'looks like a short name'],
    ['extension_0000_toBeMigrated', '32 hex digits'],
    ['extension_00001111aaaa2222bbbb3333cccc4444_to-be', 'letters, digits and _'],
    ['extension_00001111aaaa2222bbbb3333cccc4444_', '32 hex digits'],
  ])('refuses %p with a message that names the fix', (value, message) => {
    expect(() => parseMigrationProperty(value)).toThrow(UsageError);
    expect(() => parseMigrationProperty(value)).toThrow(message);
  });
});

describe('explainUnknownProperty', () => {
  const property = parseMigrationProperty('extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated');

  it('turns a 400 naming the attribute into a pointer at the extension properties', () => {
    const error = new GraphError('Graph refused GET /users (HTTP 400)', {
      status: 400,
      method: 'GET',
      path: '/users',
      graphMessage: "Unsupported or invalid query filter clause specified for property 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated' of resource 'User'.",
    });
    const explained = explainUnknownProperty(error, property) as Error;
    expect(explained.message).toContain("GET /applications(appId='00001111-aaaa-2222-bbbb-3333cccc4444')/extensionProperties");
  });

  it('passes other errors through unchanged', () => {
    const forbidden = new GraphError('forbidden', { status: 403, method: 'GET', path: '/users' });
    expect(explainUnknownProperty(forbidden, property)).toBe(forbidden);
    const other = new Error('boom');
    expect(explainUnknownProperty(other, property)).toBe(other);
  });
});
