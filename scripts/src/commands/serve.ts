/**
 * `jitmigrate serve --port P`: the same endpoint as in Azure on loopback, configured by the same app
 * settings (environment variables, or the `Values` of a local.settings.json as Azure Functions Core Tools use).
 */
import { promises as fs } from 'node:fs';
import { describeProblems } from '../../../function/src/config';
import { consoleSink } from '../../../function/src/telemetry';
import { startLocalHost } from '../host/localHost';
import { requireInputFile } from '../operations/files';
import { integerOption, parseOptions, UsageError } from './args';
import { untilStopSignal } from './stopSignals';

const HELP = `usage: jitmigrate serve [--port 7071] [--host 127.0.0.1] [--settings local.settings.json]

Serves POST and GET /api/onPasswordSubmit and, with IdentityPlatform=b2c or both, the B2C endpoints
(POST /api/b2c/signin, /api/b2c/signup, /api/b2c/password-reset, GET /api/b2c/health) on loopback, exactly
as the function app serves them in Azure. Settings are the function's app settings
(see the README's configuration reference), read from the environment; --settings adds the "Values"
of a local.settings.json file (the environment wins).`;

export async function readLocalSettings(file: string): Promise<Record<string, string>> {
  await requireInputFile(file, '--settings');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--settings ${file} could not be read as JSON (${error instanceof Error ? error.name : 'error'}): check the path and the file's syntax`);
  }
  const values = (parsed as { Values?: unknown }).Values;
  if (typeof values !== 'object' || values === null) throw new UsageError(`--settings ${file} has no "Values" object: use the local.settings.json layout`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (typeof value === 'string') out[name] = value;
  return out;
}

export const serveCommand = {
  summary: 'serve the function on loopback',
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(argv, { port: { type: 'string' }, host: { type: 'string' }, settings: { type: 'string' } }, HELP);
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const port = integerOption(values.port, 'port', 7071, 1, 65535);
    const env = { ...(values.settings ? await readLocalSettings(values.settings) : {}), ...process.env };
    // Listening before the host starts: a stop signal during start-up closes it once it is up.
    const stopped = untilStopSignal();
    const host = await startLocalHost({ env, port, host: values.host, sink: consoleSink });
    const runtime = await host.endpoint.getRuntime(consoleSink);
    process.stderr.write(`jitmigrate serve: listening on ${host.url}\n`);
    if (runtime.ready && runtime.b2c) process.stderr.write(`jitmigrate serve: B2C endpoints on ${host.origin}/api/b2c/ (signin, signup, password-reset, health)\n`);
    if (!runtime.ready) {
      process.stderr.write(`Not ready (GET answers 503) until these settings are fixed:\n${describeProblems(runtime.problems)}\n`);
    }
    await stopped;
    await host.close();
    return 0;
  },
};
