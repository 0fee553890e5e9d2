/**
 * The B2C custom-policy generator: the migration layer and two relying parties for the team's starter-pack
 * chain, calling the function's B2C endpoints (lib/b2c/contract.ts). Pure: options in, XML text out, the
 * same bytes for the same options (Pulumi diffs them), every inserted value escaped.
 */
import { migrationLayer } from './layer';
import { resolveB2cPolicyOptions, type B2cPolicyOptions, type ResolvedB2cPolicyOptions } from './options';
import { b2cPolicyKeysFor, type B2cPolicyKey } from './policyKeys';
import { passwordResetPolicy, signUpOrSignInPolicy } from './relyingParties';
import { renderXmlDocument } from './xml';

export interface B2cPolicyFile {
  readonly policyId: string;
  /** `<policyId>.xml`. */
  readonly fileName: string;
  readonly xml: string;
}

export interface B2cPolicies {
  /** In upload order: the layer, then the relying parties (after the starter pack's own files). */
  readonly files: readonly B2cPolicyFile[];
  /** The policy keys the REST profiles read, which must exist in the tenant before the layer uploads. */
  readonly policyKeys: readonly B2cPolicyKey[];
  /** The options as used (defaults filled in, normalized). */
  readonly options: ResolvedB2cPolicyOptions;
}

/** Throws B2cPolicyOptionsError (every problem, each naming its option) before generating anything. */
export function generateB2cPolicies(options: B2cPolicyOptions): B2cPolicies {
  const resolved = resolveB2cPolicyOptions(options);
  const documents = [
    [resolved.policyIds.migration, migrationLayer(resolved)],
    [resolved.policyIds.signUpOrSignIn, signUpOrSignInPolicy(resolved)],
    [resolved.policyIds.passwordReset, passwordResetPolicy(resolved)],
  ] as const;
  return {
    files: documents.map(([policyId, root]) => ({ policyId, fileName: `${policyId}.xml`, xml: renderXmlDocument(root) })),
    policyKeys: b2cPolicyKeysFor(resolved.auth, { policyPrefix: resolved.policyPrefix, apiKeyHeader: resolved.apiKeyHeader }),
    options: resolved,
  };
}

export {
  B2C_API_AUTHS,
  B2cPolicyOptionsError,
  DEFAULT_B2C_API_KEY_HEADER,
  DEFAULT_B2C_BASE_POLICY,
  DEFAULT_B2C_POLICY_PREFIX,
  DEFAULT_B2C_USER_MESSAGES,
  resolveB2cPolicyOptions,
  type B2cPolicyIds,
  type B2cPolicyOption,
  type B2cPolicyOptionProblem,
  type B2cPolicyOptions,
  type B2cUserMessages,
  type ResolvedB2cPolicyOptions,
} from './options';
export { b2cPolicyKeysFor, describePolicyKeyCreation, type B2cPolicyKey } from './policyKeys';
export { b2cServiceUrl, b2cTokenEndpoint } from './restProfiles';
export * from './ids';
