/**
 * The claims bag (every value a string, booleans as "true"/"false", as IEF serializes them), the three
 * claims transformations the generated layer uses, and precondition evaluation.
 */
import type { ClaimsTransformation } from './policyChain';
import { B2cPolicyError, type ClaimRef, type Precondition } from './technicalProfile';

export type ClaimsBag = Map<string, string>;

function asBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function inputValue(transformation: ClaimsTransformation, bag: ClaimsBag, type: string): string | undefined {
  const claim = transformation.inputClaims.get(type);
  if (claim === undefined) throw new B2cPolicyError(`claims transformation ${transformation.id} (${transformation.method}) has no input claim with TransformationClaimType ${type}`);
  return bag.get(claim);
}

function booleanInput(transformation: ClaimsTransformation, bag: ClaimsBag, type: string): boolean | undefined {
  const value = inputValue(transformation, bag, type);
  const parsed = asBoolean(value);
  if (value !== undefined && parsed === undefined) throw new B2cPolicyError(`claims transformation ${transformation.id}: ${transformation.inputClaims.get(type)} is not a boolean`);
  return parsed;
}

/**
 * Runs one transformation on the bag. Returns false when it did not run because an input claim has no value
 * (the output claim stays unset).
 */
export function runClaimsTransformation(transformation: ClaimsTransformation, bag: ClaimsBag): boolean {
  const output = transformation.outputClaims.get('outputClaim');
  if (output === undefined) throw new B2cPolicyError(`claims transformation ${transformation.id} has no output claim with TransformationClaimType outputClaim`);
  let result: boolean | undefined;
  switch (transformation.method) {
    case 'DoesClaimExist':
      result = (inputValue(transformation, bag, 'inputClaim') ?? '') !== '';
      break;
    case 'NotClaims': {
      const input = booleanInput(transformation, bag, 'inputClaim');
      result = input === undefined ? undefined : !input;
      break;
    }
    case 'OrClaims': {
      const first = booleanInput(transformation, bag, 'inputClaim1');
      const second = booleanInput(transformation, bag, 'inputClaim2');
      result = first === undefined || second === undefined ? undefined : first || second;
      break;
    }
    default:
      throw new B2cPolicyError(`claims transformation ${transformation.id}: TransformationMethod ${transformation.method} is not modelled by the stand-in`);
  }
  if (result === undefined) return false;
  bag.set(output, String(result));
  return true;
}

/** True when the precondition's action applies (the step or validation profile is skipped). */
export function preconditionApplies(precondition: Precondition, bag: ClaimsBag, expectedAction: string): boolean {
  if (precondition.action !== expectedAction) throw new B2cPolicyError(`precondition action ${precondition.action} where ${expectedAction} is expected`);
  const [claim, expected] = precondition.values;
  if (claim === undefined) throw new B2cPolicyError(`a ${precondition.type} precondition has no claim`);
  let holds: boolean;
  switch (precondition.type) {
    case 'ClaimsExist':
      holds = precondition.values.every((name) => (bag.get(name) ?? '') !== '');
      break;
    case 'ClaimEquals': {
      if (expected === undefined) throw new B2cPolicyError(`a ClaimEquals precondition on ${claim} has no value to compare`);
      const actual = bag.get(claim);
      const actualBoolean = asBoolean(actual);
      const expectedBoolean = asBoolean(expected);
      holds = actual !== undefined && (actualBoolean !== undefined && expectedBoolean !== undefined ? actualBoolean === expectedBoolean : actual === expected);
      break;
    }
    default:
      throw new B2cPolicyError(`precondition type ${precondition.type} is not modelled by the stand-in`);
  }
  return holds === precondition.executeActionsIf;
}

/** An input or persisted claim's value: the default when the claim is unset or AlwaysUseDefaultValue. */
export function claimValue(ref: ClaimRef, bag: ClaimsBag): string | undefined {
  if (ref.defaultValue !== undefined && (ref.alwaysUseDefaultValue || !bag.has(ref.claim))) return ref.defaultValue;
  return bag.get(ref.claim);
}

/** Sets a technical profile's output claims from a provider's answer (keyed by PartnerClaimType), then defaults. */
export function applyOutputClaims(outputs: readonly ClaimRef[], answer: ReadonlyMap<string, string>, bag: ClaimsBag): void {
  for (const ref of outputs) {
    const value = ref.alwaysUseDefaultValue ? ref.defaultValue : (answer.get(ref.partner) ?? ref.defaultValue);
    if (value !== undefined) bag.set(ref.claim, value);
  }
}
