/**
 * `jitmigrate provision-users`: pre-creates the legacy users in External ID, flagged for just-in-time
 * password migration (docs/entra-contracts.md#migration-flag; JIT only runs for users that exist and carry the flag).
 * The engine is provisioning/engine.ts; this module is options, wiring, Ctrl-C and exit codes.
 */
import path from 'node:path';
import { APP_IDENTITY_HELP, AppIdentityError, graphClientFromEnvironment, GRAPH_TOKEN_VARIABLE, parseAppIdentities, type AppIdentity, type GraphEnvironmentOptions } from '../../../lib/graph';
import { isPresetName, PRESET_NAMES } from '../legacyExport/presets';
import { ExportOptionsError, readLegacyExport } from '../legacyExport/reader';
import type { ReadExportOptions } from '../legacyExport/types';
import { errorMessage, requireInputFile, requireOutputFile } from '../operations/files';
import { PLATFORM_HELP, PLATFORM_OPTION, platformOption } from '../identityPlatform';
import { createProgress } from '../progressBar';
import { CheckpointFile, CheckpointMismatchError } from '../provisioning/checkpoint';
import { AdaptiveConcurrency } from '../provisioning/concurrency';
import { provisionUsers, type GraphBatcher, type ProvisionSummary } from '../provisioning/engine';
import { ErrorReportFile } from '../provisioning/errorReport';
import { formatSummary } from '../provisioning/summary';
import { checkB2cMigrationProperty, checkDomain, checkMigrationProperty, MFA_METHODS, type MfaMethod, type ProvisioningTarget } from '../provisioning/target';
import type { Sleep } from '../provisioning/wake';
import { GRAPH_TENANT_WRITE_LIMIT, GRAPH_WRITE_LIMIT, WritePacer } from '../provisioning/writeBudget';
import { UsageError, integerOption, mapOption, parseOptions, runStoppable } from './args';

const HELP = `usage: jitmigrate provision-users --input FILE --migration-property NAME --domain DOMAIN [options]

Creates one External ID (--platform b2c: Azure AD B2C) user per exported legacy user: an email sign-in
identity, a random unique password nobody knows, and the migration flag set, so the first sign-in runs the JIT migration.
Resumable: run the same command again after Ctrl-C, a crash or failures; nothing is created twice.

Required:
  --input FILE               the legacy export (CSV, JSON lines or JSON; read as import-legacy reads it)
  --migration-property NAME  the Boolean custom attribute the JIT listener reads, in full:
                             extension_<b2c-extensions-app appId without hyphens>_<name>
  --domain DOMAIN            the tenant's domain, e.g. contoso.onmicrosoft.com (identity issuer, UPN suffix)

Options:
  --preset P                 aspnet-identity | django | firebase | keycloak | generic | b2c (default generic);
                             b2c: the JSON lines of export-b2c (Azure AD B2C to External ID)
  --b2c-object-id-property NAME  --preset b2c: keep each B2C user's object id in this extension property,
                             extension_<b2c-extensions-app appId without hyphens>_b2cObjectId (the stack makes it)
  --mfa-methods phone|email|both  --preset b2c: register the B2C mobile phone (+{country code} {number}) and/or
                             the sign-in email as authentication methods (UserAuthenticationMethod.ReadWrite.All)
  --identity ID:KIND=VALUE   sign in as this app registration (repeatable: each adds Graph's per-app write
                             budget, up to the tenant's); needs --tenant. ${APP_IDENTITY_HELP}
  --map TARGET=SOURCE        read a field from another column (repeatable), as import-legacy;
                             attributes.<user property>=SOURCE sets a profile attribute
  --checkpoint FILE          default <input>.provision.checkpoint.jsonl
  --errors FILE              per-user report, default next to the checkpoint (<...>.provision.errors.jsonl)
  --dry-run                  read, validate and plan; write nothing to Graph; look up existing users
                             when Graph is configured (--tenant or ${GRAPH_TOKEN_VARIABLE})
  --tenant TENANT_ID         the External ID (or B2C) tenant to sign in to (DefaultAzureCredential)
  --max-concurrency N        $batch requests in flight, 1-32 (default 8); adapts below it on throttling
  ${PLATFORM_HELP}
                             b2c: B2C local accounts (identity issued by --domain, no UPN sent: B2C makes it,
                             passwordPolicies DisablePasswordExpiration, DisableStrongPassword); the flag must
                             be extension_<b2c-extensions-app appId without hyphens>_requiresMigration

JITMIGRATE_GRAPH_URL and ${GRAPH_TOKEN_VARIABLE} replace the Graph endpoint and the credential.
Writes stay under Graph's published limits: 3,000 per 2 min 30 s per app and tenant (~20 users/s per identity)
and 18,000 per 5 min per tenant (60/s: three identities fill it); B2C too.
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
  'b2c-object-id-property': { type: 'string' },
  'mfa-methods': { type: 'string' },
  identity: { type: 'string', multiple: true },
  ...PLATFORM_OPTION,
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
  /** `--identity`: none = one DefaultAzureCredential (or the preset token). */
  readonly identities: readonly AppIdentity[];
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
      writeBudget: WritePacer.forIdentities(Math.max(1, args.identities.length), GRAPH_WRITE_LIMIT, GRAPH_TENANT_WRITE_LIMIT, io.now),
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
  if (summary.stoppedBecause !== undefined || summary.failedTotal > 0 || summary.notAttempted > 0 || (summary.methods?.failed ?? 0) > 0) return 1;
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
  const platform = platformOption(values.platform);
  if (values.preset === 'b2c' && platform === 'b2c') throw new UsageError('--preset b2c provisions B2C users into External ID: remove --platform b2c');
  if (platform === 'b2c') {
    const b2cFlag = checkB2cMigrationProperty(migrationProperty.value);
    if (!b2cFlag.ok) throw new UsageError(b2cFlag.problem);
  }
  const preset = values.preset ?? 'generic';
  if (!isPresetName(preset)) throw new UsageError(`--preset ${preset} is unknown: use one of ${PRESET_NAMES.join(', ')}`);
  const b2cOptions = b2cPresetOptions(values, preset, migrationProperty.value);
  let identities: AppIdentity[];
  try {
    identities = parseAppIdentities(values.identity ?? []);
  } catch (error) {
    throw new UsageError(error instanceof AppIdentityError ? error.message : String(error));
  }
  if (identities.length > 0 && values.tenant === undefined) throw new UsageError('--identity signs in to a tenant: pass --tenant <External ID tenant ID> too');

  const input = path.resolve(values.input);
  const checkpoint = path.resolve(values.checkpoint ?? `${input}.provision.checkpoint.jsonl`);
  return {
    input,
    read: { preset, mapping: mapOption(values.map ?? []) },
    // No platform key for External ID: its checkpoint and requests stay exactly as before --platform existed.
    target: { domain: domain.value, migrationProperty: migrationProperty.value, ...(platform === 'b2c' ? { platform } : {}), ...b2cOptions },
    checkpoint,
    errors: path.resolve(values.errors ?? defaultErrorsFile(checkpoint)),
    dryRun: values['dry-run'] ?? false,
    tenant: values.tenant,
    maxConcurrency: integerOption(values['max-concurrency'], 'max-concurrency', 8, 1, 32),
    identities,
  };
}

/** `--b2c-object-id-property` and `--mfa-methods`: only with `--preset b2c`, whose lines carry the object id and phone. */
function b2cPresetOptions(
  values: { 'b2c-object-id-property'?: string; 'mfa-methods'?: string },
  preset: string,
  migrationProperty: string,
): Pick<ProvisioningTarget, 'b2cObjectIdProperty' | 'mfaMethods'> {
  const objectIdOption = values['b2c-object-id-property'];
  const methodsOption = values['mfa-methods'];
  for (const [option, given] of [['--b2c-object-id-property', objectIdOption], ['--mfa-methods', methodsOption]] as const) {
    if (given !== undefined && preset !== 'b2c') throw new UsageError(`${option} applies to B2C users: pass --preset b2c with the export-b2c file, or remove ${option}`);
  }
  const options: { b2cObjectIdProperty?: string; mfaMethods?: readonly MfaMethod[] } = {};
  if (objectIdOption !== undefined) {
    const checked = checkMigrationProperty(objectIdOption, '--b2c-object-id-property', 'extension_00001111aaaa2222bbbb3333cccc4444_b2cObjectId');
    if (!checked.ok) throw new UsageError(checked.problem);
    if (checked.value.toLowerCase() === migrationProperty.toLowerCase()) throw new UsageError('--b2c-object-id-property must be another property than --migration-property (a String one, not the Boolean flag)');
    options.b2cObjectIdProperty = checked.value;
  }
  if (methodsOption !== undefined) options.mfaMethods = parseMfaMethods(methodsOption);
  return options;
}

function parseMfaMethods(raw: string): readonly MfaMethod[] {
  const words = raw.split(',').map((word) => word.trim().toLowerCase());
  if (words.length === 1 && words[0] === 'both') return MFA_METHODS;
  if (words.length > 0 && words.every((word): word is MfaMethod => (MFA_METHODS as readonly string[]).includes(word))) return MFA_METHODS.filter((method) => words.includes(method));
  throw new UsageError(`--mfa-methods must be phone, email or both (phone,email), got "${raw}"`);
}

/** Next to the checkpoint: run.provision.checkpoint.jsonl → run.provision.errors.jsonl. */
function defaultErrorsFile(checkpoint: string): string {
  return checkpoint.endsWith('.checkpoint.jsonl') ? `${checkpoint.slice(0, -'.checkpoint.jsonl'.length)}.errors.jsonl` : `${checkpoint}.errors.jsonl`;
}

/** A dry run without a tenant or token stays offline; everything else needs Graph: one client per --identity. */
function graphFor(args: ProvisionArgs, io: ProvisionIo, concurrency: AdaptiveConcurrency): GraphBatcher[] | undefined {
  if (args.dryRun && args.tenant === undefined && !io.env[GRAPH_TOKEN_VARIABLE]?.trim()) return undefined;
  const options: GraphEnvironmentOptions = {
    tenantId: args.tenant,
    env: io.env,
    client: { onThrottle: (info) => concurrency.onThrottle(info), ...(io.sleep ? { sleep: (ms: number) => (io.sleep as Sleep)(ms) } : {}) },
  };
  try {
    if (args.identities.length === 0) return [graphClientFromEnvironment(options)];
    return args.identities.map((identity) => graphClientFromEnvironment({ ...options, identity }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
