/**
 * `jitmigrate import-legacy`: loads a legacy system's user export into the legacy store the function
 * reads (Azure Table Storage, or the JSON-lines users file), resumably, with a rejects file and a hash
 * self-test. The reading is legacyExport/reader.ts (shared with provision-users); the loop is
 * legacyExport/importer/runImport.ts; this module is options, wiring and exit codes.
 */
import path from 'node:path';
import { createHashRegistry } from '../../../function/src/hashing';
import { FileUserRepository } from '../../../function/src/legacy';
import { createTableClient, describeTableFailure, ensureTable, TableUserRepository } from '../../../function/src/legacy';
import { FieldError } from '../legacyExport/fields';
import { CheckpointMismatchError } from '../legacyExport/importer/checkpoint';
import { FileSink } from '../legacyExport/importer/fileSink';
import { ImportFailedError, runImport, type ImportStore } from '../legacyExport/importer/runImport';
import { checkPresetFit, describePresetFit } from '../legacyExport/importer/presetFit';
import { DEFAULT_MAX_REJECT_SHARE_PERCENT, dominantReject, type DominantReject } from '../legacyExport/importer/rejectShare';
import { loadSelfTestAccounts, SelfTestFileError, type SelfTestAccount } from '../legacyExport/importer/selfTest';
import { formatSummary } from '../legacyExport/importer/summary';
import { TableSink } from '../legacyExport/importer/tableSink';
import { parseFirebaseHashConfig } from '../legacyExport/presets/firebase';
import { isPresetName, PRESET_NAMES } from '../legacyExport/presets';
import type { FirebaseHashConfig } from '../legacyExport/presets/preset';
import { ExportOptionsError, hasEmbeddedFirebaseConfig } from '../legacyExport/reader';
import type { ReadExportOptions } from '../legacyExport/types';
import { createProgress } from '../progressBar';
import { errorMessage, requireInputFile, requireOutputFile } from '../operations/files';
import { UsageError, integerOption, mapOption, parseOptions, runStoppable } from './args';

const HELP = `usage: jitmigrate import-legacy --input FILE --preset PRESET [options]

Loads a legacy user export into the legacy store the function reads. Presets:
  aspnet-identity  AspNetUsers CSV (Email/UserName, PasswordHash V2/V3, LockoutEnd)
  django           auth_user CSV (email/username, password, is_active)
  firebase         firebase auth:export JSON or CSV, with the project's hash parameters
  keycloak         Keycloak realm export JSON (realm.json or <realm>-users-N.json)
  generic          CSV or JSON lines: username|email, hash, params, displayName, givenName,
                   surname, status, mustChangePassword
Formats (CSV, JSON lines, one JSON document) are detected from the extension and content.

Options:
  --map TARGET=SOURCE      read TARGET from another column or JSON path (repeatable); SOURCE may
                           list fallbacks: --map username=Email|UserName. attributes.<name>=SOURCE
                           adds a profile attribute for provisioning
  --store table|file       where to write (default: table, or file when --users-file is given)
  --table-endpoint URL     https://<account>.table.core.windows.net (your Azure sign-in is used)
  --table-connection-string CS   instead of the endpoint (Azurite); or set LegacyTableConnectionString
  --table-name NAME        default LegacyUsers
  --users-file PATH        the JSON-lines users file (file store)
  --rejects FILE           JSON lines {"record","username"?,"reason"} for every refused record
  --checkpoint FILE        resume point: re-run with the same FILE to continue after Ctrl-C or an error
  --self-test FILE         JSON lines {"username","password"} of test accounts, verified after the import
  --batch-size N           entities per Table transaction, 1-100 (default 100)
  --checkpoint-every N     source records per committed batch (default 25000)
  --dry-run                validate and report; write nothing but the rejects file
  --max-reject-share PERCENT
                           exit 1 when more than PERCENT (0-100, default ${DEFAULT_MAX_REJECT_SHARE_PERCENT}) of the records are
                           rejected for one reason; every record rejected for one reason always fails
  --firebase-signer-key B64 --firebase-salt-separator B64 --firebase-rounds N --firebase-mem-cost N
                           Firebase console: Authentication > Users > (menu) > Password hash parameters

Store settings also come from the function's app settings in the environment: LegacyStore,
LegacyTableEndpoint, LegacyTableConnectionString, LegacyTableName, LegacyUsersFile.

Exit codes: 0 done (a few rejected records do not fail the import), 1 self-test failure, error, or
too many records rejected for one reason (the wrong --preset, a column to --map: the likely cause is
named), 2 usage error, 130 stopped by Ctrl-C (resume with the same --checkpoint).
Details: docs/import-legacy.md`;

const OPTIONS = {
  input: { type: 'string' },
  preset: { type: 'string' },
  map: { type: 'string', multiple: true },
  store: { type: 'string' },
  'table-endpoint': { type: 'string' },
  'table-connection-string': { type: 'string' },
  'table-name': { type: 'string' },
  'users-file': { type: 'string' },
  rejects: { type: 'string' },
  checkpoint: { type: 'string' },
  'self-test': { type: 'string' },
  'batch-size': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-reject-share': { type: 'string' },
  'firebase-signer-key': { type: 'string' },
  'firebase-salt-separator': { type: 'string' },
  'firebase-rounds': { type: 'string' },
  'firebase-mem-cost': { type: 'string' },
} as const;

export interface CommandIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted to stop after the current batch; the CLI wires it to Ctrl-C. */
  readonly stop?: AbortSignal;
}

type StoreChoice =
  | { readonly kind: 'table'; readonly endpoint?: string; readonly connectionString?: string; readonly tableName: string }
  | { readonly kind: 'file'; readonly usersFile: string };

interface ImportArgs {
  readonly input: string;
  readonly read: ReadExportOptions;
  readonly store?: StoreChoice;
  readonly rejects?: string;
  readonly checkpoint?: string;
  readonly selfTest?: string;
  readonly batchSize: number;
  readonly checkpointEvery: number;
  readonly maxRejectSharePercent: number;
}

export const importLegacyCommand = {
  summary: 'load a legacy export (CSV or JSON lines, with presets) into the legacy store',
  run(argv: string[]): Promise<number> {
    return runStoppable('Stopping: writing what was read so far and saving the checkpoint (Ctrl-C again quits at once; the checkpoint then stays at the last committed batch)…', (stop) => importLegacy(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, stop }));
  },
};

/** The command with its I/O passed in (tests run it in-process). */
export async function importLegacy(argv: string[], io: CommandIo): Promise<number> {
  let args: ImportArgs;
  let selfTest: SelfTestAccount[] | undefined;
  try {
    const parsed = parseArgs(argv, io.env);
    if (parsed === 'help') {
      io.stdout.write(`${HELP}\n`);
      return 0;
    }
    args = parsed;
    await checkPaths(args);
    selfTest = args.selfTest ? await loadSelfTestAccounts(args.selfTest) : undefined;
    if (args.read.preset === 'firebase' && !args.read.firebaseHashConfig && !(await hasEmbeddedFirebaseConfig(args.input).catch(() => false))) {
      throw new UsageError(
        "Firebase password hashes need the project's hash parameters: pass --firebase-signer-key, --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost (Firebase console: Authentication > Users > menu > Password hash parameters)",
      );
    }
  } catch (error) {
    return usageFailure(error, io);
  }

  const registry = createHashRegistry();
  try {
    const store = args.store ? await openStore(args.store, args.batchSize) : undefined;
    if (!store && args.checkpoint) io.stderr.write('Dry run: --checkpoint is neither read nor written.\n');
    const report = await runImport({
      input: args.input,
      read: args.read,
      store,
      rejectsFile: args.rejects,
      checkpointFile: args.checkpoint,
      selfTest,
      checkpointEvery: args.checkpointEvery,
      registry,
      stop: io.stop,
      progress: (total) => createProgress({ total, label: 'import-legacy', stream: io.stderr }),
      note: (line) => io.stderr.write(`${line}\n`),
    });
    const dominant = report.outcome === 'complete' ? dominantReject(report, args.maxRejectSharePercent) : undefined;
    io.stdout.write(formatSummary(report, describeStore(args.store), dominant));
    if (dominant) io.stderr.write(`import-legacy: ${await explainDominantReject(dominant, args)}\n`);
    if (report.selfTest?.some((result) => !result.ok) || dominant) return 1;
    return report.outcome === 'stopped' ? 130 : 0;
  } catch (error) {
    if (error instanceof CheckpointMismatchError || error instanceof ExportOptionsError) return usageFailure(error, io);
    if (error instanceof ImportFailedError) {
      if (error.lastCommittedRecord === 0) {
        io.stderr.write(`import-legacy: ${error.message}\n`);
        return 1;
      }
      const resume = args.checkpoint
        ? `records up to ${error.lastCommittedRecord} are committed; fix the cause and run the same command again to continue from there`
        : `records up to ${error.lastCommittedRecord} are committed; fix the cause and run again (it is idempotent; add --checkpoint FILE to resume instead of starting over)`;
      io.stderr.write(`import-legacy: ${error.message}\n${resume}\n`);
      return 1;
    }
    io.stderr.write(`import-legacy: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await registry.close();
  }
}

/** Every path the command line names, before anything is read or written. */
async function checkPaths(args: ImportArgs): Promise<void> {
  await requireInputFile(args.input, '--input');
  if (args.selfTest !== undefined) await requireInputFile(args.selfTest, '--self-test');
  if (args.rejects !== undefined) await requireOutputFile(args.rejects, '--rejects');
  if (args.checkpoint !== undefined && args.store !== undefined) await requireOutputFile(args.checkpoint, '--checkpoint');
  if (args.store?.kind === 'file') await requireOutputFile(args.store.usersFile, 'the users file (--users-file or LegacyUsersFile)');
}

function usageFailure(error: unknown, io: CommandIo): number {
  const known = error instanceof UsageError || error instanceof SelfTestFileError || error instanceof CheckpointMismatchError || error instanceof ExportOptionsError;
  if (!known) {
    io.stderr.write(`import-legacy: ${errorMessage(error)}\n`);
    return 1;
  }
  io.stderr.write(`import-legacy: ${(error as Error).message}\n`);
  return 2;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): ImportArgs | 'help' {
  const { values } = parseOptions(argv, OPTIONS, HELP);
  if (values.help) return 'help';
  if (!values.input) throw new UsageError('--input FILE is required: the export to import');
  if (!values.preset) throw new UsageError(`--preset is required: one of ${PRESET_NAMES.join(', ')}`);
  if (!isPresetName(values.preset)) throw new UsageError(`--preset ${values.preset} is unknown: use one of ${PRESET_NAMES.join(', ')}`);
  if (values.preset === 'b2c') {
    throw new UsageError('--preset b2c is for provision-users: B2C exports no password hashes, and LegacyStore=b2c verifies each password against B2C at the first sign-in');
  }

  const firebaseHashConfig = firebaseFlags(values);
  if (firebaseHashConfig && values.preset !== 'firebase') throw new UsageError('the --firebase-* flags only apply to --preset firebase');
  const read: ReadExportOptions = {
    preset: values.preset,
    mapping: mapOption(values.map ?? []),
    ...(firebaseHashConfig ? { firebaseHashConfig } : {}),
  };

  return {
    input: values.input,
    read,
    store: values['dry-run'] ? undefined : storeChoice(values, env),
    rejects: values.rejects,
    checkpoint: values.checkpoint,
    selfTest: values['self-test'],
    batchSize: integerOption(values['batch-size'], 'batch-size', 100, 1, 100),
    checkpointEvery: integerOption(values['checkpoint-every'], 'checkpoint-every', 25_000, 1, 1_000_000),
    maxRejectSharePercent: integerOption(values['max-reject-share']?.replace(/\s*%$/, ''), 'max-reject-share', DEFAULT_MAX_REJECT_SHARE_PERCENT, 0, 100),
  };
}

/** The error for an import most of whose records were refused for one reason, with its likely cause. */
async function explainDominantReject(dominant: DominantReject, args: ImportArgs): Promise<string> {
  const share = dominant.everyRecord
    ? `every record (${dominant.processed.toLocaleString('en-US')}) was rejected as "${dominant.category}"`
    : `${dominant.count.toLocaleString('en-US')} of ${dominant.processed.toLocaleString('en-US')} records were rejected as "${dominant.category}", more than --max-reject-share ${args.maxRejectSharePercent} %`;
  const fit = await checkPresetFit(args.input, args.read);
  const cause =
    (fit && describePresetFit(fit, args.input, args.read.preset)) ??
    `the file has the columns the ${args.read.preset} preset reads, so the records themselves are the cause: read the reasons ${args.rejects ? `in ${args.rejects}` : 'above (or pass --rejects FILE)'}`;
  return `${share}. Likely cause: ${cause}.`;
}

function firebaseFlags(values: Record<string, string | boolean | string[] | undefined>): FirebaseHashConfig | undefined {
  const names = ['firebase-signer-key', 'firebase-salt-separator', 'firebase-rounds', 'firebase-mem-cost'] as const;
  const given = names.filter((name) => values[name] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < names.length) throw new UsageError(`pass all four Firebase hash parameters: missing ${names.filter((n) => !given.includes(n)).map((n) => `--${n}`).join(', ')}`);
  try {
    return parseFirebaseHashConfig(
      { signerKey: values['firebase-signer-key'], saltSeparator: values['firebase-salt-separator'], rounds: values['firebase-rounds'], memCost: values['firebase-mem-cost'] },
      'the --firebase-* flags',
    );
  } catch (error) {
    if (error instanceof FieldError) throw new UsageError(error.message);
    throw error;
  }
}

function storeChoice(values: Record<string, string | boolean | string[] | undefined>, env: NodeJS.ProcessEnv): StoreChoice {
  const flag = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const usersFile = flag('users-file') ?? env.LegacyUsersFile;
  const kind = flag('store') ?? env.LegacyStore ?? (flag('users-file') ? 'file' : 'table');
  if (kind === 'file') {
    if (!usersFile) throw new UsageError('--store file needs --users-file PATH (or LegacyUsersFile): the JSON-lines users file the function reads');
    return { kind: 'file', usersFile: path.resolve(usersFile) };
  }
  if (kind !== 'table') throw new UsageError(`--store ${kind} is not supported here: use table or file (the http store verifies passwords itself; there is nothing to import)`);
  if (flag('users-file')) throw new UsageError('--users-file is for --store file; with the table store drop it');
  const endpoint = flag('table-endpoint') ?? (flag('table-connection-string') ? undefined : env.LegacyTableEndpoint);
  const connectionString = flag('table-connection-string') ?? (endpoint ? undefined : env.LegacyTableConnectionString);
  if (!endpoint && !connectionString) {
    throw new UsageError('the table store needs --table-endpoint https://<account>.table.core.windows.net or --table-connection-string (Azurite), or LegacyTableEndpoint / LegacyTableConnectionString; or use --dry-run');
  }
  if (endpoint && connectionString) throw new UsageError('pass either --table-endpoint or --table-connection-string, not both');
  const tableName = flag('table-name') ?? env.LegacyTableName ?? 'LegacyUsers';
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(tableName)) throw new UsageError('--table-name must be 3-63 letters and digits, starting with a letter');
  return { kind: 'table', ...(endpoint ? { endpoint } : { connectionString }), tableName };
}

async function openStore(choice: StoreChoice, batchSize: number): Promise<ImportStore> {
  if (choice.kind === 'file') {
    return {
      identity: `file:${choice.usersFile}`,
      openSink: (resumeBytes) => FileSink.open(choice.usersFile, resumeBytes),
      repository: () => FileUserRepository.load(choice.usersFile),
    };
  }
  const client = createTableClient({ endpoint: choice.endpoint, connectionString: choice.connectionString, tableName: choice.tableName });
  try {
    await ensureTable(client);
  } catch (error) {
    const message = error instanceof Error ? error.message : describeTableFailure(error, 'create the table');
    // The shared message speaks of the function app's identity; here the caller's own sign-in needs the role.
    throw new Error(message.includes("function app's identity") ? `${message} (for import-legacy: the identity you run it as, e.g. your az login)` : message);
  }
  const description = describeStore(choice);
  return {
    identity: `table:${accountOf(choice)}/${choice.tableName}`,
    openSink: async () => new TableSink(client, description, { batchSize }),
    repository: async () => new TableUserRepository(client),
  };
}

function describeStore(choice: StoreChoice | undefined): string {
  if (!choice) return 'no store (dry run)';
  return choice.kind === 'file' ? `users file ${choice.usersFile}` : `table ${choice.tableName} (${accountOf(choice)})`;
}

/** The storage account or endpoint host: identifies the store without the key a connection string holds. */
function accountOf(choice: Extract<StoreChoice, { kind: 'table' }>): string {
  if (choice.endpoint) {
    try {
      const url = new URL(choice.endpoint);
      return `${url.host}${url.pathname.replace(/\/$/, '')}`;
    } catch {
      return 'endpoint';
    }
  }
  const cs = choice.connectionString ?? '';
  const tableEndpoint = /(?:^|;)\s*TableEndpoint\s*=\s*([^;]+)/i.exec(cs)?.[1]?.trim();
  if (tableEndpoint) {
    try {
      const url = new URL(tableEndpoint);
      return `${url.host}${url.pathname.replace(/\/$/, '')}`;
    } catch {
      /* fall through to the account name */
    }
  }
  if (/(?:^|;)\s*UseDevelopmentStorage\s*=\s*true/i.test(cs)) return 'devstoreaccount1';
  return /(?:^|;)\s*AccountName\s*=\s*([^;]+)/i.exec(cs)?.[1]?.trim() ?? 'account';
}
