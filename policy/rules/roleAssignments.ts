/** Role assignments at the narrowest scope: a resource (or a child of one), never a subscription, a resource group or a management group. */
import * as authorization from '@pulumi/azure-native/authorization';
import { validateResourceOfType, type ResourceValidationPolicy } from '@pulumi/policy';

/** `/subscriptions/{id}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}...`: a resource inside a group. */
const RESOURCE_SCOPE = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i;

/** True when an ARM scope names a resource rather than a subscription, resource group or management group. */
export function isResourceScope(scope: string): boolean {
  return RESOURCE_SCOPE.test(scope);
}

export const roleAssignmentsOnResources: ResourceValidationPolicy = {
  name: 'role-assignments-scoped-to-resources',
  description: 'Role assignments are scoped to a resource, never to a subscription, resource group or management group.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateResource: validateResourceOfType(authorization.RoleAssignment, (assignment, _args, reportViolation) => {
    const scope = String(assignment.scope);
    if (!isResourceScope(scope)) {
      reportViolation(`Scope the role assignment to the resource that needs it, not ${scope}: a broader scope grants the role on everything under it.`);
    }
  }),
};
