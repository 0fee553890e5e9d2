/**
 * Runs the Pulumi program under `pulumi.runtime.setMocks` (no CLI, no Azure): records every resource and
 * invoke, answers with plausible, deterministic computed outputs (ids, endpoints, identity ids), and loads a
 * stack file (Pulumi.dev.yaml) the way the CLI would, secrets marked per the project schema.
 * Pattern: pulumi/examples testing-unit-ts (mocks in a helper, program imported after setMocks).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as pulumiType from '@pulumi/pulumi';
import { uuidV5 } from '../roles';
import * as pulumi from '@pulumi/pulumi';
import { CONFIG_SCHEMA, type ConfigKey, type ConfigSource } from '../config';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const PROJECT = 'entra-jit-migration';
export const STACK = 'dev';

/** Identities the mocked invokes report. */
export const MOCK = {
  subscriptionId: '11111111-2222-3333-4444-555555555555',
  azureTenantId: '99999999-8888-7777-6666-555555555555',
  deployerObjectId: 'dddddddd-0000-4000-8000-00000000d001',
  deployerClientId: 'dddddddd-0000-4000-8000-00000000c001',
  graphAppId: '00000003-0000-0000-c000-000000000000',
  receivePayloadRoleId: '214e810f-fda8-4fd7-a475-29461495eb00',
  userReadScopeId: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d',
} as const;

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs with secrets unwrapped; `secretPaths` lists where they were (e.g. `properties.value`). */
  readonly inputs: Record<string, any>;
  readonly secretPaths: readonly string[];
  /** `urn::id` of an explicit provider, when one was passed. */
  readonly provider?: string;
  readonly custom: boolean;
  readonly id: string;
  readonly state: Record<string, any>;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, any>;
  readonly provider?: string;
}

// js-yaml is a runtime dependency of @pulumi/pulumi (automation/localWorkspace.js); resolve it from there.
const yaml = createRequire(require.resolve('@pulumi/pulumi'))('js-yaml') as { load(text: string): unknown };

export function readYaml(file: string): any {
  return yaml.load(readFileSync(path.resolve(REPO_ROOT, file), 'utf8'));
}

/**
 * A ConfigSource over a flat record of fully qualified keys, as the CLI stores them. Sensitive keys come back
 * as secrets, stored encrypted unless listed in `storedInPlainText`.
 */
export function configSourceOf(values: Record<string, string | undefined>, storedInPlainText: readonly ConfigKey[] = []): ConfigSource {
  const sensitive = (key: ConfigKey): boolean => (CONFIG_SCHEMA[key] as { sensitive?: true }).sensitive === true;
  return {
    project: PROJECT,
    stack: STACK,
    get: (key) => (sensitive(key) ? undefined : values[`${PROJECT}:${key}`]),
    getSecret: (key) => {
      const value = sensitive(key) ? values[`${PROJECT}:${key}`] : undefined;
      return value === undefined || value.trim() === '' ? undefined : pulumi.secret(value);
    },
    isSecret: (key) => sensitive(key) && !storedInPlainText.includes(key),
    keys: () => Object.keys(values).filter((k) => values[k] !== undefined),
    location: values['azure-native:location'],
  };
}

/** Project keys the program requires to be stored encrypted (CONFIG_SCHEMA `sensitive`), fully qualified:
 *  a test stack sets them as `pulumi config set --secret` would. */
export function projectSecretKeys(): string[] {
  return Object.entries(CONFIG_SCHEMA as Record<string, { sensitive?: true }>)
    .filter(([, schema]) => schema.sensitive === true)
    .map(([key]) => `${PROJECT}:${key}`);
}

/**
 * A stack file's `config:` as the CLI hands it to the program: every value a string, lists and maps as JSON.
 * Encrypted (`secure:`) values cannot be read without the CLI: tests supply those through `overrides`.
 */
export function loadStackConfig(file = `Pulumi.${STACK}.yaml`): Record<string, string> {
  const stack = readYaml(file);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries<any>(stack.config ?? {})) {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'secure' in value) {
      throw new Error(`${file}: ${key} is encrypted; pass it to the test through overrides`);
    }
    out[key] = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
  return out;
}

const SIG_KEY = '4dabf18193072939515e22adb298388d'; // @pulumi/pulumi runtime/rpc specialSigKey
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270'; // specialSecretSig

/** Mock inputs keep secrets as `{ [sig]: secretSig, value }` wrappers: unwrap them, noting where they were. */
function unwrapSecrets(value: unknown, at: string, found: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) {
      found.push(at);
      return unwrapSecrets(record.value, at, found);
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, found)]));
  }
  return value;
}

function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, withoutUndefined(v)])) as T;
  }
  return value;
}

/** Deterministic GUID for a label (no random values: two runs must be identical). */
export const fakeGuid = (label: string): string => uuidV5(`mock:${label}`);

const ARM = (rg: string, providerPath: string): string => `/subscriptions/${MOCK.subscriptionId}/resourceGroups/${rg}/providers/${providerPath}`;

export class ProgramMocks implements pulumiType.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  /** Tenant the mocked azuread invokes report for the caller (provider tenant when known). */
  externalTenantId = '';
  /** Version the mocked certificate reports as its previous one (a renewal happened), if any. */
  readonly certificatePreviousVersion: string | undefined;

  constructor(options: { certificatePreviousVersion?: string } = {}) {
    this.certificatePreviousVersion = options.certificatePreviousVersion;
  }

  call(args: pulumiType.runtime.MockCallArgs): Record<string, any> {
    this.calls.push({ token: args.token, inputs: args.inputs, ...(args.provider ? { provider: args.provider } : {}) });
    switch (args.token) {
      case 'azure-native:authorization:getClientConfig':
        return { clientId: MOCK.deployerClientId, objectId: MOCK.deployerObjectId, subscriptionId: MOCK.subscriptionId, tenantId: MOCK.azureTenantId };
      case 'azuread:index/getClientConfig:getClientConfig':
        return { clientId: MOCK.deployerClientId, objectId: fakeGuid('external-deployer'), tenantId: this.externalTenantId };
      case 'azuread:index/getServicePrincipal:getServicePrincipal': {
        const clientId = args.inputs.clientId ?? MOCK.graphAppId;
        return {
          ...args.inputs,
          id: fakeGuid(`sp:${clientId}`),
          objectId: fakeGuid(`sp:${clientId}`),
          clientId,
          displayName: clientId === MOCK.graphAppId ? 'Microsoft Graph' : `app ${clientId}`,
          appRoleIds: clientId === MOCK.graphAppId ? { 'CustomAuthenticationExtension.Receive.Payload': MOCK.receivePayloadRoleId, 'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214' } : {},
          oauth2PermissionScopeIds: clientId === MOCK.graphAppId ? { 'User.Read': MOCK.userReadScopeId, openid: '37f7f235-527c-4136-accd-4a02d197296e', offline_access: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182' } : {},
        };
      }
      case 'azuread:index/getApplicationPublishedAppIds:getApplicationPublishedAppIds':
        return { id: 'published', result: { MicrosoftGraph: MOCK.graphAppId } };
      case 'azuread:index/getApplication:getApplication': {
        const label = JSON.stringify(args.inputs);
        return { ...args.inputs, id: `/applications/${fakeGuid(`app-object:${label}`)}`, objectId: fakeGuid(`app-object:${label}`), clientId: fakeGuid(`app-client:${label}`) };
      }
      default:
        return args.inputs;
    }
  }

  newResource(args: pulumiType.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const secretPaths: string[] = [];
    const inputs = unwrapSecrets(args.inputs, '', secretPaths) as Record<string, any>;
    const { id, state: raw } = this.compute({ ...args, inputs });
    const state = withoutUndefined(raw); // the SDK rejects undefined in mock state
    this.resources.push({ type: args.type, name: args.name, inputs, secretPaths, custom: args.custom ?? true, id, state, ...(args.provider ? { provider: args.provider } : {}) });
    return { id, state };
  }

  private compute(args: pulumiType.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const i = args.inputs;
    const rg: string = i.resourceGroupName ?? 'rg';
    switch (args.type) {
      case 'azure-native:resources:ResourceGroup':
        return { id: `/subscriptions/${MOCK.subscriptionId}/resourceGroups/${i.resourceGroupName}`, state: { ...i, name: i.resourceGroupName } };
      case 'azure-native:managedidentity:UserAssignedIdentity': {
        const n = i.resourceName;
        return {
          id: ARM(rg, `Microsoft.ManagedIdentity/userAssignedIdentities/${n}`),
          state: { ...i, name: n, principalId: fakeGuid(`principal:${n}`), clientId: fakeGuid(`client:${n}`), tenantId: MOCK.azureTenantId },
        };
      }
      case 'azure-native:operationalinsights:Workspace':
        return { id: ARM(rg, `Microsoft.OperationalInsights/workspaces/${i.workspaceName}`), state: { ...i, name: i.workspaceName, customerId: fakeGuid(`law:${i.workspaceName}`) } };
      case 'azure-native:applicationinsights:Component': {
        const key = fakeGuid(`ikey:${i.resourceName}`);
        return {
          id: ARM(rg, `Microsoft.Insights/components/${i.resourceName}`),
          state: {
            ...i,
            name: i.resourceName,
            appId: fakeGuid(`ai:${i.resourceName}`),
            instrumentationKey: key,
            connectionString: `InstrumentationKey=${key};IngestionEndpoint=https://${i.location}-5.in.applicationinsights.azure.com/;ApplicationId=${fakeGuid(`ai:${i.resourceName}`)}`,
          },
        };
      }
      case 'azure-native:storage:StorageAccount': {
        const n = i.accountName;
        const endpoint = (service: string) => `https://${n}.${service}.core.windows.net/`;
        return {
          id: ARM(rg, `Microsoft.Storage/storageAccounts/${n}`),
          state: { ...i, name: n, primaryEndpoints: { blob: endpoint('blob'), queue: endpoint('queue'), table: endpoint('table'), file: endpoint('file'), dfs: endpoint('dfs'), web: `https://${n}.z6.web.core.windows.net/` } },
        };
      }
      case 'azure-native:storage:BlobContainer':
        return { id: ARM(rg, `Microsoft.Storage/storageAccounts/${i.accountName}/blobServices/default/containers/${i.containerName}`), state: { ...i, name: i.containerName } };
      case 'azure-native:storage:Table':
        return { id: ARM(rg, `Microsoft.Storage/storageAccounts/${i.accountName}/tableServices/default/tables/${i.tableName}`), state: { ...i, name: i.tableName } };
      case 'azure-native:keyvault:Vault':
        return {
          id: ARM(rg, `Microsoft.KeyVault/vaults/${i.vaultName}`),
          state: { ...i, name: i.vaultName, properties: { ...i.properties, vaultUri: `https://${i.vaultName}.vault.azure.net/` } },
        };
      case 'azure-native:keyvault:Secret': {
        const uri = `https://${i.vaultName}.vault.azure.net/secrets/${i.secretName}`;
        const { value: _never, ...properties } = i.properties ?? {}; // ARM never returns the value
        return {
          id: ARM(rg, `Microsoft.KeyVault/vaults/${i.vaultName}/secrets/${i.secretName}`),
          state: { ...i, name: i.secretName, properties: { ...properties, secretUri: uri, secretUriWithVersion: `${uri}/${'0'.repeat(31)}1` } },
        };
      }
      case 'azure-native:web:AppServicePlan':
        return { id: ARM(rg, `Microsoft.Web/serverfarms/${i.name}`), state: { ...i } };
      case 'azure-native:web:WebApp':
        return {
          id: ARM(rg, `Microsoft.Web/sites/${i.name}`),
          state: { ...i, defaultHostName: `${i.name}.azurewebsites.net`, hostNames: [`${i.name}.azurewebsites.net`], outboundIpAddresses: '' },
        };
      case 'azure-native:web:WebAppFtpAllowed':
        return { id: ARM(rg, `Microsoft.Web/sites/${i.name}/basicPublishingCredentialsPolicies/ftp`), state: { ...i } };
      case 'azure-native:web:WebAppScmAllowed':
        return { id: ARM(rg, `Microsoft.Web/sites/${i.name}/basicPublishingCredentialsPolicies/scm`), state: { ...i } };
      case 'azure-native:monitor:DiagnosticSetting':
        return { id: `${i.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${i.name}`, state: { ...i } };
      case 'azure-native:authorization:RoleAssignment':
        return { id: `${i.scope}/providers/Microsoft.Authorization/roleAssignments/${i.roleAssignmentName}`, state: { ...i, name: i.roleAssignmentName } };
      // networkMode=private (components/network.ts).
      case 'azure-native:network:VirtualNetwork':
        return { id: ARM(rg, `Microsoft.Network/virtualNetworks/${i.virtualNetworkName}`), state: { ...i, name: i.virtualNetworkName } };
      case 'azure-native:privatedns:PrivateZone':
        return { id: ARM(rg, `Microsoft.Network/privateDnsZones/${i.privateZoneName}`), state: { ...i, name: i.privateZoneName } };
      case 'azure-native:network:PrivateEndpoint': {
        const n = i.privateEndpointName ?? `${args.name}-${fakeGuid(args.name).slice(0, 8)}`;
        return { id: ARM(rg, `Microsoft.Network/privateEndpoints/${n}`), state: { ...i, name: n } };
      }
    }
    if (args.type === 'random:index/randomPassword:RandomPassword') {
      // Deterministic per name and keepers (a rotation changes it); marked so tests can spot it anywhere.
      const seed = `${args.name}:${JSON.stringify(i.keepers ?? {})}`;
      const result = `MOCKSECRET${createHash('sha256').update(seed).digest('hex')}`.slice(0, i.length ?? 64);
      return { id: `${args.name}-id`, state: { ...i, result, bcryptHash: 'mock-bcrypt' } };
    }
    if (args.type.startsWith('pulumi:providers:')) {
      if (args.type === 'pulumi:providers:azuread' && typeof i.tenantId === 'string') this.externalTenantId = i.tenantId;
      return { id: `${args.name}-provider-id`, state: { ...i } };
    }
    if (args.type.startsWith('pulumi-nodejs:dynamic')) return this.dynamic(args);
    if (args.type.startsWith('azuread:')) return this.azuread(args);
    return { id: `${args.name}-id`, state: { ...i } };
  }

  /** Dynamic resources (CRUD not called under mocks): outputs by type, as their providers return them. */
  private dynamic(args: pulumiType.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const { __provider: _provider, ...i } = args.inputs;
    const kind = args.type.split(':').pop();
    if (kind === 'KeyVaultCertificate' || ('certificateName' in i && 'vaultUri' in i)) {
      const vault = String(i.vaultUri).replace(/\/+$/, '');
      const thumbprint = (fakeGuid(`thumb:${i.certificateName}`).replace(/-/g, '') + 'abcd1234').toUpperCase();
      const version = fakeGuid(`version:${i.certificateName}`).replace(/-/g, '');
      const previous = this.certificatePreviousVersion;
      return {
        id: `${vault}/certificates/${i.certificateName}`,
        state: {
          ...args.inputs,
          // A tiny fake DER (base64), not a real certificate: no PEM or key material exists in tests.
          certificateBase64Der: Buffer.from(`fake-der:${i.certificateName}`).toString('base64'),
          thumbprintHex: thumbprint,
          x5t: Buffer.from(thumbprint, 'hex').toString('base64url'),
          notBefore: '2026-01-01T00:00:00.000Z',
          expiresOn: '2027-01-01T00:00:00.000Z',
          secretId: `${vault}/secrets/${i.certificateName}`,
          version,
          versionedSecretId: `${vault}/secrets/${i.certificateName}/${version}`,
          previousVersion: previous,
          previousVersionedSecretId: previous ? `${vault}/secrets/${i.certificateName}/${previous}` : undefined,
          ...(previous
            ? {
                previousCertificateBase64Der: Buffer.from(`fake-der:${i.certificateName}:${previous}`).toString('base64'),
                previousThumbprintHex: (fakeGuid(`thumb:${previous}`).replace(/-/g, '') + 'abcd1234').toUpperCase(),
                previousX5t: 'cHJldmlvdXM',
                previousNotBefore: '2025-01-01T00:00:00.000Z',
                previousExpiresOn: '2026-01-31T00:00:00.000Z',
              }
            : {}),
          owner: 'mock-owner',
        },
      };
    }
    if (kind === 'FunctionCodeDeployment' || ('zipSha256' in i && 'functionAppId' in i)) {
      return { id: `${i.functionAppId}/deployments/${i.zipSha256}`, state: { ...args.inputs, deployedSha256: i.zipSha256 } };
    }
    const objectId = fakeGuid(`graph:${args.name}`);
    switch (kind) {
      case 'ExtensionProperty': {
        const appId = fakeGuid('b2c-extensions-app');
        return { id: fakeGuid(`extprop:${i.name}`), state: { ...args.inputs, fullName: `extension_${appId.replace(/-/g, '')}_${i.name}`, applicationObjectId: fakeGuid('b2c-extensions-app-object'), applicationAppId: appId } };
      }
      case 'ServicePrincipal':
        return { id: objectId, state: { ...args.inputs, objectId, displayName: `sp ${i.appId}` } };
      // B2C mode: B2C prefixes the key set id; the policy reports its XML's hash.
      case 'TrustFrameworkKeySet':
        return { id: `B2C_1A_${i.keySetId}`, state: { ...args.inputs, keySetId: `B2C_1A_${i.keySetId}`, kid: fakeGuid(`kid:${i.keySetId}`) } };
      case 'TrustFrameworkPolicy':
        return { id: i.policyId, state: { ...args.inputs, sha256: createHash('sha256').update(String(i.xml)).digest('hex') } };
      case 'ApplicationEncryptionKey': {
        const keyId = fakeGuid(`key:${args.name}`);
        return { id: `${i.applicationObjectId}/${keyId}`, state: { ...args.inputs, keyId, tokenEncryptionKeyId: keyId } };
      }
      default:
        // CustomAuthenticationExtension, EventListener: the Graph object id.
        return { id: objectId, state: { ...args.inputs } };
    }
  }

  private azuread(args: pulumiType.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const i = args.inputs;
    const objectId = fakeGuid(`aad-object:${args.name}`);
    switch (args.type) {
      case 'azuread:index/application:Application':
      case 'azuread:index/applicationRegistration:ApplicationRegistration': {
        const clientId = fakeGuid(`aad-client:${args.name}`);
        return { id: `/applications/${objectId}`, state: { ...i, objectId, clientId, publisherDomain: 'contosodev.onmicrosoft.com', appRoleIds: {}, oauth2PermissionScopeIds: {} } };
      }
      case 'azuread:index/servicePrincipal:ServicePrincipal':
        return { id: `/servicePrincipals/${objectId}`, state: { ...i, objectId, appRoleIds: {}, oauth2PermissionScopeIds: {} } };
      case 'azuread:index/applicationPassword:ApplicationPassword': {
        // Entra makes the value; deterministic per name and rotation keepers, marked like the random passwords.
        const value = `MOCKSECRET${createHash('sha256').update(`${args.name}:${JSON.stringify(i.rotateWhenChanged ?? {})}`).digest('hex')}`.slice(0, 40);
        return { id: `${i.applicationId}/password/${fakeGuid(args.name)}`, state: { ...i, value, keyId: fakeGuid(`password:${args.name}`) } };
      }
      default:
        return { id: `${args.type.split(':').pop()}/${objectId}`, state: { ...i, objectId } };
    }
  }
}

export interface RunOptions {
  /** Replace or add config keys (fully qualified); `undefined` removes one. */
  overrides?: Record<string, string | undefined>;
  /** Extra secret keys (fully qualified) beyond those the project schema declares. */
  secretKeys?: string[];
  /** Simulate a renewed certificate: its previous version. */
  certificatePreviousVersion?: string;
  /** 'bundle' runs dist/infra/program.cjs, what `pulumi up` loads through infra/main.cjs (npm test builds it). */
  entry?: 'source' | 'bundle';
  /** Another program instead (examples/embedded), with its own project, stack and config: `overrides` etc. unused. */
  embedding?: { project: string; stack: string; config: Record<string, string>; secretKeys: string[]; load: () => Promise<Record<string, unknown>> };
}

export interface ProgramRun {
  readonly mocks: ProgramMocks;
  /** The program module's exports (stack outputs), resolved to plain values. */
  readonly outputs: Record<string, unknown>;
  readonly pulumi: typeof pulumiType;
  /** Every registered URN (the mock monitor's: a parent's own type only, not its whole type chain). */
  readonly urns: readonly string[];
}

/**
 * Imports the program in a fresh module registry with mocks and the stack's config, waits until every
 * registration has settled, and resolves the stack outputs.
 */
export async function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const pulumi: typeof pulumiType = await import('@pulumi/pulumi');
    const mocks = new ProgramMocks({ certificatePreviousVersion: options.certificatePreviousVersion });
    const embedding = options.embedding;
    await pulumi.runtime.setMocks(mocks, embedding?.project ?? PROJECT, embedding?.stack ?? STACK, false);
    const config = embedding ? { ...embedding.config } : { ...loadStackConfig() };
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
      if (value === undefined) delete config[key];
      else config[key] = value;
    }
    pulumi.runtime.setAllConfig(config, embedding ? embedding.secretKeys : [...projectSecretKeys(), ...(options.secretKeys ?? [])]);
    const program: Record<string, unknown> = embedding
      ? await embedding.load()
      : options.entry === 'bundle'
        ? (require(path.join(REPO_ROOT, 'dist', 'infra', 'program.cjs')) as Record<string, unknown>)
        : await import('../index');
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
      outputs[key] = pulumi.Output.isInstance(value) ? await withTimeout(new Promise((resolve) => value.apply(resolve)), `stack output ${key}`) : value;
    }
    await withTimeout(settle(pulumi, mocks), 'resource registrations');
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources?: Map<string, unknown> } | undefined;
    run = { mocks, outputs, pulumi, urns: [...(monitor?.resources?.keys() ?? [])] };
  });
  return run!;
}

/** An output that never resolves means a failed registration: fail fast with its name, not at jest's timeout. */
async function withTimeout<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not resolve within ${ms} ms (see the errors logged above)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the SDK's RPC queue to drain and the resource count to stay still. */
async function settle(pulumi: typeof pulumiType, mocks: ProgramMocks): Promise<void> {
  let last = -1;
  for (let quiet = 0; quiet < 3; ) {
    await pulumi.runtime.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 10));
    quiet = mocks.resources.length === last ? quiet + 1 : 0;
    last = mocks.resources.length;
  }
}
