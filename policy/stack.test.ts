/**
 * The stack passes its own pack: the program runs under the mocks of infra/test/mocks.ts, and every policy is
 * applied to every recorded resource (resource policies to inputs, stack policies to outputs, as the CLI does).
 * Each policy must also find something of its own to check, so a pack that matched nothing could not pass.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { loadStackConfig, PROJECT, runProgram, type ProgramRun } from '../infra/test/mocks';
import { SECURITY_POLICIES } from './policies';
import { checkResource, checkStack, isStackPolicy, type Outcome, type TestResource } from './test/harness';

const key = (name: string) => `${PROJECT}:${name}`;

interface PackResult {
  readonly violations: string[];
  /** How many resources (or 1 for the stack) each policy applied to. */
  readonly applied: Record<string, number>;
}

async function applyPack(run: ProgramRun): Promise<PackResult> {
  const inputs: TestResource[] = run.mocks.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
  const outputs: TestResource[] = run.mocks.resources.map((r) => ({ type: r.type, name: r.name, props: r.state }));
  const violations: string[] = [];
  const applied: Record<string, number> = {};
  const note = (policy: string, where: string, outcome: Outcome) => {
    if (outcome.applicable) applied[policy] = (applied[policy] ?? 0) + 1;
    violations.push(...outcome.violations.map((message) => `${policy} on ${where}: ${message}`));
  };
  for (const policy of SECURITY_POLICIES) {
    applied[policy.name] = 0;
    if (isStackPolicy(policy)) {
      note(policy.name, 'the stack', await checkStack(policy, outputs));
      continue;
    }
    for (const resource of inputs) note(policy.name, `${resource.type} ${resource.name}`, await checkResource(policy as ResourceValidationPolicy, resource));
  }
  return { violations, applied };
}

const runs: [string, () => Promise<ProgramRun>][] = [
  ['dev stack (table store, Graph reader with a Key Vault certificate)', () => runProgram()],
  [
    'legacy web service with an API key, Graph reader with the managed identity',
    () =>
      runProgram({
        overrides: {
          [key('legacyStore')]: 'http',
          [key('legacyServiceUrl')]: 'https://legacy.example.com/verify',
          [key('legacyServiceApiKey')]: 'not-a-real-api-key',
          [key('graphAuthentication')]: 'managedIdentity',
          [key('operatorPrincipalId')]: undefined,
        },
      }),
  ],
  [
    'B2C mode (Pulumi.b2c.yaml) with bearer: generated secrets, policy keys, the API and caller apps',
    () =>
      runProgram({
        overrides: {
          ...Object.fromEntries(Object.keys(loadStackConfig()).map((k) => [k, undefined])),
          ...loadStackConfig('Pulumi.b2c.yaml'),
          [key('b2cApiAuth')]: 'bearer',
        },
      }),
  ],
  [
    'the B2C tenant as the legacy store (Pulumi.b2c-to-externalid.yaml): the ROPC app and user flow, b2cObjectId',
    () =>
      runProgram({
        overrides: {
          ...Object.fromEntries(Object.keys(loadStackConfig()).map((k) => [k, undefined])),
          ...loadStackConfig('Pulumi.b2c-to-externalid.yaml'),
        },
      }),
  ],
];

describe.each(runs)('%s', (_name, run) => {
  let result: PackResult;
  beforeAll(async () => {
    result = await applyPack(await run());
  }, 180_000);

  test('no policy reports a violation', () => {
    expect(result.violations).toEqual([]);
  });

  test('every policy found something to check', () => {
    expect(Object.entries(result.applied).filter(([, count]) => count === 0)).toEqual([]);
  });
});
