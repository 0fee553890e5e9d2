/** `jitmigrate`: the operator CLI. Each command lives in its own module under commands/. */
import 'reflect-metadata';
import { exitCodeFor } from './commands/args';
import { errorMessage } from './operations/files';

interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  'verify-hash': async () => (await import('./commands/verifyHash')).verifyHashCommand,
  keygen: async () => (await import('./commands/keygen')).keygenCommand,
  serve: async () => (await import('./commands/serve')).serveCommand,
  sandbox: async () => (await import('./commands/sandbox')).sandboxCommand,
  bench: async () => (await import('./commands/bench')).benchCommand,
  'import-legacy': async () => (await import('./commands/importLegacy')).importLegacyCommand,
  'provision-users': async () => (await import('./commands/provisionUsers')).provisionUsersCommand,
  status: async () => (await import('./commands/status')).statusCommand,
  reconcile: async () => (await import('./commands/reconcile')).reconcileCommand,
  finish: async () => (await import('./commands/finish')).finishCommand,
  'b2c-policies': async () => (await import('./commands/b2cPolicies')).b2cPoliciesCommand,
  'export-b2c': async () => (await import('./commands/exportB2c')).exportB2cCommand,
  'bench-provision': async () => (await import('./commands/benchProvision')).benchProvisionCommand,
  'bench-scale': async () => (await import('./commands/benchScale')).benchScaleCommand,
};

const SUMMARIES: Record<string, string> = {
  'verify-hash': 'verify JSON lines {"hash","password","params"?} from stdin; one {"ok","scheme"} line each',
  keygen: 'make the RSA key pair and self-signed certificate Entra encrypts passwords to',
  serve: 'run the function on loopback, configured by the same app settings as in Azure',
  sandbox: 'the local end-to-end demo (npm start): Azurite, the function, a fake Entra, sample sign-ins',
  bench: 'measure handler latency, hashing floor, throughput and cold start (npm run bench)',
  'import-legacy': 'load a legacy export (CSV or JSON lines, with presets) into the legacy store',
  'provision-users': 'create the users in External ID through Graph $batch, flagged for migration',
  status: 'how many users are migrated, pending and failed (Graph and the legacy store)',
  reconcile: 'fix users whose password migrated but whose flag did not, and the reverse',
  finish: 'end-of-window report of users never migrated; optionally detach or delete the listener',
  'b2c-policies': 'write the Azure AD B2C custom policies (migration layer and relying parties) and list their policy keys',
  'export-b2c': 'export the users of an Azure AD B2C tenant for External ID, classified, with a report of the rest',
  'bench-provision': 'measure provisioning throughput against the Graph emulator\'s throttling ceiling',
  'bench-scale': 'measure time and peak memory of import, provisioning and status at 1 M (and 10 M) users',
};

function usage(): string {
  const lines = Object.keys(commands).map((name) => `  ${name.padEnd(12)} ${SUMMARIES[name] ?? ''}`);
  return `usage: jitmigrate <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun jitmigrate <command> --help for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // Asked for: stdout and 0. Missing command: a usage error, stderr and 2.
    (name ? process.stdout : process.stderr).write(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`jitmigrate: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Errors reaching here are ours and already say what to fix; no stack for operators.
    process.stderr.write(`jitmigrate: ${errorMessage(error)}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
