/**
 * Runs policies the way the CrossGuard server does (ResourceValidationArgs / StackValidationArgs, `isType` by
 * the class's `__pulumiType`, `notApplicable` throwing), without the server or the CLI.
 */
import type {
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';

export interface TestResource {
  readonly type: string;
  readonly name: string;
  /** Inputs for resource policies, outputs for stack policies (as the server hands them over). */
  readonly props: Record<string, any>;
}

export interface Outcome {
  /** False when the policy called notApplicable (the resource or stack is outside its scope). */
  readonly applicable: boolean;
  readonly violations: string[];
}

class NotApplicable extends Error {}

const OPTIONS: PolicyResourceOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
const urnOf = (r: TestResource) => `urn:pulumi:dev::entra-jit-migration::${r.type}::${r.name}`;
const isTypeOf = (type: string) => (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type;
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

async function outcome(run: (report: (message: string) => void) => unknown): Promise<Outcome> {
  const violations: string[] = [];
  try {
    await run((message) => violations.push(message));
  } catch (error) {
    if (error instanceof NotApplicable) return { applicable: false, violations };
    throw error;
  }
  return { applicable: true, violations };
}

export const isStackPolicy = (policy: Policy): policy is StackValidationPolicy => 'validateStack' in policy;

export function resourceArgs(resource: TestResource): ResourceValidationArgs {
  const isType = isTypeOf(resource.type);
  return {
    type: resource.type,
    props: resource.props,
    urn: urnOf(resource),
    name: resource.name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType,
    asType: ((resourceClass: unknown) => (isType(resourceClass) ? resource.props : undefined)) as ResourceValidationArgs['asType'],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable,
  };
}

/** One resource policy against one resource (its inputs). */
export function checkResource(policy: ResourceValidationPolicy, resource: TestResource): Promise<Outcome> {
  const validations = [policy.validateResource ?? []].flat();
  return outcome(async (report) => {
    for (const validate of validations) await validate(resourceArgs(resource), report);
  });
}

/** One stack policy against a stack's resources (their outputs). */
export function checkStack(policy: StackValidationPolicy, resources: readonly TestResource[]): Promise<Outcome> {
  const policyResources = resources.map(
    (resource): PolicyResource => ({
      type: resource.type,
      props: resource.props,
      urn: urnOf(resource),
      name: resource.name,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: isTypeOf(resource.type) as PolicyResource['isType'],
      asType: ((resourceClass: unknown) => (isTypeOf(resource.type)(resourceClass) ? resource.props : undefined)) as PolicyResource['asType'],
    }),
  );
  return outcome((report) => policy.validateStack({ resources: policyResources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable }, report));
}
