import { UsageError } from '../commands/args';
import { readCommonOptions } from './options';

const property = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';

describe('readCommonOptions', () => {
  it('infers the store from its options', () => {
    expect(readCommonOptions({ 'migration-property': property, 'users-file': 'users.jsonl' }, 'required').legacy).toEqual({ store: 'file', usersFile: 'users.jsonl' });
    expect(readCommonOptions({ 'migration-property': property, 'table-endpoint': 'https://acct.table.core.windows.net' }, 'required').legacy).toEqual({
      store: 'table',
      tableEndpoint: 'https://acct.table.core.windows.net',
      tableConnectionString: undefined,
      tableName: undefined,
    });
    expect(readCommonOptions({ 'migration-property': property }, 'optional').legacy).toBeUndefined();
  });

  it("fills in the store from the function's settings where no option names it, as import-legacy does", () => {
    const read = (values: Record<string, string>, env: NodeJS.ProcessEnv) => readCommonOptions({ 'migration-property': property, ...values }, 'required', env).legacy;
    const table = { LegacyTableConnectionString: 'UseDevelopmentStorage=true', LegacyTableName: 'Users2' };
    expect(read({}, table)).toEqual({ store: 'table', tableEndpoint: undefined, tableConnectionString: 'UseDevelopmentStorage=true', tableName: 'Users2' });
    // The endpoint wins over a connection string, an option over a setting, and the other store's settings are ignored.
    expect(read({}, { ...table, LegacyTableEndpoint: 'https://acct.table.core.windows.net' })).toMatchObject({ tableEndpoint: 'https://acct.table.core.windows.net', tableConnectionString: undefined });
    expect(read({ 'table-endpoint': 'https://other.table.core.windows.net' }, table)).toMatchObject({ tableEndpoint: 'https://other.table.core.windows.net', tableConnectionString: undefined, tableName: 'Users2' });
    expect(read({ 'users-file': 'users.jsonl' }, table)).toEqual({ store: 'file', usersFile: 'users.jsonl' });
    expect(read({}, { LegacyStore: 'file', LegacyUsersFile: 'from-settings.jsonl', ...table })).toEqual({ store: 'file', usersFile: 'from-settings.jsonl' });
    expect(() => read({}, { LegacyStore: 'http' })).toThrow('pass --store table');
  });

  it.each([
    [{}, 'required', 'pass --store table'],
    [{ store: 'file' }, 'required', '--users-file FILE'],
    [{ store: 'table' }, 'required', '--table-endpoint'],
    [{ store: 'sql' }, 'required', 'must be table or file'],
    [{ store: 'file', 'users-file': 'u', 'table-endpoint': 'https://x' }, 'required', 'remove them'],
    [{ 'table-endpoint': 'https://x', 'table-connection-string': 'UseDevelopmentStorage=true' }, 'required', 'not both'],
    [{ store: 'table', 'users-file': 'u' }, 'required', 'does not use --users-file'],
    [{ domain: 'not a domain', 'users-file': 'u' }, 'required', '--domain must be'],
  ] as const)('refuses %p with a message that names the fix', (values, legacy, message) => {
    const read = () => readCommonOptions({ 'migration-property': property, ...values }, legacy);
    expect(read).toThrow(UsageError);
    expect(read).toThrow(message);
  });
});
