/**
 * The README agrees with the repository: its layout names every source folder, the ranges of its settings
 * table are the ones the configuration loader enforces, and its `pulumi config set` commands store an array
 * key as an array.
 */
import { loadSettings, type Env } from '../../function/src/config/settings';
import { CONFIG_SCHEMA } from '../../infra/config';
import { pathKind, readRepositoryFile, repositoryFiles, subdirectories } from './files';
import { markdownSection, tableRows } from './markdown';

const readme = readRepositoryFile('README.md');

describe('README "Repository layout"', () => {
  const layout = markdownSection(readme, 'Repository layout');
  /** The path at the start of each line of the layout block. */
  const named = layout
    .split('\n')
    .map((line) => /^([\w./-]+)\s{2,}\S/.exec(line)?.[1])
    .filter((entry): entry is string => entry !== undefined);

  it('names every folder of the function, the CLI, the shared code, the Pulumi program and the test tree', () => {
    const folders = ['function', 'function/src', 'scripts', 'scripts/src', 'lib', 'infra', 'policy', 'test'].flatMap(subdirectories);
    expect(folders).toEqual(expect.arrayContaining(['function/src/telemetry', 'lib/net', 'scripts/src/host', 'scripts/sandbox', 'policy/rules']));
    // A folder is named by its own line, or by the lines of its sub-folders (function/src by function/src/app/, …).
    const missing = folders.filter((folder) => !named.some((entry) => entry.startsWith(`${folder}/`)));
    expect(missing).toEqual([]);
  });

  it('names only what exists', () => {
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((entry) => pathKind(entry) === 'missing')).toEqual([]);
  });
});

describe('README "Configuration reference (app settings)"', () => {
  /** Settings that make every range below apply: the web-service store reads LegacyServiceTimeoutMs. */
  const base: Env = {
    DecryptionPrivateKey: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
    ExternalIdTenantId: '11111111-2222-3333-4444-555555555555',
    ExtensionAppId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    LegacyStore: 'http',
    LegacyServiceUrl: 'https://legacy.example.com/verify',
    StateStore: 'memory',
    PasswordChangeCheck: 'off',
  };
  const problemSettings = (env: Env): string[] => {
    const result = loadSettings({ ...base, ...env });
    return result.ok ? [] : result.problems.map((problem) => problem.setting);
  };

  /** Rows whose defaults are whole numbers: one `from–to` range in the meaning per setting, in order. */
  const integerRows = tableRows(markdownSection(readme, 'Configuration reference (app settings)'))
    .map(([names = '', defaults = '', meaning = '']) => ({
      names: [...names.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((match) => match[1]!),
      defaults: [...defaults.matchAll(/`(\d+)`/g)].map((match) => Number(match[1])),
      ranges: [...meaning.matchAll(/(\d+)–(\d+)/g)].map((match) => [Number(match[1]), Number(match[2])] as const),
    }))
    .filter((row) => row.names.length > 0 && row.defaults.length === row.names.length);

  it('reads a table whose base settings load', () => {
    expect(problemSettings({})).toEqual([]);
    expect(integerRows.map((row) => row.names).flat()).toEqual(
      expect.arrayContaining(['MaxRequestBytes', 'PasswordMinLength', 'PasswordMaxLength', 'LockoutThreshold', 'LockoutWindowMinutes']),
    );
  });

  it('gives the range of every whole-number setting, as the loader enforces it', () => {
    const wrong: string[] = [];
    for (const row of integerRows) {
      if (row.ranges.length !== row.names.length) {
        wrong.push(`${row.names.join(' / ')}: ${row.ranges.length} range(s) given for ${row.names.length} setting(s)`);
        continue;
      }
      row.names.forEach((name, index) => {
        const [from, to] = row.ranges[index]!;
        const refused = (value: number): boolean => problemSettings({ [name]: String(value) }).includes(name);
        if (refused(from) || refused(to)) wrong.push(`${name}: ${from}–${to} is not accepted in full`);
        if (!refused(from - 1) || !refused(to + 1)) wrong.push(`${name}: the loader accepts more than ${from}–${to}`);
        if (row.defaults[index]! < from || row.defaults[index]! > to) wrong.push(`${name}: the default ${row.defaults[index]} is outside ${from}–${to}`);
      });
    }
    expect(wrong).toEqual([]);
  });
});

describe('pulumi config set in the docs', () => {
  it('sets an array key by path (--path key[0]), never as a JSON string the CLI would store as text', () => {
    const wrong: string[] = [];
    for (const file of repositoryFiles().filter((name) => name.endsWith('.md'))) {
      readRepositoryFile(file)
        .split('\n')
        .forEach((line, index) => {
          for (const match of line.matchAll(/pulumi config set((?:\s+--[\w-]+)*)\s+'?([\w:.[\]-]+)/g)) {
            const key = match[2]!.replace(/^[\w-]+:/, '').replace(/[[.].*$/, '');
            const schema = (CONFIG_SCHEMA as Record<string, { type: string }>)[key];
            if (schema?.type === 'array' && !(/--path\b/.test(match[1]!) && match[2]!.includes('['))) wrong.push(`${file}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    expect(wrong).toEqual([]);
  });
});
