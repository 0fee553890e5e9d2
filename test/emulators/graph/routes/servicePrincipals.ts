/**
 * `/servicePrincipals` and their app role assignments (servicePrincipal-post-serviceprincipals,
 * serviceprincipal-post-approleassignments). A service principal needs an application in the tenant or a
 * Microsoft first-party appId; a second one for the same appId is 409. Assignment ids are opaque strings,
 * not GUIDs, as in Graph.
 */
import { randomBytes } from 'node:crypto';
import { AUTHENTICATION_EVENTS_APP_ID, FIRST_PARTY_APPS, type Directory } from '../directory';
import { filterFor, page, project, rejectUnsupportedOptions, selectedProperties } from '../query';
import { asObject, badRequest, EmulatorError, json, noContent, notFound, type EmulatedRequest, type Json } from '../protocol';
import { PERMISSIONS, route, type Route } from '../router';
import { invalidValue, isGuid, optionalBoolean, rejectUnknownProperties } from '../shapes';

const WRITABLE_ON_CREATE = new Set(['appId', 'accountEnabled', 'appRoleAssignmentRequired', 'tags', 'notes', 'description']);
const WRITABLE_ON_UPDATE = new Set(['accountEnabled', 'appRoleAssignmentRequired', 'tags', 'notes', 'description']);
const FILTERABLE = new Set(['id', 'appid', 'displayname', 'serviceprincipalnames', 'accountenabled', 'serviceprincipaltype', 'tags']);

export const servicePrincipalRoutes: Route[] = [
  route('GET', 'servicePrincipals', PERMISSIONS.applicationsRead, ({ directory }, request) => listServicePrincipals(directory, request)),
  route('POST', 'servicePrincipals', PERMISSIONS.applicationsWrite, ({ directory }, request) => createServicePrincipal(directory, request)),
  route('GET', 'servicePrincipals/:id', PERMISSIONS.applicationsRead, ({ directory }, request, { id }) => {
    rejectUnsupportedOptions(request, ['$select']);
    const servicePrincipal = findServicePrincipal(directory, id as string);
    if (directory.isReplicating(servicePrincipal.id as string)) throw missing(id as string);
    return json(200, project(servicePrincipal, selectedProperties(request, (name) => name in servicePrincipal, 'servicePrincipal'), undefined));
  }),
  route('PATCH', 'servicePrincipals/:id', PERMISSIONS.applicationsWrite, ({ directory }, request, { id }) => {
    const servicePrincipal = findServicePrincipal(directory, id as string);
    const body = asObject(request.body, 'ServicePrincipal');
    rejectUnknownProperties(body, WRITABLE_ON_UPDATE);
    optionalBoolean(body, 'accountEnabled', 'ServicePrincipal');
    optionalBoolean(body, 'appRoleAssignmentRequired', 'ServicePrincipal');
    Object.assign(servicePrincipal, body);
    return noContent();
  }),
  route('DELETE', 'servicePrincipals/:id', PERMISSIONS.applicationsWrite, ({ directory }, _request, { id }) => {
    const servicePrincipal = findServicePrincipal(directory, id as string);
    directory.servicePrincipals.delete(servicePrincipal.id as string);
    // Graph allows this, and it breaks every custom authentication extension in the tenant: let tests see it.
    if (servicePrincipal.appId === AUTHENTICATION_EVENTS_APP_ID) directory.authenticationEventsServicePrincipalDeleted = true;
    for (const [assignmentId, assignment] of directory.appRoleAssignments) {
      if (assignment.principalId === servicePrincipal.id || assignment.resourceId === servicePrincipal.id) directory.appRoleAssignments.delete(assignmentId);
    }
    return noContent();
  }),
  route('GET', 'servicePrincipals/:id/appRoleAssignments', PERMISSIONS.applicationsRead, ({ directory }, request, { id }) => {
    const servicePrincipal = findServicePrincipal(directory, id as string);
    return json(200, { value: [...directory.appRoleAssignments.values()].filter((assignment) => assignment.principalId === servicePrincipal.id), '@odata.context': `${request.serviceRoot}/$metadata#appRoleAssignments` });
  }),
  route('GET', 'servicePrincipals/:id/appRoleAssignedTo', PERMISSIONS.applicationsRead, ({ directory }, request, { id }) => {
    const servicePrincipal = findServicePrincipal(directory, id as string);
    return json(200, { value: [...directory.appRoleAssignments.values()].filter((assignment) => assignment.resourceId === servicePrincipal.id), '@odata.context': `${request.serviceRoot}/$metadata#appRoleAssignments` });
  }),
  route('POST', 'servicePrincipals/:id/appRoleAssignments', PERMISSIONS.appRoleAssignmentsWrite, ({ directory }, request, { id }) =>
    assignAppRole(directory, request, id as string),
  ),
  route('DELETE', 'servicePrincipals/:id/appRoleAssignments/:assignmentId', PERMISSIONS.appRoleAssignmentsWrite, ({ directory }, _request, { id, assignmentId }) => {
    const servicePrincipal = findServicePrincipal(directory, id as string);
    const assignment = directory.appRoleAssignments.get(assignmentId as string);
    if (!assignment || assignment.principalId !== servicePrincipal.id) throw missing(assignmentId as string);
    directory.appRoleAssignments.delete(assignmentId as string);
    return noContent();
  }),
];

function createServicePrincipal(directory: Directory, request: EmulatedRequest) {
  const body = asObject(request.body, 'ServicePrincipal');
  rejectUnknownProperties(body, WRITABLE_ON_CREATE);
  const appId = body.appId;
  if (!isGuid(appId)) throw invalidValue('appId', 'ServicePrincipal');
  optionalBoolean(body, 'accountEnabled', 'ServicePrincipal');
  optionalBoolean(body, 'appRoleAssignmentRequired', 'ServicePrincipal');
  const application = directory.applicationByAppId(appId);
  const firstPartyName = FIRST_PARTY_APPS.get(appId.toLowerCase());
  if (!application && firstPartyName === undefined) {
    throw badRequest(`The appId '${appId}' of the service principal does not reference a valid application object.`);
  }
  if (directory.servicePrincipalByAppId(appId)) {
    throw new EmulatorError(409, 'Request_MultipleObjectsWithSameKeyValue', `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`);
  }
  const { appId: _appId, ...rest } = body;
  const servicePrincipal = directory.addServicePrincipal(appId.toLowerCase(), String(application?.displayName ?? firstPartyName), {
    appRoles: structuredClone(application?.appRoles ?? []),
    servicePrincipalNames: [appId.toLowerCase(), ...((application?.identifierUris as string[] | undefined) ?? [])],
    ...rest,
  });
  directory.created(servicePrincipal.id as string);
  return json(201, servicePrincipal);
}

function listServicePrincipals(directory: Directory, request: EmulatedRequest) {
  rejectUnsupportedOptions(request, ['$filter', '$select', '$top', '$skiptoken', '$count']);
  const selected = selectedProperties(request, (name) => ['id', 'appId', 'displayName', 'appRoles', 'servicePrincipalNames', 'accountEnabled', 'servicePrincipalType', 'tags', 'appRoleAssignmentRequired'].includes(name), 'servicePrincipal');
  const predicate = filterFor(request, { resource: 'ServicePrincipal', maxTop: 999, isFilterable: (name) => FILTERABLE.has(name.toLowerCase()) });
  const { value, nextLink } = page(request, [...directory.servicePrincipals.values()].filter(predicate), 999);
  const body: Json = { '@odata.context': `${request.serviceRoot}/$metadata#servicePrincipals`, value: value.map((sp) => project(sp, selected, undefined)) };
  if (nextLink) body['@odata.nextLink'] = nextLink;
  return json(200, body);
}

function assignAppRole(directory: Directory, request: EmulatedRequest, id: string) {
  const principal = findServicePrincipal(directory, id);
  const body = asObject(request.body, 'AppRoleAssignment');
  rejectUnknownProperties(body, new Set(['principalId', 'resourceId', 'appRoleId']));
  for (const name of ['principalId', 'resourceId', 'appRoleId']) if (!isGuid(body[name])) throw invalidValue(name, 'AppRoleAssignment', 'It must be a GUID.');
  if (String(body.principalId).toLowerCase() !== String(principal.id).toLowerCase()) {
    throw badRequest('The principalId in the request body must be the id of the service principal in the URL.');
  }
  const resource = directory.servicePrincipals.get(String(body.resourceId));
  if (!resource) throw notFound(`Resource '${String(body.resourceId)}' does not exist or one of its queried reference-property objects are not present.`);
  const role = (resource.appRoles as Json[]).find((candidate) => String(candidate.id).toLowerCase() === String(body.appRoleId).toLowerCase());
  if (!role) throw badRequest(`Permission being assigned was not found on application '${String(resource.appId)}'.`);
  const duplicate = [...directory.appRoleAssignments.values()].some(
    (assignment) => assignment.principalId === principal.id && assignment.resourceId === resource.id && assignment.appRoleId === role.id,
  );
  if (duplicate) throw badRequest('Permission being assigned already exists on the object');
  const assignment: Json = {
    id: randomBytes(32).toString('base64url').slice(0, 43),
    deletedDateTime: null,
    appRoleId: role.id,
    createdDateTime: new Date().toISOString(),
    principalDisplayName: principal.displayName,
    principalId: principal.id,
    principalType: 'ServicePrincipal',
    resourceDisplayName: resource.displayName,
    resourceId: resource.id,
  };
  directory.appRoleAssignments.set(assignment.id as string, assignment);
  return json(201, assignment);
}

function findServicePrincipal(directory: Directory, id: string): Json {
  const servicePrincipal = directory.servicePrincipals.get(id);
  if (!servicePrincipal) throw missing(id);
  return servicePrincipal;
}

function missing(id: string) {
  return notFound(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}
