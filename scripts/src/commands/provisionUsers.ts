/**
 * `jitmigrate provision-users`: pre-creates the legacy users in External ID, flagged for just-in-time
 * password migration (docs/entra-contracts.md#migration-flag; JIT only runs for users that exist and carry the flag).
 * The engine is provisioning/engine.ts; this module is options, wiring, Ctrl-C and exit codes.
 */
import path from 'node:path';
import { graphClientFromEnvironment, GRAPH_TOKEN_VARIABLE, type GraphEnvironmentOptions } from '../../../lib/graph';
import { isPresetName, PRESET_NAMES } from '../legacyExport/presets';
import { ExportOptionsError, readLegacyExport } from '../legacyExport/reader';
import type { ReadExportOptions } from '../legacyExport/types';
import { errorMessage, requireInputFile, requireOutputFile } from '../operations/files';
import { createProgress } from '../progressBar';
import { CheckpointFile, CheckpointMismatchError } from '../provisioning/checkpoint';
import { AdaptiveConcurrency } from '../provisioning/concurrency';
import { provisionUsers, type GraphBatcher, type ProvisionSummary } from '../provisioning/engine';
import { ErrorReportFile } from '../provisioning/errorReport';
import { formatSummary } from '../provisioning/summary';
import { checkDomain, checkMigrationProperty, type ProvisioningTarget } from '../provisioning/target';
import type { Sleep } from '../provisioning/wake';
import { GRAPH_WRITE_LIMIT, WriteBudget } from '../provisioning/writeBudget';
import { UsageError, integerOption, mapOption, parseOptions, runStoppable } from './args';

const HELP = `usage: jitmigrate provision-users --input FILE --migration-property NAME --domain DOMAIN [options]

Creates one External ID user per exported legacy user: an email sign-in identity, a random unique
password nobody knows, and the migration flag set, so the first sign-in runs the JIT migration.
Resumable: run the same command again after Ctrl-C, a crash or failures; nothing is created twice.

Required:
  --input FILE               the legacy export (CSV, JSON lines or JSON; read as import-legacy reads it)
  --migration-property NAME  the Boolean custom attribute the JIT listener reads, in full:
                             extension_<b2c-extensions-app appId without hyphens>_<name>
  --domain DOMAIN            the tenant's domain, e.g. contoso.onmicrosoft.com (identity issuer, UPN suffix)

Options:
  --preset P                 aspnet-identity | django | firebase | keycloak | generic (default generic)
  --map TARGET=SOURCE        read a field from another column (repeatable), as import-legacy;
                             attributes.<user property>=SOURCE sets a profile attribute
  --checkpoint FILE          default <input>.provision.checkpoint.jsonl
  --errors FILE              per-user report, default next to the checkpoint (<...>.provision.errors.jsonl)
  --dry-run                  read, validate and plan; write nothing to Graph; look up existing users
                             when Graph is configured (--tenant or ${GRAPH_TOKEN_VARIABLE})
  --tenant TENANT_ID         the External ID tenant to sign in to (DefaultAzureCredential)
  --max-concurrency N        $batch requests in flight, 1-32 (default 8); adapts below it on throttling

JITMIGRATE_GRAPH_URL and ${GRAPH_TOKEN_VARIABLE} replace the Graph endpoint and the credential.
Writes stay under Graph's published limit (3,000 per 2 min 30 s per app and tenant, ~20 users/s).
Exit codes: 0 every user created or already there; 1 a user failed (see --errors) or the run
stopped; 2 usage error; 130 stopped by Ctrl-C (run the same command to resume).
Details: docs/provision-users.md`;

const OPTIONS = {
  input: { type: 'string' },
  'migration-property': { type: 'string' },
  domain: { type: 'string' },
  checkpoint: { type: 'string' },
  errors: { type: 'string' },
  'dry-run': { type: 'boolean' },
  preset: { type: 'string' },
  map: { type: 'string', multiple: true },
  tenant: { type: 'string' },
  'max-concurrency': { type: 'string' },
} as const;

export interface ProvisionIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted to stop cleanly; the CLI wires it to Ctrl-C. */
  readonly stop?: AbortSignal;
  /** Tests: a clock whose waits are short (Retry-After, pacing), for the Graph client and the run alike. */
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

interface ProvisionArgs {
  readonly input: string;
  readonly read: ReadExportOptions;
  readonly target: ProvisioningTarget;
  readonly checkpoint: string;
  readonly errors: string;
  readonly dryRun: boolean;
  readonly tenant?: string;
  readonly maxConcurrency: number;
}

export const provisionUsersCommand = {
  summary: 'create the users in External ID through Graph $batch, flagged for migration',
  run(argv: string[]): Promise<number> {
    // The checkpoint is written ahead of every send, so even quitting at once loses nothing.
    return runStoppable('Stopping: batches in flight finish and are recorded (Ctrl-C again quits at once; the next run looks those users up)…', (stop) => runProvisionUsers(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, stop }));
  },
};

/** The command with its I/O passed in (tests run it in-process). */
export async function runProvisionUsers(argv: string[], io: ProvisionIo): Promise<number> {
  let args: ProvisionArgs;
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(`${HELP}\n`);
      return 0;
    }
    args = parsed;
    await requireInputFile(args.input, '--input');
    // A dry run only reads the checkpoint (when there is one).
    if (!args.dryRun) await requireOutputFile(args.checkpoint, '--checkpoint');
    await requireOutputFile(args.errors, '--errors');
  } catch (error) {
    return failure(error, io);
  }

  const concurrency = new AdaptiveConcurrency({ max: args.maxConcurrency, now: io.now });
  let checkpoint: CheckpointFile | undefined;
  let errors: ErrorReportFile | undefined;
  try {
    const graph = graphFor(args, io, concurrency);
    checkpoint = await CheckpointFile.open(args.checkpoint, args.target, { readOnly: args.dryRun });
    errors = await ErrorReportFile.create(args.errors);
    io.stderr.write(`provision-users: ${args.input} → ${args.target.domain}${args.dryRun ? ' (dry run)' : ''}; checkpoint ${args.checkpoint}\n`);
    const summary = await provisionUsers({
      rows: () => readLegacyExport(args.input, args.read),
      target: args.target,
      graph,
      checkpoint,
      errors,
      concurrency,
      writeBudget: new WriteBudget(GRAPH_WRITE_LIMIT, io.now),
      dryRun: args.dryRun,
      signal: io.stop,
      sleep: io.sleep,
      now: io.now,
      progress: ({ total }) => createProgress({ total, label: 'provision-users', stream: io.stderr }),
    });
    io.stdout.write(formatSummary(summary, { checkpoint: args.checkpoint, errors: args.errors, changedValues: errors.changed }));
    return exitCode(summary);
  } catch (error) {
    return failure(error, io);
  } finally {
    await checkpoint?.close();
    await errors?.close();
  }
}

function exitCode(summary: ProvisionSummary): number {
  if (summary.interrupted) return 130;
  if (summary.stoppedBecause !== undefined || summary.failedTotal > 0 || summary.notAttempted > 0) return 1;
  return 0;
}

/** Usage problems exit 2 with the fix; anything else 1. Messages only: operators get no stack. */
function failure(error: unknown, io: ProvisionIo): number {
  const usage = error instanceof UsageError || error instanceof CheckpointMismatchError || error instanceof ExportOptionsError;
  io.stderr.write(`provision-users: ${errorMessage(error)}\n`);
  return usage ? 2 : 1;
}

function parseArgs(argv: string[]): ProvisionArgs | 'help' {
  const { values } = parseOptions(argv, OPTIONS, HELP);
  if (values.help) return 'help';
  if (!values.input) throw new UsageError('--input FILE is required: the legacy export to provision (the same file import-legacy read)');
  if (!values['migration-property']) {
    throw new UsageError('--migration-property is required: the full extension attribute name, like extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated');
  }
  if (!values.domain) throw new UsageError("--domain is required: the tenant's domain, like contoso.onmicrosoft.com");
  const migrationProperty = checkMigrationProperty(values['migration-property']);
  if (!migrationProperty.ok) throw new UsageError(migrationProperty.problem);
  const domain = checkDomain(values.domain);
  if (!domain.ok) throw new UsageError(domain.problem);
  const preset = values.preset ?? 'generic';
  if (!isPresetName(preset)) throw new UsageError(`--preset ${preset} is unknown: use one of ${PRESET_NAMES.join(', ')}`);

  const input = path.resolve(values.input);
  const checkpoint = path.resolve(values.checkpoint ?? `${input}.provision.checkpoint.jsonl`);
  return {
    input,
    read: { preset, mapping: mapOption(values.map ?? []) },
    target: { domain: domain.value, migrationProperty: migrationProperty.value },
    checkpoint,
    errors: path.resolve(values.errors ?? defaultErrorsFile(checkpoint)),
    dryRun: values['dry-run'] ?? false,
    tenant: values.tenant,
    maxConcurrency: integerOption(values['max-concurrency'], 'max-concurrency', 8, 1, 32),
  };
}

/** Next to the checkpoint: run.provision.checkpoint.jsonl → run.provision.errors.jsonl. */
function defaultErrorsFile(checkpoint: string): string {
  return checkpoint.endsWith('.checkpoint.jsonl') ? `${checkpoint.slice(0, -'.checkpoint.jsonl'.length)}.errors.jsonl` : `${checkpoint}.errors.jsonl`;
}

/** A dry run without a tenant or token stays offline; everything else needs Graph. */
function graphFor(args: ProvisionArgs, io: ProvisionIo, concurrency: AdaptiveConcurrency): GraphBatcher | undefined {
  if (args.dryRun && args.tenant === undefined && !io.env[GRAPH_TOKEN_VARIABLE]?.trim()) return undefined;
  const options: GraphEnvironmentOptions = {
    tenantId: args.tenant,
    env: io.env,
    client: { onThrottle: (info) => concurrency.onThrottle(info), ...(io.sleep ? { sleep: (ms: number) => (io.sleep as Sleep)(ms) } : {}) },
  };
  try {
    return graphClientFromEnvironment(options);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
