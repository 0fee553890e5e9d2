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
