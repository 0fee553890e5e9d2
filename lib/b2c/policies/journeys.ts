/** The two user journeys of the layer: the starter pack's shapes, with the migration-aware pages. */
import { B2C_CLAIMS } from '../contract';
import { preconditions } from './elements';
import { B2C_LAYER_EXCHANGES, B2C_LAYER_JOURNEYS, B2C_LAYER_PROFILES, B2C_STARTER_PACK } from './ids';
import { element, type XmlElement } from './xml';

function exchanges(id: string, profile: string): XmlElement {
  return element('ClaimsExchanges', {}, [element('ClaimsExchange', { Id: id, TechnicalProfileReferenceId: profile })]);
}

function step(order: number, children: readonly (XmlElement | undefined)[], type = 'ClaimsExchange', extra: Record<string, string> = {}): XmlElement {
  return element('OrchestrationStep', { Order: String(order), Type: type, ...extra }, children);
}

function readUserStep(order: number): XmlElement {
  return step(order, [exchanges(B2C_LAYER_EXCHANGES.readUser, B2C_STARTER_PACK.userReadUsingObjectId)]);
}

function sendClaimsStep(order: number): XmlElement {
  return step(order, [], 'SendClaims', { CpimIssuerTechnicalProfileReferenceId: B2C_STARTER_PACK.jwtIssuer });
}

function journey(id: string, steps: readonly XmlElement[]): XmlElement {
  return element('UserJourney', { Id: id }, [element('OrchestrationSteps', {}, steps), element('ClientDefinition', { ReferenceId: 'DefaultWeb' })]);
}

export function userJourneys(): XmlElement {
  return element('UserJourneys', {}, [
    journey(B2C_LAYER_JOURNEYS.signUpOrSignIn, [
      step(
        1,
        [
          element('ClaimsProviderSelections', {}, [element('ClaimsProviderSelection', { ValidationClaimsExchangeId: B2C_LAYER_EXCHANGES.signIn })]),
          exchanges(B2C_LAYER_EXCHANGES.signIn, B2C_LAYER_PROFILES.signInPage),
        ],
        'CombinedSignInAndSignUp',
        { ContentDefinitionReferenceId: 'api.signuporsignin' },
      ),
      // Sign-up only when sign-in produced no account.
      step(2, [
        preconditions([{ type: 'ClaimsExist', executeActionsIf: true, values: [B2C_CLAIMS.objectId], action: 'SkipThisOrchestrationStep' }]),
        exchanges(B2C_LAYER_EXCHANGES.signUp, B2C_LAYER_PROFILES.signUpPage),
      ]),
      readUserStep(3),
      sendClaimsStep(4),
    ]),
    journey(B2C_LAYER_JOURNEYS.passwordReset, [
      step(1, [exchanges(B2C_LAYER_EXCHANGES.resetDiscovery, B2C_LAYER_PROFILES.resetDiscoveryPage)]),
      step(2, [exchanges(B2C_LAYER_EXCHANGES.resetNewCredentials, B2C_LAYER_PROFILES.resetWritePasswordPage)]),
      readUserStep(3),
      sendClaimsStep(4),
    ]),
  ]);
}
