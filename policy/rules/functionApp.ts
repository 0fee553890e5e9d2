/**
 * Function apps: HTTPS only, FTP(S) off, a user-assigned identity, and basic (user/password) publishing
 * credentials off for FTP and SCM (the basicPublishingCredentialsPolicies the stack sets to allow: false).
 */
import * as web from '@pulumi/azure-native/web';
import { validateResourceOfType, type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from '@pulumi/policy';

/** App Service's `kind` for function apps: `functionapp`, `functionapp,linux`, `functionapp,workflowapp`, … */
export const isFunctionAppKind = (kind: unknown): boolean => typeof kind === 'string' && kind.toLowerCase().split(',').includes('functionapp');

/** azure-native v3 takes an array of identity ids; older API shapes a map keyed by id. */
function identityCount(ids: unknown): number {
  if (Array.isArray(ids)) return ids.length;
  return ids && typeof ids === 'object' ? Object.keys(ids).length : 0;
}

export const functionAppHardening: ResourceValidationPolicy = {
  name: 'function-app-https-only-ftps-off-user-assigned-identity',
  description: 'Function apps accept HTTPS only, have FTP and FTPS disabled, and run as a user-assigned managed identity.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateResource: validateResourceOfType(web.WebApp, (app, args, reportViolation) => {
    if (!isFunctionAppKind(app.kind)) args.notApplicable('not a function app (kind has no "functionapp")');
    if (app.httpsOnly !== true) reportViolation('Set httpsOnly: true: plain HTTP would carry bearer tokens and payloads in clear text.');
    if (app.siteConfig?.ftpsState !== 'Disabled') {
      reportViolation(`Set siteConfig.ftpsState: 'Disabled' (it is ${app.siteConfig?.ftpsState ?? 'not set, which allows FTP'}).`);
    }
    const type = String(app.identity?.type ?? '');
    if (!/UserAssigned/i.test(type) || identityCount(app.identity?.userAssignedIdentities) === 0) {
      reportViolation("Give the app a user-assigned identity: identity.type 'UserAssigned' with its id in identity.userAssignedIdentities.");
    }
  }),
};

const PUBLISHING_POLICIES = [
  { resourceClass: web.WebAppFtpAllowed, resource: 'web.WebAppFtpAllowed', protocol: 'FTP' },
  { resourceClass: web.WebAppScmAllowed, resource: 'web.WebAppScmAllowed', protocol: 'SCM (Kudu)' },
] as const;

export const basicPublishingCredentialsOff: StackValidationPolicy = {
  name: 'function-app-basic-publishing-credentials-off',
  description: 'Every function app has basic publishing credentials disabled for FTP and SCM: deployments authenticate with Entra.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateStack: (args, reportViolation) => {
    const apps = args.resources.filter((r) => r.isType(web.WebApp) && isFunctionAppKind(r.props.kind));
    for (const { resourceClass, resource, protocol } of PUBLISHING_POLICIES) {
      const policies = args.resources.filter((r) => r.isType(resourceClass));
      for (const policy of policies) {
        if (policy.props.allow !== false) reportViolation(`Set allow: false on ${resource} ${policy.name}: basic ${protocol} credentials are user/password logins.`, policy.urn);
      }
      for (const app of apps) {
        if (!policies.some((policy: PolicyResource) => policy.props.name === app.props.name && policy.props.allow === false)) {
          reportViolation(`Add a ${resource} with allow: false for function app ${app.props.name}: basic ${protocol} credentials are on by default.`, app.urn);
        }
      }
    }
  },
};
