/** The two relying-party files apps call: sign-up-or-sign-in and password reset, each on the migration layer. */
import { B2C_CLAIMS } from '../contract';
import { policyDocument, technicalProfile } from './elements';
import { B2C_LAYER_JOURNEYS, B2C_STARTER_PACK } from './ids';
import type { ResolvedB2cPolicyOptions } from './options';
import { element, type XmlElement } from './xml';

/** The token's claims, as in the starter pack's relying parties; `sub` is the B2C objectId. */
function policyProfile(): XmlElement {
  return technicalProfile({
    id: 'PolicyProfile',
    displayName: 'PolicyProfile',
    protocol: { name: 'OpenIdConnect' },
    outputClaims: [
      { id: B2C_CLAIMS.displayName },
      { id: B2C_CLAIMS.givenName },
      { id: B2C_CLAIMS.surname },
      { id: B2C_CLAIMS.email },
      { id: B2C_CLAIMS.objectId, partner: 'sub' },
      { id: 'tenantId', partner: 'tid', defaultValue: '{Policy:TenantObjectId}', alwaysUseDefault: true },
    ],
    subjectNamingInfo: 'sub',
  });
}

function relyingParty(options: ResolvedB2cPolicyOptions, policyId: string, journey: string, refreshTokens: boolean): XmlElement {
  return policyDocument(options.tenant, policyId, options.policyIds.migration, [
    element('RelyingParty', {}, [
      element('DefaultUserJourney', { ReferenceId: journey }),
      refreshTokens && element('Endpoints', {}, [element('Endpoint', { Id: 'Token', UserJourneyReferenceId: B2C_STARTER_PACK.redeemRefreshToken })]),
      policyProfile(),
    ]),
  ]);
}

export function signUpOrSignInPolicy(options: ResolvedB2cPolicyOptions): XmlElement {
  // Refresh tokens are redeemed through the base's journey, as in the starter pack's sign-up-or-sign-in.
  return relyingParty(options, options.policyIds.signUpOrSignIn, B2C_LAYER_JOURNEYS.signUpOrSignIn, true);
}

export function passwordResetPolicy(options: ResolvedB2cPolicyOptions): XmlElement {
  return relyingParty(options, options.policyIds.passwordReset, B2C_LAYER_JOURNEYS.passwordReset, false);
}
