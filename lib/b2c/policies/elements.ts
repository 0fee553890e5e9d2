/**
 * Typed builders for the trust-framework elements the policies use, emitting children in the order
 * TrustFrameworkPolicy_0.3.0.0.xsd requires (a technical profile's Metadata before its InputClaims, ...),
 * so each caller states what a profile is and never the element order.
 */
import { element, textElement, type XmlElement } from './xml';

export interface ClaimReference {
  readonly id: string;
  readonly partner?: string;
  readonly defaultValue?: string;
  /** The default wins even over a value already in the claims bag. */
  readonly alwaysUseDefault?: boolean;
  readonly required?: boolean;
}

export interface Precondition {
  readonly type: 'ClaimsExist' | 'ClaimEquals';
  /** The actions run when the test is this value. */
  readonly executeActionsIf: boolean;
  /** ClaimsExist: the claim; ClaimEquals: the claim and the value. */
  readonly values: readonly string[];
  readonly action: 'SkipThisValidationTechnicalProfile' | 'SkipThisOrchestrationStep';
}

export interface ValidationProfile {
  readonly id: string;
  readonly preconditions?: readonly Precondition[];
}

export interface TechnicalProfileSpec {
  readonly id: string;
  readonly displayName?: string;
  readonly protocol?: { readonly name: string; readonly handler?: string };
  readonly metadata?: readonly (readonly [string, string])[];
  readonly cryptographicKeys?: readonly (readonly [string, string])[];
  readonly includeInSso?: boolean;
  readonly inputClaims?: readonly ClaimReference[];
  readonly persistedClaims?: readonly ClaimReference[];
  readonly outputClaims?: readonly ClaimReference[];
  readonly outputClaimsTransformations?: readonly string[];
  readonly validationProfiles?: readonly ValidationProfile[];
  readonly subjectNamingInfo?: string;
  readonly includeProfile?: string;
  readonly sessionManagement?: string;
}

export function claim(kind: 'InputClaim' | 'OutputClaim' | 'PersistedClaim', ref: ClaimReference): XmlElement {
  return element(kind, {
    ClaimTypeReferenceId: ref.id,
    PartnerClaimType: ref.partner,
    DefaultValue: ref.defaultValue,
    AlwaysUseDefaultValue: ref.alwaysUseDefault ? 'true' : undefined,
    Required: ref.required ? 'true' : undefined,
  });
}

function list<T>(name: string, items: readonly T[] | undefined, render: (item: T) => XmlElement): XmlElement | undefined {
  return items && items.length > 0 ? element(name, {}, items.map(render)) : undefined;
}

export function preconditions(items: readonly Precondition[] | undefined): XmlElement | undefined {
  return list('Preconditions', items, (p) =>
    element('Precondition', { Type: p.type, ExecuteActionsIf: String(p.executeActionsIf) }, [...p.values.map((value) => textElement('Value', value)), textElement('Action', p.action)]),
  );
}

export function technicalProfile(spec: TechnicalProfileSpec): XmlElement {
  return element('TechnicalProfile', { Id: spec.id }, [
    spec.displayName !== undefined && textElement('DisplayName', spec.displayName),
    spec.protocol && element('Protocol', { Name: spec.protocol.name, Handler: spec.protocol.handler }),
    list('Metadata', spec.metadata, ([key, value]) => textElement('Item', value, { Key: key })),
    list('CryptographicKeys', spec.cryptographicKeys, ([id, storage]) => element('Key', { Id: id, StorageReferenceId: storage })),
    spec.includeInSso !== undefined && textElement('IncludeInSso', String(spec.includeInSso)),
    list('InputClaims', spec.inputClaims, (ref) => claim('InputClaim', ref)),
    list('PersistedClaims', spec.persistedClaims, (ref) => claim('PersistedClaim', ref)),
    list('OutputClaims', spec.outputClaims, (ref) => claim('OutputClaim', ref)),
    list('OutputClaimsTransformations', spec.outputClaimsTransformations, (id) => element('OutputClaimsTransformation', { ReferenceId: id })),
    list('ValidationTechnicalProfiles', spec.validationProfiles, (vtp) => element('ValidationTechnicalProfile', { ReferenceId: vtp.id }, [preconditions(vtp.preconditions)])),
    spec.subjectNamingInfo !== undefined && element('SubjectNamingInfo', { ClaimType: spec.subjectNamingInfo }),
    spec.includeProfile !== undefined && element('IncludeTechnicalProfile', { ReferenceId: spec.includeProfile }),
    spec.sessionManagement !== undefined && element('UseTechnicalProfileForSessionManagement', { ReferenceId: spec.sessionManagement }),
  ]);
}

/** A ClaimsProvider grouping technical profiles under a display name. */
export function claimsProvider(displayName: string, profiles: readonly XmlElement[]): XmlElement {
  return element('ClaimsProvider', {}, [textElement('DisplayName', displayName), element('TechnicalProfiles', {}, profiles)]);
}

/** The root of every policy file; `basePolicy` is absent only for a root policy (never here). */
export function policyDocument(tenant: string, policyId: string, basePolicy: string, children: readonly (XmlElement | undefined)[]): XmlElement {
  return element(
    'TrustFrameworkPolicy',
    {
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      xmlns: 'http://schemas.microsoft.com/online/cpim/schemas/2013/06',
      PolicySchemaVersion: '0.3.0.0',
      TenantId: tenant,
      PolicyId: policyId,
      PublicPolicyUri: `http://${tenant}/${policyId}`,
    },
    [element('BasePolicy', {}, [textElement('TenantId', tenant), textElement('PolicyId', basePolicy)]), ...children],
  );
}
