/**
 * `jitmigrate b2c-policies`: writes the Azure AD B2C custom-policy files of the migration (lib/b2c/policies)
 * and prints the upload order and the policy keys the chosen auth type needs. Offline: nothing is uploaded
 * and no secret is asked for or printed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { B2cPolicyOptionsError, describePolicyKeyCreation, generateB2cPolicies, type B2cPolicies, type B2cPolicyOption, type B2cPolicyOptions } from '../../../lib/b2c/policies';
import { DEFAULT_B2C_API_KEY_HEADER, DEFAULT_B2C_BASE_POLICY, DEFAULT_B2C_POLICY_PREFIX } from '../../../lib/b2c/policies';
import { makeDirectory, requireOutputFile } from '../operations/files';
import { processIo, withExitCode, type CommandIo } from '../operations/io';
import { parseOptions, UsageError } from './args';

export const B2C_POLICIES_SCHEMA = 'jitmigrate.b2c-policies/1';
const GRAPH_UPLOAD = 'PUT https://graph.microsoft.com/beta/trustFramework/policies/{id}/$value';

const HELP = `usage: jitmigrate b2c-policies --tenant TENANT.onmicrosoft.com --api-url https://HOST
                              --extensions-app-client-id GUID --extensions-app-object-id GUID --out DIR
                              [--auth bearer|basic|clientCertificate|apiKey] [--api-app-id GUID | --api-scope SCOPE]
                              [--api-key-header NAME] [--base-policy ID] [--policy-prefix PREFIX] [--json]

Writes the Azure AD B2C custom policies of the just-in-time migration to DIR: the layer <prefix>_Migration
(on --base-policy) and the relying parties <prefix>_SignUpOrSignIn and <prefix>_PasswordReset. The same
options always give the same bytes. Prints the upload order and the policy keys to create for --auth.
  --tenant                     the B2C tenant's initial domain, e.g. contoso.onmicrosoft.com
  --api-url                    the function app's origin, https and no path (the policies call /api/b2c/...)
  --auth                       how B2C authenticates to the function (default basic)
  --extensions-app-client-id   the b2c-extensions-app's Application (client) ID (the migration flag's app)
  --extensions-app-object-id   the b2c-extensions-app's Object ID
  --api-app-id                 bearer: the function's API app registration; scope api://<id>/.default
  --api-scope                  bearer: the token scope instead (the API's application ID URI + /.default)
  --api-key-header             apiKey: the header carrying the key (default ${DEFAULT_B2C_API_KEY_HEADER})
  --base-policy                the policy the layer extends (default ${DEFAULT_B2C_BASE_POLICY})
  --policy-prefix              prefix of the generated policy ids and policy keys (default ${DEFAULT_B2C_POLICY_PREFIX})
  --out                        the folder to write to (created if missing; files of the same name are replaced)
  --json                       print one JSON object (schema ${B2C_POLICIES_SCHEMA})`;

/** The CLI flag of each library option (user messages have no flag: their defaults apply). */
const FLAGS: Partial<Record<B2cPolicyOption, string>> = {
  tenant: '--tenant',
  apiUrl: '--api-url',
  auth: '--auth',
  extensionsAppClientId: '--extensions-app-client-id',
  extensionsAppObjectId: '--extensions-app-object-id',
  apiAppId: '--api-app-id',
  apiScope: '--api-scope',
  apiKeyHeader: '--api-key-header',
  basePolicy: '--base-policy',
  policyPrefix: '--policy-prefix',
};

export async function runB2cPolicies(argv: string[], io: CommandIo): Promise<number> {
  return withExitCode(io, 'b2c-policies', async () => {
    const { values } = parseOptions(
      argv,
      {
        tenant: { type: 'string' },
        'api-url': { type: 'string' },
        auth: { type: 'string' },
        'extensions-app-client-id': { type: 'string' },
        'extensions-app-object-id': { type: 'string' },
        'api-app-id': { type: 'string' },
        'api-scope': { type: 'string' },
        'api-key-header': { type: 'string' },
        'base-policy': { type: 'string' },
        'policy-prefix': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
      HELP,
    );
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    if (values.out === undefined) throw new UsageError(`--out is required: the folder to write the policy files to\n\n${HELP}`);
    const policies = generate({
      tenant: values.tenant!,
      apiUrl: values['api-url']!,
      auth: values.auth as B2cPolicyOptions['auth'],
      extensionsAppClientId: values['extensions-app-client-id']!,
      extensionsAppObjectId: values['extensions-app-object-id']!,
      apiAppId: values['api-app-id'],
      apiScope: values['api-scope'],
      apiKeyHeader: values['api-key-header'],
      basePolicy: values['base-policy'],
      policyPrefix: values['policy-prefix'],
    });
    const outDir = path.resolve(values.out);
    const written = await writePolicyFiles(policies, outDir);
    io.out(values.json ? `${JSON.stringify(jsonSummary(policies, written))}\n` : formatSummary(policies, written));
    return 0;
  });
}

/** Generates, turning option problems into one usage error that names the flags. */
function generate(options: B2cPolicyOptions): B2cPolicies {
  try {
    return generateB2cPolicies(options);
  } catch (error) {
    if (error instanceof B2cPolicyOptionsError) throw new UsageError(error.describe((option) => FLAGS[option] ?? option));
    throw error;
  }
}

/** Every path is checked before the first file is written, so a bad --out changes nothing. */
async function writePolicyFiles(policies: B2cPolicies, outDir: string): Promise<string[]> {
  await makeDirectory(outDir, '--out', 0o755);
  const paths = policies.files.map((file) => path.join(outDir, file.fileName));
  for (const file of paths) await requireOutputFile(file, '--out');
  for (const [index, file] of paths.entries()) await fs.writeFile(file, policies.files[index]!.xml, { mode: 0o644 });
  return paths;
}

function jsonSummary(policies: B2cPolicies, written: readonly string[]) {
  return {
    schema: B2C_POLICIES_SCHEMA,
    tenant: policies.options.tenant,
    auth: policies.options.auth,
    basePolicy: policies.options.basePolicy,
    files: policies.files.map((file, index) => ({ policyId: file.policyId, path: written[index] })),
    uploadOrder: policies.files.map((file) => file.policyId),
    policyKeys: policies.policyKeys,
  };
}

function formatSummary(policies: B2cPolicies, written: readonly string[]): string {
  const { options } = policies;
  const lines = [
    `Wrote ${written.length} policy files:`,
    ...written.map((file) => `  ${file}`),
    '',
    `Upload order (after the starter pack's chain up to ${options.basePolicy}, which must already be in the tenant):`,
    ...policies.files.map((file, index) => `  ${index + 1}. ${file.policyId}  (${file.fileName})`),
    `  portal: Identity Experience Framework > Upload custom policy (Overwrite the custom policy if it already exists)`,
    `  Graph:  ${GRAPH_UPLOAD} with Content-Type: application/xml (permission Policy.ReadWrite.TrustFramework)`,
    '',
    `Policy keys --auth ${options.auth} needs (create them before uploading ${options.policyIds.migration}):`,
    ...policies.policyKeys.flatMap((key) => describePolicyKeyCreation(key).map((line) => `  ${line}`)),
  ];
  if (options.auth === 'bearer') {
    lines.push(`  The token is requested for scope ${options.apiScope}: grant the client app an application permission (app role) on that API.`);
  }
  return `${lines.join('\n')}\n`;
}

export const b2cPoliciesCommand = {
  summary: 'write the Azure AD B2C custom policies of the migration, and list the policy keys they need',
  run: (argv: string[]): Promise<number> => runB2cPolicies(argv, processIo()),
};
