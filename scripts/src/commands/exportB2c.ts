/**
 * `jitmigrate export-b2c`: reads every user of an Azure AD B2C tenant through Graph and writes the ones that
 * move to External ID as JSON lines for `provision-users --preset b2c`, with a report of the others and why
 * (docs/export-b2c.md). The run is b2cExport/exporter.ts; this module is options, wiring, Ctrl-C and exit codes.
 */
import path from 'node:path';
import { graphClientFromEnvironment, GRAPH_TOKEN_VARIABLE, GRAPH_URL_VARIABLE, type GraphClient } from '../../../lib/graph';
import type { ExtensionAttribute } from '../b2cExport/classify';
import { exportB2cUsers, PagingLoopError } from '../b2cExport/exporter';
import { exportSummary, formatExportSummary } from '../b2cExport/summary';
import { errorMessage, requirePaths } from '../operations/files';
import { processIo, progressStream, withExitCode, type CommandIo } from '../operations/io';
import { createProgress } from '../progressBar';
import { parseOptions, runStoppable, UsageError } from './args';
import { EXTENSION_ATTRIBUTE } from '../../../lib/ids/extensionAttribute';

const HELP = `usage: jitmigrate export-b2c --tenant B2C_DOMAIN --out FILE [options]

Reads every user of the Azure AD B2C tenant (Graph GET /users, 999 a page; no $count or $search, which B2C
lacks) and writes the users that move to External ID as JSON lines, one a line, as they come. Each user is
classified: a local account with an email migrates; a local account with a username only migrates with
--allow-usernames, else it is reported; social (federated-only) users are reported with their provider and
never created with a password; #EXT# guests are skipped and reported; disabled users are exported, marked
to be created disabled. Resumable: run the same command again after Ctrl-C, a crash or a failure.

Required:
  --tenant B2C_DOMAIN        the B2C tenant's domain, like contosob2c.onmicrosoft.com (DefaultAzureCredential
                             signs in to it; needs the Graph application permission User.Read.All)
  --out FILE                 the export, JSON lines (schema in docs/export-b2c.md), mode 0600

Options:
  --attributes NAMES         extension attributes to carry, full names separated by commas (repeatable):
                             extension_<b2c-extensions-app appId without hyphens>_<name>
  --allow-usernames          migrate username-only local accounts with a username identity (External ID's
                             username sign-in is a preview feature); without it they are reported
  --report FILE              the users not migrated, one JSON line each with the reason; default <out>.report.jsonl
  --checkpoint FILE          default <out>.checkpoint.json
  --json                     print the summary as one JSON object (schema jitmigrate.export-b2c/1)

${GRAPH_URL_VARIABLE} and ${GRAPH_TOKEN_VARIABLE} replace the Graph endpoint and the credential.
Progress goes to stderr. Throttled reads wait as Graph's Retry-After asks.
Exit codes: 0 export complete; 1 a runtime failure (run the same command to resume); 2 usage error;
130 stopped by Ctrl-C (run the same command to resume).
Details: docs/export-b2c.md`;

const OPTIONS = {
  tenant: { type: 'string' },
  out: { type: 'string' },
  report: { type: 'string' },
  checkpoint: { type: 'string' },
  attributes: { type: 'string', multiple: true },
  'allow-usernames': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Throttled pages are retried this many times (each after its Retry-After) before the run stops, resumable. */
const THROTTLE_RETRIES = 10;

const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

export interface ExportB2cIo extends CommandIo {
  /** Aborted to stop after the page in hand; the CLI wires it to Ctrl-C. */
  readonly stop?: AbortSignal;
  /** Tests: short waits for Retry-After. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface ExportArgs {
  readonly tenant: string;
  readonly out: string;
  readonly report: string;
  readonly checkpoint: string;
  readonly attributes: readonly ExtensionAttribute[];
  readonly allowUsernames: boolean;
  readonly json: boolean;
}

export const exportB2cCommand = {
  summary: 'export the users of an Azure AD B2C tenant for External ID, classified, with a report of the rest',
  run(argv: string[]): Promise<number> {
    return runStoppable('Stopping after the page in hand (Ctrl-C again quits at once; the next run resumes from the checkpoint)…', (stop) => runExportB2c(argv, { ...processIo(), stop }));
  },
};

/** The command with its I/O passed in (tests run it in-process). */
export async function runExportB2c(argv: string[], io: ExportB2cIo): Promise<number> {
  return withExitCode(io, 'export-b2c', async () => {
    const args = parseArgs(argv);
    if (args === 'help') {
      io.out(`${HELP}\n`);
      return 0;
    }
    await requirePaths({ outputs: [['--out', args.out], ['--report', args.report], ['--checkpoint', args.checkpoint]] });
    let throttled = 0;
    const client = graphClientFor(args.tenant, io, (waitMs, status) => {
      throttled++;
      io.err(`export-b2c: Graph answered ${status}; waiting ${Math.ceil(waitMs / 1000)} s as Retry-After asks\n`);
    });
    io.err(`export-b2c: ${args.tenant} → ${args.out}; checkpoint ${args.checkpoint}\n`);
    const result = await exportB2cUsers({
      client,
      tenant: args.tenant,
      outFile: args.out,
      reportFile: args.report,
      checkpointFile: args.checkpoint,
      classify: { allowUsernames: args.allowUsernames, attributes: args.attributes },
      signal: io.stop,
      progress: () => createProgress({ label: 'export-b2c', stream: progressStream(io) }),
      now: io.now,
    }).catch((error: unknown) => {
      if (error instanceof UsageError || error instanceof PagingLoopError) throw error;
      throw new Error(`${errorMessage(error).replace(/\.+$/, '')}. The pages read before are written and checkpointed in ${args.checkpoint}: run the same command to resume`);
    });
    const summary = exportSummary(result, { tenant: args.tenant, out: args.out, report: args.report, checkpoint: args.checkpoint, throttled });
    io.out(args.json ? `${JSON.stringify(summary)}\n` : formatExportSummary(summary));
    return result.interrupted ? 130 : 0;
  });
}

function parseArgs(argv: string[]): ExportArgs | 'help' {
  const { values } = parseOptions(argv, OPTIONS, HELP);
  if (values.help) return 'help';
  const tenant = values.tenant?.trim();
  if (!tenant) throw new UsageError("--tenant is required: the B2C tenant's domain, like contosob2c.onmicrosoft.com");
  if (!DOMAIN.test(tenant)) throw new UsageError(`--tenant must be the B2C tenant's domain, like contosob2c.onmicrosoft.com, got "${tenant}"`);
  if (!values.out) throw new UsageError('--out FILE is required: where to write the exported users (JSON lines)');
  const out = path.resolve(values.out);
  const report = path.resolve(values.report ?? `${out}.report.jsonl`);
  const checkpoint = path.resolve(values.checkpoint ?? `${out}.checkpoint.json`);
  if (new Set([out, report, checkpoint]).size < 3) throw new UsageError('--out, --report and --checkpoint must be three different files');
  return { tenant, out, report, checkpoint, attributes: parseAttributes(values.attributes ?? []), allowUsernames: values['allow-usernames'] ?? false, json: values.json ?? false };
}

/** `--attributes a,b --attributes c`: full extension attribute names, each written under its short name. */
export function parseAttributes(flags: readonly string[]): ExtensionAttribute[] {
  const byShortName = new Map<string, ExtensionAttribute>();
  for (const name of flags.flatMap((flag) => flag.split(',')).map((item) => item.trim())) {
    if (name === '') continue;
    const match = EXTENSION_ATTRIBUTE.exec(name);
    if (!match) throw new UsageError(`--attributes ${name}: name each attribute in full, extension_<b2c-extensions-app appId without hyphens (32 hex digits)>_<name>, like extension_00001111aaaa2222bbbb3333cccc4444_loyaltyNumber`);
    const shortName = match[2] as string;
    const other = byShortName.get(shortName.toLowerCase());
    if (other !== undefined && other.name.toLowerCase() !== name.toLowerCase()) throw new UsageError(`--attributes names ${other.name} and ${name}: both would be written as "${shortName}"; export them in separate runs`);
    byShortName.set(shortName.toLowerCase(), { name, shortName });
  }
  return [...byShortName.values()];
}

function graphClientFor(tenant: string, io: ExportB2cIo, onThrottle: (waitMs: number, status: number) => void): GraphClient {
  try {
    return graphClientFromEnvironment({
      tenantId: tenant,
      env: io.env,
      client: { maxRetries: THROTTLE_RETRIES, ...(io.sleep ? { sleep: io.sleep } : {}), onThrottle: ({ retryAfterMs, status }) => onThrottle(retryAfterMs, status) },
    });
  } catch (error) {
    throw new UsageError(`${errorMessage(error)} (${GRAPH_TOKEN_VARIABLE} replaces the sign-in)`);
  }
}
