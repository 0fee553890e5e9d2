/**
 * The storage account of the legacy hashes and the vault under mocks: diagnostic settings, CanNotDelete locks,
 * the stack outputs the migration steps use, the operator's access to the legacy table, and the Graph version
 * of the JIT objects.
 */
import { DELETE_LOCK_NAME } from './locks';
import { BUILT_IN_ROLES, roleAssignmentName, roleDefinitionId } from './roles';
import { MOCK, PROJECT, runProgram, type ProgramRun, type RecordedResource } from './test/mocks';

const T = {
  storage: 'azure-native:storage:StorageAccount',
  table: 'azure-native:storage:Table',
  vault: 'azure-native:keyvault:Vault',
  workspace: 'azure-native:operationalinsights:Workspace',
  diag: 'azure-native:monitor:DiagnosticSetting',
  lock: 'azure-native:authorization:ManagementLockByScope',
  role: 'azure-native:authorization:RoleAssignment',
} as const;
const key = (name: string) => `${PROJECT}:${name}`;
const OPERATOR = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

const ofType = (run: ProgramRun, type: string) => run.mocks.resources.filter((r) => r.type === type);
function single(run: ProgramRun, type: string): RecordedResource {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
const legacyTable = (run: ProgramRun) => ofType(run, T.table).find((t) => t.inputs.tableName === 'LegacyUsers')!;
const operatorAssignments = (run: ProgramRun) => ofType(run, T.role).filter((r) => r.inputs.principalId === OPERATOR);
/** Every resource the program manages under an ARM id: its children and the extension resources at its scope. */
const under = (run: ProgramRun, scope: string) =>
  run.mocks.resources.filter((r) => r.type !== T.lock && [r.id, r.inputs.scope, r.inputs.resourceUri].some((id) => typeof id === 'string' && id.startsWith(`${scope}/`)));

let dev: ProgramRun;
let operated: ProgramRun;
let http: ProgramRun;

beforeAll(async () => {
  dev = await runProgram();
  operated = await runProgram({
    overrides: { [key('operatorPrincipalId')]: OPERATOR.toUpperCase(), [key('operatorPrincipalType')]: 'Group', [key('resourceLocks')]: 'false', [key('graphApiVersion')]: 'beta' },
  });
  http = await runProgram({
    overrides: { [key('legacyStore')]: 'http', [key('legacyServiceUrl')]: 'https://legacy.example.com/verify', [key('createTestClient')]: 'false' },
  });
}, 180_000);

describe('storage account diagnostics', () => {
  test('table and blob logs and transactions go to the workspace, like the vault\'s', () => {
    const account = single(dev, T.storage);
    const workspace = single(dev, T.workspace);
    const settings = ofType(dev, T.diag).filter((d) => String(d.inputs.resourceUri).startsWith(account.id));
    expect(settings.map((d) => d.inputs).sort((a, b) => a.resourceUri.localeCompare(b.resourceUri))).toEqual(
      ['blob', 'table'].map((service) => ({
        name: 'to-log-analytics',
        resourceUri: `${account.id}/${service}Services/default`,
        workspaceId: workspace.id,
        logs: [{ categoryGroup: 'allLogs', enabled: true }],
        metrics: [{ category: 'Transaction', enabled: true }],
      })),
    );
    // The vault keeps its own.
    expect(ofType(dev, T.diag).filter((d) => d.inputs.resourceUri === single(dev, T.vault).id)).toHaveLength(1);
  });
});

describe('CanNotDelete locks', () => {
  test('on by default: one on the vault, one on the storage account', () => {
    const locks = ofType(dev, T.lock).map((l) => ({ scope: l.inputs.scope, level: l.inputs.level, lockName: l.inputs.lockName }));
    expect(locks.sort((a, b) => a.scope.localeCompare(b.scope))).toEqual(
      [single(dev, T.vault).id, single(dev, T.storage).id].sort().map((scope) => ({ scope, level: 'CanNotDelete', lockName: DELETE_LOCK_NAME })),
    );
    for (const lock of ofType(dev, T.lock)) expect(lock.inputs.notes).toMatch(/stack dev.*pulumi config set resourceLocks false, then pulumi up/);
  });

  test('each lock comes after everything under its scope, so destroy removes it first', () => {
    for (const lock of ofType(dev, T.lock)) {
      const inside = under(dev, lock.inputs.scope);
      // Tables, container, role assignments, diagnostic settings (account); role assignments, diagnostics, secret roles (vault).
      expect(inside.length).toBeGreaterThanOrEqual(lock.inputs.scope === single(dev, T.vault).id ? 3 : 6);
      const position = dev.mocks.resources.indexOf(lock);
      for (const resource of inside) expect({ resource: resource.name, before: dev.mocks.resources.indexOf(resource) < position }).toEqual({ resource: resource.name, before: true });
    }
  });

  test('resourceLocks false: no lock', () => {
    expect(ofType(operated, T.lock)).toEqual([]);
  });
});

describe('stack outputs for the migration steps', () => {
  test('storage account name and id, table endpoint, legacy table name', () => {
    const account = single(dev, T.storage);
    expect(dev.outputs).toMatchObject({
      storageAccountName: account.inputs.accountName,
      storageAccountId: account.id,
      tableEndpoint: `https://${account.inputs.accountName}.table.core.windows.net/`,
      legacyTableName: 'LegacyUsers',
    });
    expect(legacyTable(dev).inputs.accountName).toBe(dev.outputs.storageAccountName);
  });

  test('no legacy table name with the legacy web service', () => {
    expect(http.outputs.legacyTableName ?? undefined).toBeUndefined();
    expect(http.outputs.tableEndpoint).toBe(`https://${single(http, T.storage).inputs.accountName}.table.core.windows.net/`);
  });
});

describe('operator access to the legacy table', () => {
  test('none unless operatorPrincipalId is set', () => {
    expect(ofType(dev, T.role).map((r) => r.name).filter((name) => name.includes('operator'))).toEqual([]);
  });

  test('Storage Table Data Contributor on the legacy table only, with the configured principal type', () => {
    const table = legacyTable(operated);
    const role = BUILT_IN_ROLES.StorageTableDataContributor;
    expect(operatorAssignments(operated).map((r) => r.inputs)).toEqual([
      {
        scope: table.id,
        principalId: OPERATOR,
        principalType: 'Group',
        roleDefinitionId: roleDefinitionId(MOCK.subscriptionId, role),
        roleAssignmentName: roleAssignmentName(table.id, OPERATOR, role),
        description: 'Operator: jitmigrate import-legacy, status and reconcile on the legacy users table',
      },
    ]);
    expect(table.id).toMatch(/\/tableServices\/default\/tables\/LegacyUsers$/);
  });
});

describe('Graph version of the JIT objects', () => {
  const versions = (run: ProgramRun) =>
    run.mocks.resources.filter((r) => /:(CustomAuthenticationExtension|EventListener)$/.test(r.type)).map((r) => r.inputs.apiVersion);

  test('v1.0 by default, beta when configured', () => {
    expect(versions(dev)).toEqual(['v1.0', 'v1.0']);
    expect(versions(operated)).toEqual(['beta', 'beta']);
  });
});
