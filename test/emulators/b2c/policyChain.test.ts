/** IEF's merge of technical profiles across the policy chain, on a hand-written two-file chain. */
import { B2C_PROVIDER_HANDLERS } from '../../../lib/b2c/policies';
import { PolicyChain } from './policyChain';
import { B2cPolicyError } from './technicalProfile';

const NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"';

const LAYER = `<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy ${NS} PolicyId="B2C_1A_Layer">
  <BasePolicy><TenantId>t</TenantId><PolicyId>B2C_1A_TrustFrameworkExtensions</PolicyId></BasePolicy>
  <ClaimsProviders><ClaimsProvider><TechnicalProfiles>
    <TechnicalProfile Id="AAD-Common"><Metadata><Item Key="ClientId">app-id</Item></Metadata></TechnicalProfile>
    <TechnicalProfile Id="Common">
      <Metadata><Item Key="A">common</Item><Item Key="B">common</Item></Metadata>
      <InputClaims><InputClaim ClaimTypeReferenceId="c1" /></InputClaims>
      <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="V0" /></ValidationTechnicalProfiles>
    </TechnicalProfile>
    <TechnicalProfile Id="Page">
      <Metadata><Item Key="A">page</Item></Metadata>
      <InputClaims><InputClaim ClaimTypeReferenceId="c2" DefaultValue="x" AlwaysUseDefaultValue="true" /></InputClaims>
      <ValidationTechnicalProfiles>
        <ValidationTechnicalProfile ReferenceId="V1">
          <Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>objectId</Value><Action>SkipThisValidationTechnicalProfile</Action></Precondition></Preconditions>
        </ValidationTechnicalProfile>
      </ValidationTechnicalProfiles>
      <IncludeTechnicalProfile ReferenceId="Common" />
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <UserJourneys><UserJourney Id="J"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="E1" TechnicalProfileReferenceId="Page" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
  </OrchestrationSteps></UserJourney></UserJourneys>
</TrustFrameworkPolicy>`;

const RP = `<TrustFrameworkPolicy ${NS} PolicyId="B2C_1A_RP">
  <BasePolicy><TenantId>t</TenantId><PolicyId>B2C_1A_Layer</PolicyId></BasePolicy>
  <ClaimsProviders><ClaimsProvider><TechnicalProfiles>
    <TechnicalProfile Id="Page">
      <Metadata><Item Key="C">rp</Item></Metadata>
      <InputClaims><InputClaim ClaimTypeReferenceId="c2" /><InputClaim ClaimTypeReferenceId="c3" PartnerClaimType="p3" /></InputClaims>
      <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="V2" ContinueOnError="true" /></ValidationTechnicalProfiles>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <RelyingParty><DefaultUserJourney ReferenceId="J" /><TechnicalProfile Id="PolicyProfile"><OutputClaims><OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" /></OutputClaims></TechnicalProfile></RelyingParty>
</TrustFrameworkPolicy>`;

describe('PolicyChain', () => {
  const chain = new PolicyChain(PolicyChain.parseFiles([RP, LAYER]), 'J');

  it('merges an included profile under its includer, and each layer over the one below', () => {
    const page = chain.profile('Page');
    expect(Object.fromEntries(page.metadata)).toEqual({ A: 'page', B: 'common', C: 'rp' });
    // The included profile's claims come first; the RP's c2 replaces the layer's in place; c3 is appended.
    expect(page.inputClaims.map((claim) => [claim.claim, claim.partner, claim.defaultValue ?? null])).toEqual([
      ['c1', 'c1', null],
      ['c2', 'c2', null],
      ['c3', 'p3', null],
    ]);
    expect(page.validationProfiles.map((vtp) => [vtp.referenceId, vtp.preconditions.length, vtp.continueOnError])).toEqual([
      ['V0', 0, false],
      ['V1', 1, false],
      ['V2', 0, true],
    ]);
  });

  it('puts a layer override on top of the starter-pack built-in', () => {
    const common = chain.profile('AAD-Common');
    expect(common.metadata.get('ClientId')).toBe('app-id');
    expect(common.protocol?.handler).toBe(B2C_PROVIDER_HANDLERS.azureActiveDirectory);
  });

  it('reads the journey and the relying party', () => {
    expect(chain.journey('J').map((step) => [step.order, step.type])).toEqual([
      [1, 'ClaimsExchange'],
      [2, 'SendClaims'],
    ]);
    expect(chain.relyingParty).toMatchObject({ policyId: 'B2C_1A_RP', defaultUserJourney: 'J' });
  });

  it('refuses a reference to a profile defined nowhere, and a journey no relying party uses', () => {
    expect(() => chain.profile('Nowhere')).toThrow(B2cPolicyError);
    expect(() => new PolicyChain(PolicyChain.parseFiles([RP, LAYER]), 'Other')).toThrow(/exactly one relying-party file with DefaultUserJourney Other/);
    expect(() => new PolicyChain(PolicyChain.parseFiles([RP]), 'J').journey('J')).toThrow(/user journey J is not defined/);
  });
});
