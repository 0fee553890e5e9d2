/**
 * Technical profiles as IEF merges them: one fragment per definition (in a policy layer, or a starter-pack
 * built-in), merged base first. A later fragment overrides metadata items and keys by name, replaces a claim
 * with the same ClaimTypeReferenceId in place and appends new ones, and appends validation technical profiles
 * and claims transformations (which is why a derived layer cannot drop a base profile's validation steps).
 */
import { childNamed, childrenNamed, listOf, type XmlNode } from './xmlTree';

/** The policy files are wrong (or use something the stand-in does not model): fail loudly, as an upload would. */
export class B2cPolicyError extends Error {
  override readonly name = 'B2cPolicyError';
}

export interface ClaimRef {
  readonly claim: string;
  /** The name on the wire / in the directory: PartnerClaimType, else the claim type itself. */
  readonly partner: string;
  readonly defaultValue?: string;
  readonly alwaysUseDefaultValue: boolean;
  readonly required: boolean;
}

export interface Precondition {
  readonly type: string;
  readonly executeActionsIf: boolean;
  readonly values: readonly string[];
  readonly action: string;
}

export interface ValidationProfileRef {
  readonly referenceId: string;
  readonly preconditions: readonly Precondition[];
  readonly continueOnError: boolean;
}

export interface TechnicalProfile {
  readonly id: string;
  readonly protocol?: { readonly name: string; readonly handler?: string };
  readonly metadata: ReadonlyMap<string, string>;
  /** Key Id → policy key (StorageReferenceId). */
  readonly keys: ReadonlyMap<string, string>;
  readonly inputClaims: readonly ClaimRef[];
  readonly outputClaims: readonly ClaimRef[];
  readonly persistedClaims: readonly ClaimRef[];
  readonly inputClaimsTransformations: readonly string[];
  readonly outputClaimsTransformations: readonly string[];
  readonly validationProfiles: readonly ValidationProfileRef[];
  readonly includes: readonly string[];
}

export function emptyProfile(id: string): TechnicalProfile {
  return {
    id,
    metadata: new Map(),
    keys: new Map(),
    inputClaims: [],
    outputClaims: [],
    persistedClaims: [],
    inputClaimsTransformations: [],
    outputClaimsTransformations: [],
    validationProfiles: [],
    includes: [],
  };
}

/** One `<TechnicalProfile>` element as a fragment. */
export function readTechnicalProfile(node: XmlNode): TechnicalProfile {
  const id = node.attributes.Id;
  if (id === undefined) throw new B2cPolicyError('a TechnicalProfile has no Id');
  const protocol = childNamed(node, 'Protocol');
  return {
    id,
    ...(protocol === undefined ? {} : { protocol: { name: protocol.attributes.Name ?? '', ...(protocol.attributes.Handler === undefined ? {} : { handler: protocol.attributes.Handler }) } }),
    metadata: new Map(listOf(node, 'Metadata', 'Item').map((item) => [item.attributes.Key ?? '', item.text])),
    keys: new Map(listOf(node, 'CryptographicKeys', 'Key').map((key) => [key.attributes.Id ?? '', key.attributes.StorageReferenceId ?? ''])),
    inputClaims: listOf(node, 'InputClaims', 'InputClaim').map(readClaimRef),
    outputClaims: listOf(node, 'OutputClaims', 'OutputClaim').map(readClaimRef),
    persistedClaims: listOf(node, 'PersistedClaims', 'PersistedClaim').map(readClaimRef),
    inputClaimsTransformations: listOf(node, 'InputClaimsTransformations', 'InputClaimsTransformation').map(referenceIdOf),
    outputClaimsTransformations: listOf(node, 'OutputClaimsTransformations', 'OutputClaimsTransformation').map(referenceIdOf),
    validationProfiles: listOf(node, 'ValidationTechnicalProfiles', 'ValidationTechnicalProfile').map((vtp) => ({
      referenceId: referenceIdOf(vtp),
      preconditions: readPreconditions(vtp),
      continueOnError: vtp.attributes.ContinueOnError?.toLowerCase() === 'true',
    })),
    includes: childrenNamed(node, 'IncludeTechnicalProfile').map(referenceIdOf),
  };
}

export function readClaimRef(node: XmlNode): ClaimRef {
  const claim = node.attributes.ClaimTypeReferenceId;
  if (claim === undefined) throw new B2cPolicyError(`a ${node.name} has no ClaimTypeReferenceId`);
  return {
    claim,
    partner: node.attributes.PartnerClaimType ?? claim,
    ...(node.attributes.DefaultValue === undefined ? {} : { defaultValue: node.attributes.DefaultValue }),
    alwaysUseDefaultValue: node.attributes.AlwaysUseDefaultValue?.toLowerCase() === 'true',
    required: node.attributes.Required?.toLowerCase() === 'true',
  };
}

/** `<Preconditions>` of a validation technical profile or an orchestration step. */
export function readPreconditions(node: XmlNode): Precondition[] {
  return listOf(node, 'Preconditions', 'Precondition').map((precondition) => ({
    type: precondition.attributes.Type ?? '',
    executeActionsIf: (precondition.attributes.ExecuteActionsIf ?? '').toLowerCase() === 'true',
    values: childrenNamed(precondition, 'Value').map((value) => value.text),
    action: childNamed(precondition, 'Action')?.text ?? '',
  }));
}

function referenceIdOf(node: XmlNode): string {
  const id = node.attributes.ReferenceId;
  if (id === undefined) throw new B2cPolicyError(`a ${node.name} has no ReferenceId`);
  return id;
}

/** `overlay` on top of `base` (both fragments of the same profile, or an included profile under its includer). */
export function mergeProfiles(base: TechnicalProfile, overlay: TechnicalProfile): TechnicalProfile {
  const protocol = overlay.protocol ?? base.protocol;
  return {
    id: overlay.id,
    ...(protocol === undefined ? {} : { protocol }),
    metadata: new Map([...base.metadata, ...overlay.metadata]),
    keys: new Map([...base.keys, ...overlay.keys]),
    inputClaims: mergeClaims(base.inputClaims, overlay.inputClaims),
    outputClaims: mergeClaims(base.outputClaims, overlay.outputClaims),
    persistedClaims: mergeClaims(base.persistedClaims, overlay.persistedClaims),
    inputClaimsTransformations: appendNew(base.inputClaimsTransformations, overlay.inputClaimsTransformations),
    outputClaimsTransformations: appendNew(base.outputClaimsTransformations, overlay.outputClaimsTransformations),
    validationProfiles: mergeById(base.validationProfiles, overlay.validationProfiles, (vtp) => vtp.referenceId),
    includes: appendNew(base.includes, overlay.includes),
  };
}

function mergeClaims(base: readonly ClaimRef[], overlay: readonly ClaimRef[]): ClaimRef[] {
  return mergeById(base, overlay, (claim) => claim.claim);
}

function mergeById<T>(base: readonly T[], overlay: readonly T[], idOf: (item: T) => string): T[] {
  const merged = [...base];
  for (const item of overlay) {
    const at = merged.findIndex((existing) => idOf(existing) === idOf(item));
    if (at >= 0) merged[at] = item;
    else merged.push(item);
  }
  return merged;
}

function appendNew(base: readonly string[], overlay: readonly string[]): string[] {
  return [...base, ...overlay.filter((id) => !base.includes(id))];
}
