/**
 * The policy files as IEF links them: a relying-party file, its BasePolicy, that file's BasePolicy, ... until
 * a policy that is not among the files (the team's starter-pack base), whose profiles the stand-in models as
 * built-ins. Definitions merge base first; a reference to something neither the chain nor the built-ins
 * define is a B2cPolicyError.
 */
import { BUILT_IN_PROFILES } from './builtins';
import { B2cPolicyError, mergeProfiles, readPreconditions, readTechnicalProfile, type Precondition, type TechnicalProfile } from './technicalProfile';
import { childNamed, childrenNamed, descendantsNamed, listOf, parseXml, type XmlNode } from './xmlTree';

export interface ClaimsTransformation {
  readonly id: string;
  readonly method: string;
  /** TransformationClaimType → ClaimTypeReferenceId. */
  readonly inputClaims: ReadonlyMap<string, string>;
  readonly outputClaims: ReadonlyMap<string, string>;
}

export interface OrchestrationStep {
  readonly order: number;
  readonly type: string;
  readonly preconditions: readonly Precondition[];
  /** ClaimsExchange Id → technical profile id. */
  readonly claimsExchanges: ReadonlyMap<string, string>;
  readonly validationClaimsExchangeIds: readonly string[];
  readonly cpimIssuerProfileId?: string;
}

export interface RelyingParty {
  readonly policyId: string;
  readonly defaultUserJourney: string;
  readonly profile: TechnicalProfile;
}

interface PolicyFile {
  readonly policyId: string;
  readonly basePolicyId?: string;
  readonly root: XmlNode;
}

export class PolicyChain {
  readonly relyingParty: RelyingParty;
  /** Root base first, the relying-party file last. */
  private readonly layers: readonly PolicyFile[];
  private readonly resolved = new Map<string, TechnicalProfile>();

  constructor(files: readonly PolicyFile[], journeyId: string) {
    const rpFiles = files.filter((file) => defaultJourneyOf(file) === journeyId);
    const rpFile = rpFiles[0];
    if (rpFile === undefined || rpFiles.length > 1) {
      throw new B2cPolicyError(`expected exactly one relying-party file with DefaultUserJourney ${journeyId}, found ${rpFiles.length}`);
    }
    const layers: PolicyFile[] = [];
    for (let file: PolicyFile | undefined = rpFile; file !== undefined; file = files.find((candidate) => candidate.policyId === file!.basePolicyId)) {
      if (layers.includes(file)) throw new B2cPolicyError(`BasePolicy cycle at ${file.policyId}`);
      layers.unshift(file);
    }
    this.layers = layers;
    const rpNode = childNamed(rpFile.root, 'RelyingParty')!;
    const rpProfile = childNamed(rpNode, 'TechnicalProfile');
    if (rpProfile === undefined) throw new B2cPolicyError(`${rpFile.policyId}: the RelyingParty has no TechnicalProfile`);
    this.relyingParty = { policyId: rpFile.policyId, defaultUserJourney: journeyId, profile: readTechnicalProfile(rpProfile) };
  }

  static parseFiles(xmls: readonly string[]): PolicyFile[] {
    return xmls.map((xml) => {
      const root = parseXml(xml);
      if (root.name !== 'TrustFrameworkPolicy') throw new B2cPolicyError(`a policy file's root is <${root.name}>, not <TrustFrameworkPolicy>`);
      const policyId = root.attributes.PolicyId;
      if (policyId === undefined) throw new B2cPolicyError('a policy file has no PolicyId');
      const basePolicyId = childNamed(childNamed(root, 'BasePolicy'), 'PolicyId')?.text;
      return { policyId, ...(basePolicyId === undefined ? {} : { basePolicyId }), root };
    });
  }

  /** The merged profile: built-in (starter-pack base) fragment, then each layer's, with included profiles underneath. */
  profile(id: string, including: readonly string[] = []): TechnicalProfile {
    const cached = this.resolved.get(id);
    if (cached !== undefined) return cached;
    if (including.includes(id)) throw new B2cPolicyError(`IncludeTechnicalProfile cycle: ${[...including, id].join(' → ')}`);
    const fragments = [
      ...BUILT_IN_PROFILES.filter((profile) => profile.id === id),
      ...this.layers.flatMap((layer) => {
        const providers = childNamed(layer.root, 'ClaimsProviders');
        return providers === undefined ? [] : descendantsNamed(providers, 'TechnicalProfile').filter((node) => node.attributes.Id === id).map(readTechnicalProfile);
      }),
    ];
    if (fragments.length === 0) throw new B2cPolicyError(`technical profile ${id} is referenced but defined neither in the policy files nor among the starter-pack base profiles`);
    const own = fragments.reduce(mergeProfiles);
    const merged = own.includes.reduceRight<TechnicalProfile>((profile, includedId) => mergeProfiles(this.profile(includedId, [...including, id]), profile), own);
    this.resolved.set(id, merged);
    return merged;
  }

  claimsTransformation(id: string): ClaimsTransformation {
    const nodes = this.layers.flatMap((layer) => descendantsNamed(layer.root, 'ClaimsTransformation').filter((node) => node.attributes.Id === id));
    const node = nodes.at(-1);
    if (node === undefined) throw new B2cPolicyError(`claims transformation ${id} is referenced but not defined`);
    const byTransformationType = (container: string, item: string) =>
      new Map(listOf(node, container, item).map((claim) => [claim.attributes.TransformationClaimType ?? '', claim.attributes.ClaimTypeReferenceId ?? '']));
    return {
      id,
      method: node.attributes.TransformationMethod ?? '',
      inputClaims: byTransformationType('InputClaims', 'InputClaim'),
      outputClaims: byTransformationType('OutputClaims', 'OutputClaim'),
    };
  }

  /** The journey's steps by Order; a later layer's step with the same Order replaces the earlier one. */
  journey(id: string): OrchestrationStep[] {
    const steps = new Map<number, OrchestrationStep>();
    const journeys = this.layers.flatMap((layer) => descendantsNamed(layer.root, 'UserJourney').filter((node) => node.attributes.Id === id));
    if (journeys.length === 0) throw new B2cPolicyError(`user journey ${id} is not defined`);
    for (const step of journeys.flatMap((journey) => listOf(journey, 'OrchestrationSteps', 'OrchestrationStep'))) {
      const order = Number(step.attributes.Order);
      const cpimIssuerProfileId = step.attributes.CpimIssuerTechnicalProfileReferenceId;
      steps.set(order, {
        order,
        type: step.attributes.Type ?? '',
        preconditions: readPreconditions(step),
        claimsExchanges: new Map(listOf(step, 'ClaimsExchanges', 'ClaimsExchange').map((exchange) => [exchange.attributes.Id ?? '', exchange.attributes.TechnicalProfileReferenceId ?? ''])),
        validationClaimsExchangeIds: listOf(step, 'ClaimsProviderSelections', 'ClaimsProviderSelection').flatMap((selection) => selection.attributes.ValidationClaimsExchangeId ?? []),
        ...(cpimIssuerProfileId === undefined ? {} : { cpimIssuerProfileId }),
      });
    }
    return [...steps.values()].sort((a, b) => a.order - b.order);
  }
}

function defaultJourneyOf(file: PolicyFile): string | undefined {
  return childrenNamed(childNamed(file.root, 'RelyingParty'), 'DefaultUserJourney')[0]?.attributes.ReferenceId;
}
