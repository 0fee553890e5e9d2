/**
 * B2C mode (issue 11) must leave the External ID stacks as they were: `pulumi preview` of an existing dev stack
 * shows no diff. The fixture infra/test/fixtures/external-id-dev-stack.json was recorded from the program
 * before B2C mode existed: every resource (type, name, provider, inputs) and the app settings of Pulumi.dev.yaml
 * under mocks. The function's code package (its hash changes with any function change) and the serialized
 * dynamic-provider shims are left out: they are not what B2C mode could change. So are the alert rules' and the
 * dashboard's queries, which follow the function's telemetry (alerts/queries.ts, components/dashboardWorkbook.ts):
 * of those, no recorded rule may be missing.
 * A deliberate change to the External ID stack: regenerate with UPDATE_EXTERNAL_ID_FIXTURE=1 and review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runProgram, type ProgramRun } from './test/mocks';

const FIXTURE = path.join(__dirname, 'test', 'fixtures', 'external-id-dev-stack.json');
/** Resources whose content is the telemetry queries' (see the header). */
const QUERY_TYPES = new Set(['azure-native:monitor:ScheduledQueryRule', 'azure-native:applicationinsights:Workbook']);
const withoutQueries = (resources: StackView['resources']) => resources.filter((r) => !QUERY_TYPES.has(r.type));

interface StackView {
  resources: { type: string; name: string; provider?: string; inputs: Record<string, unknown> }[];
  appSettings: Record<string, string>;
  outputs: string[];
}

/** What a preview compares, minus the code package and the provider shims (see the header). */
function viewOf(run: ProgramRun): StackView {
  const resources = run.mocks.resources
    .map((r) => {
      const { __provider: _shim, zipPath: _zip, zipSha256: _sha, ...inputs } = r.inputs;
      return { type: r.type, name: r.name, ...(r.provider ? { provider: r.provider } : {}), inputs };
    })
    .sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
  const app = run.mocks.resources.find((r) => r.type === 'azure-native:web:WebApp')!;
  const appSettings = Object.fromEntries((app.inputs.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
  // Keys only: the stack's output values follow the resources above.
  return { resources: JSON.parse(JSON.stringify(resources)), appSettings, outputs: Object.keys(run.outputs).filter((k) => run.outputs[k] !== undefined).sort() };
}

let dev: StackView;

beforeAll(async () => {
  dev = viewOf(await runProgram());
  if (process.env.UPDATE_EXTERNAL_ID_FIXTURE === '1') {
    mkdirSync(path.dirname(FIXTURE), { recursive: true });
    writeFileSync(FIXTURE, `${JSON.stringify(dev, null, 1)}\n`);
  }
}, 120_000);

const recorded = (): StackView => {
  if (!existsSync(FIXTURE)) throw new Error(`${FIXTURE} is missing: it is committed; regenerate it only for a deliberate change (UPDATE_EXTERNAL_ID_FIXTURE=1)`);
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as StackView;
};

describe('the External ID dev stack is what it was before B2C mode', () => {
  test('the same resources, by type and name', () => {
    const names = (resources: StackView['resources']) => resources.map((r) => `${r.type}::${r.name}`);
    expect(names(withoutQueries(dev.resources))).toEqual(names(withoutQueries(recorded().resources)));
    // Alert rules and the workbook: each recorded one is still there (the decryption certificate's rule too).
    expect(names(dev.resources)).toEqual(expect.arrayContaining(names(recorded().resources)));
  });

  test('the same inputs and providers for every resource', () => {
    expect(withoutQueries(dev.resources)).toEqual(withoutQueries(recorded().resources));
  });

  test('the same app settings, and no B2C setting among them', () => {
    expect(dev.appSettings).toEqual(recorded().appSettings);
    expect(Object.keys(dev.appSettings).filter((name) => /^B2c|^IdentityPlatform$|^RequestKeySecret$/.test(name))).toEqual([]);
  });

  test('the same stack outputs set', () => {
    expect(dev.outputs).toEqual(recorded().outputs);
  });
});
