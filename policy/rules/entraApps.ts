/**
 * Entra applications that are APIs (token audiences, like the custom authentication extension's app) ask for
 * v2 access tokens: the function checks a v2 token's `aud` and `azp`, and Easy Auth's client-application check
 * is documented for them.
 */
import * as azuread from '@pulumi/azuread';
import type { ResourceValidationPolicy } from '@pulumi/policy';

const V2 = 'request v2 access tokens: the default, v1, carries other claims (appid, not azp) and another issuer';

export const entraApiAppsRequestV2Tokens: ResourceValidationPolicy = {
  name: 'entra-api-apps-request-v2-tokens',
  description: 'Entra applications that expose an API (identifier URIs) request v2 access tokens.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  validateResource: (args, reportViolation) => {
    const registration = args.asType(azuread.ApplicationRegistration);
    if (registration) {
      // Its identifier URIs are separate resources (ApplicationIdentifierUri), so every registration is held to
      // it; the setting only shapes tokens issued for the app as an API, so a client-only app loses nothing.
      if (registration.requestedAccessTokenVersion !== 2) reportViolation(`Set requestedAccessTokenVersion: 2: an application registration must ${V2}.`);
      return;
    }
    const app = args.asType(azuread.Application);
    if (!app) return args.notApplicable('not an azuread Application or ApplicationRegistration');
    if ((app.identifierUris ?? []).length === 0 && app.api === undefined) return args.notApplicable('the application exposes no API');
    if (app.api?.requestedAccessTokenVersion !== 2) reportViolation(`Set api.requestedAccessTokenVersion: 2: an application that exposes an API must ${V2}.`);
  },
};
