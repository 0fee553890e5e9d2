/**
 * The migration dashboard under mocks: the workbook exists (unless dashboard=false), its serializedData is a
 * Notebook/1.0 template whose every query runs against the stack's own Application Insights, its Kusto names
 * only events and fields the function emits, and its name is the same on every run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TELEMETRY_EVENTS, TELEMETRY_FIELDS } from '../../function/src/telemetry';
import { MOCK, PROJECT, REPO_ROOT, runProgram, type ProgramRun, type RecordedResource } from '../test/mocks';
import { dashboardWorkbookName } from './dashboard';
import { DASHBOARD_QUERIES } from './dashboardWorkbook';

const T = {
  workbook: 'azure-native:applicationinsights:Workbook',
  component: 'azure-native:applicationinsights:Component',
  group: 'azure-native:resources:ResourceGroup',
} as const;
const key = (name: string) => `${PROJECT}:${name}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function single(run: ProgramRun, type: string): RecordedResource {
  const found = run.mocks.resources.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

interface WorkbookItem {
  type: number;
  name: string;
  content: Record<string, any>;
}
const template = (run: ProgramRun) => JSON.parse(single(run, T.workbook).inputs.serializedData) as { version: string; items: WorkbookItem[]; fallbackResourceIds: string[] };
const queryItems = (run: ProgramRun) => template(run).items.filter((item) => item.type === 3);

/** The `jit.*` event names and the `e.<field>` reads of a Kusto text that the function does not emit. */
function unknownTelemetryNames(kusto: string): { events: string[]; fields: string[] } {
  const events = [...kusto.matchAll(/\bjit\.[A-Za-z0-9]+/g)].map((m) => m[0]).filter((event) => !(TELEMETRY_EVENTS as readonly string[]).includes(event));
  const fields = [...kusto.matchAll(/\be\.([A-Za-z]+)/g)].map((m) => m[1]!).filter((field) => field !== 'event' && !TELEMETRY_FIELDS.has(field));
  return { events, fields };
}

/** Event names passed to Telemetry.event/warn/error anywhere in the function's sources (tests excluded). */
function emittedEvents(): Set<string> {
  const dir = path.join(REPO_ROOT, 'function', 'src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const found = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/\.(?:event|warn|error)\(\s*'(jit\.[A-Za-z0-9]+)'/g)) found.add(m[1]!);
  }
  return found;
}

let byDefault: ProgramRun;
let committed: ProgramRun;
let off: ProgramRun;

beforeAll(async () => {
  byDefault = await runProgram({ overrides: { [key('dashboard')]: undefined } });
  committed = await runProgram();
  off = await runProgram({ overrides: { [key('dashboard')]: 'false' } });
}, 180_000);

describe('the workbook', () => {
  test('deployed by default, in the stack\'s resource group, shared, with the stack in its display name', () => {
    const workbook = single(byDefault, T.workbook);
    const group = single(byDefault, T.group);
    expect(workbook.inputs).toMatchObject({
      resourceGroupName: group.inputs.resourceGroupName,
      location: group.inputs.location,
      kind: 'shared',
      category: 'workbook',
      version: 'Notebook/1.0',
      displayName: 'JIT password migration (dev)',
    });
    expect(byDefault.outputs.dashboardWorkbookId).toBe(workbook.id);
  });

  test('named by a GUID derived from the Application Insights component: the same on every run', () => {
    const component = single(byDefault, T.component);
    const name = single(byDefault, T.workbook).inputs.resourceName;
    expect(name).toMatch(GUID);
    expect(name).toBe(dashboardWorkbookName(component.id));
    expect(single(committed, T.workbook).inputs).toEqual(single(byDefault, T.workbook).inputs);
    // ARM ids are case-insensitive; another component gets another workbook.
    expect(dashboardWorkbookName(component.id.toUpperCase())).toBe(name);
    expect(dashboardWorkbookName(component.id.replace(/components\/.*/, 'components/other'))).not.toBe(name);
  });

  test('dashboard=false: no workbook and no output', () => {
    expect(off.mocks.resources.filter((r) => r.type === T.workbook)).toEqual([]);
    expect(off.outputs.dashboardWorkbookId ?? undefined).toBeUndefined();
  });
});

describe('serializedData', () => {
  test('parses as a Notebook/1.0 template: a note, a time range, one query panel per dashboard query', () => {
    const { version, items } = template(byDefault);
    expect(version).toBe('Notebook/1.0');
    expect(items.map((item) => item.type)).toEqual([1, 9, ...DASHBOARD_QUERIES.map(() => 3)]);
    expect(items[0]!.content.json).toMatch(/stack dev[\s\S]*jitmigrate status/);
    expect(queryItems(byDefault).map((item) => item.content.visualization)).toEqual(DASHBOARD_QUERIES.map((q) => q.visualization));
    expect(new Set(DASHBOARD_QUERIES.map((q) => q.visualization))).toEqual(new Set(['timechart', 'barchart', 'piechart', 'table']));
  });

  test('every query is a logs query on the Application Insights component this stack creates, over the chosen time range', () => {
    const component = single(byDefault, T.component);
    expect(component.id).toContain(`/subscriptions/${MOCK.subscriptionId}/`);
    const { items, fallbackResourceIds } = template(byDefault);
    expect(fallbackResourceIds).toEqual([component.id]);
    expect(single(byDefault, T.workbook).inputs.sourceId).toBe(component.id.toLowerCase());
    for (const item of items.filter((i) => i.type === 3 || i.type === 9)) {
      expect({ name: item.name, queryType: item.content.queryType, resourceType: item.content.resourceType, resources: item.content.crossComponentResources }).toEqual({
        name: item.name,
        queryType: 0,
        resourceType: 'microsoft.insights/components',
        resources: [component.id],
      });
    }
    for (const item of queryItems(byDefault)) {
      expect(item.content.timeContextFromParameter).toBe('TimeRange');
      expect(item.content.timeContext.durationMs).toBeGreaterThan(0);
    }
  });

  test('every query reads the function\'s lines where they land: traces.message, parsed as JSON', () => {
    for (const item of queryItems(byDefault)) {
      expect(item.content.query).toMatch(/^traces\n\| extend e = parse_json\(message\)\n\| where /);
    }
  });
});

describe('the Kusto names only what the function emits', () => {
  test('the function emits exactly the events its telemetry definitions list', () => {
    expect([...emittedEvents()].sort()).toEqual([...TELEMETRY_EVENTS].sort());
  });

  test('every jit.* event and every field the queries read is in the function\'s telemetry definitions', () => {
    const kusto = queryItems(byDefault).map((item) => item.content.query as string).join('\n');
    expect(unknownTelemetryNames(kusto)).toEqual({ events: [], fields: [] });
    // The check itself catches a wrong name.
    expect(unknownTelemetryNames('where tostring(e.event) == "jit.passwordSubmitted" | extend x = e.password')).toEqual({ events: ['jit.passwordSubmitted'], fields: ['password'] });
  });

  test('B2C mode\'s answers feed the same panels: migrations, outcomes, refusals, latency and lockouts', () => {
    const panel = (name: string) => DASHBOARD_QUERIES.find((q) => q.name === name)!.query;
    for (const name of ['migrations-per-hour', 'migrations-cumulative', 'outcome-mix', 'outcomes-per-hour', 'failure-reasons', 'lockouts']) {
      // Entra's callouts and B2C's sign-ins and resets (not sign-up, which migrates nobody), first answers only.
      expect(panel(name)).toContain('(tostring(e.event) == "jit.passwordSubmit" or (tostring(e.event) == "jit.b2cRequest" and tostring(e.endpoint) in ("signin", "password-reset"))) and coalesce(tobool(e.replayed), false) == false');
    }
    expect(panel('migrations-per-hour')).toContain('| extend migrated = iff(tostring(e.event) == "jit.b2cRequest", tostring(e.outcome) == "migrated", tostring(e.action) == "MigratePassword")\n');
    expect(panel('migrations-per-hour')).toContain('| where migrated\n');
    expect(panel('failure-reasons')).toContain('| extend refused = iff(tostring(e.event) == "jit.b2cRequest", tostring(e.outcome) == "refused", tostring(e.action) in ("Retry", "Block"))\n| where refused\n');
    expect(panel('outcome-mix')).toContain('by answer');
    expect(panel('latency')).toContain('tostring(e.event) in ("jit.passwordSubmit", "jit.b2cRequest")');
    // Only Entra's callout carries a decryption key label.
    expect(panel('key-label')).not.toContain('jit.b2cRequest');
  });

  test('the panels the dashboard promises: migrations, outcomes, failure reasons, latency, lockouts, keyLabel', () => {
    const kusto = DASHBOARD_QUERIES.map((q) => q.query).join('\n');
    for (const read of ['e.action', 'e.reason', 'e.latencyMs', 'e.keyLabel', '"MigratePassword"', '"locked-out"', 'row_cumsum', '"jit.legacyError"', '"jit.unauthorized"']) {
      expect(kusto).toContain(read);
    }
  });
});
