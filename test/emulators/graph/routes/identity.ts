/**
 * `/identity/customAuthenticationExtensions` and `/identity/authenticationEventListeners`, limited to the JIT
 * migration types (docs/entra-contracts.md#custom-extension, #configuration-check, #listener): `onPasswordSubmitCustomExtension` and
 * `onPasswordSubmitListener` with an `onPasswordMigrationCustomExtensionHandler`. POST answers 201, PATCH
 * needs `@odata.type` and answers 204. Creating an extension fails with AADB2C90063 while the Authentication
 * Events service principal (99045fe1-…) is missing from the tenant (docs/entra-contracts.md#extension-app).
 */
import { randomUUID } from 'node:crypto';
import { AUTHENTICATION_EVENTS_APP_ID, MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID, type Directory } from '../directory';
import { asObject, badRequest, json, noContent, notFound, type EmulatedRequest, type Json } from '../protocol';
import { PERMISSIONS, route, type Route } from '../router';
import { invalidValue, isGuid, isHttpsUrl, isObject, odataType, optionalBoolean, optionalString, rejectUnknownProperties } from '../shapes';
import { GUID_SOURCE } from '../../../../lib/ids/guid';

const EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';
const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
const HANDLER_TYPE = '#microsoft.graph.onPasswordMigrationCustomExtensionHandler';
const EXTENSION_PROPERTIES = new Set(['@odata.type', 'displayName', 'description', 'endpointConfiguration', 'authenticationConfiguration', 'clientConfiguration', 'behaviorOnError']);
const LISTENER_PROPERTIES = new Set(['@odata.type', 'displayName', 'priority', 'conditions', 'handler', 'authenticationEventsFlowId']);
const RESOURCE_ID = new RegExp(`^api://([^/]+)/(${GUID_SOURCE})$`, 'i');
/** Graph's customAuthenticationExtension and authenticationEventListener pages state these maximums. */
const MAX_EXTENSIONS = 100;
const MAX_LISTENERS = 250;

export const identityRoutes: Route[] = [
  route('GET', 'identity/customAuthenticationExtensions', PERMISSIONS.extensionsRead, ({ directory }, request) =>
    json(200, { '@odata.context': `${request.serviceRoot}/$metadata#identity/customAuthenticationExtensions`, value: [...directory.customAuthenticationExtensions.values()] }),
  ),
  route('POST', 'identity/customAuthenticationExtensions', PERMISSIONS.extensionsWrite, ({ directory }, request) => createExtension(directory, request)),
  route('POST', 'identity/customAuthenticationExtensions/validateAuthenticationConfiguration', PERMISSIONS.extensionsRead, ({ directory }, request) => {
    const body = asObject(request.body, 'validateAuthenticationConfiguration');
    return json(200, validation(directory, body.endpointConfiguration, body.authenticationConfiguration));
  }),
  route('GET', 'identity/customAuthenticationExtensions/:id', PERMISSIONS.extensionsRead, ({ directory }, _request, { id }) => {
    const extension = findExtension(directory, id as string);
    if (directory.isReplicating(id as string)) throw missing(id as string);
    return json(200, extension);
  }),
  route('PATCH', 'identity/customAuthenticationExtensions/:id', PERMISSIONS.extensionsWrite, ({ directory }, request, { id }) => updateExtension(directory, request, id as string)),
  route('DELETE', 'identity/customAuthenticationExtensions/:id', PERMISSIONS.extensionsWrite, ({ directory }, _request, { id }) => {
    findExtension(directory, id as string);
    directory.customAuthenticationExtensions.delete(id as string);
    return noContent();
  }),
  route('POST', 'identity/customAuthenticationExtensions/:id/validateAuthenticationConfiguration', PERMISSIONS.extensionsRead, ({ directory }, _request, { id }) => {
    const extension = findExtension(directory, id as string);
    return json(200, validation(directory, extension.endpointConfiguration, extension.authenticationConfiguration));
  }),

  route('GET', 'identity/authenticationEventListeners', PERMISSIONS.listenersRead, ({ directory }, request) =>
    json(200, { '@odata.context': `${request.serviceRoot}/$metadata#identity/authenticationEventListeners`, value: [...directory.authenticationEventListeners.values()] }),
  ),
  route('POST', 'identity/authenticationEventListeners', PERMISSIONS.listenersWrite, ({ directory }, request) => createListener(directory, request)),
  route('GET', 'identity/authenticationEventListeners/:id', PERMISSIONS.listenersRead, ({ directory }, _request, { id }) => {
    const listener = findListener(directory, id as string);
    if (directory.isReplicating(id as string)) throw missing(id as string);
    return json(200, listener);
  }),
  route('PATCH', 'identity/authenticationEventListeners/:id', PERMISSIONS.listenersWrite, ({ directory }, request, { id }) => updateListener(directory, request, id as string)),
  route('DELETE', 'identity/authenticationEventListeners/:id', PERMISSIONS.listenersWrite, ({ directory }, _request, { id }) => {
    findListener(directory, id as string);
    directory.authenticationEventListeners.delete(id as string);
    return noContent();
  }),
];

function createExtension(directory: Directory, request: EmulatedRequest) {
  const body = asObject(request.body, 'customAuthenticationExtension');
  requireType(body, EXTENSION_TYPE, 'The custom extension should be of subtype of CustomAuthenticationExtension');
  if (directory.customAuthenticationExtensions.size >= MAX_EXTENSIONS) throw badRequest(`A tenant can have at most ${MAX_EXTENSIONS} custom authentication extensions.`);
  if (!directory.servicePrincipalByAppId(AUTHENTICATION_EVENTS_APP_ID)) throw badRequest('AADB2C90063: There is a problem with the service.', 'BadRequest');
  const extension = checkExtension(directory, { '@odata.type': EXTENSION_TYPE, ...body, id: randomUUID() });
  directory.customAuthenticationExtensions.set(extension.id as string, extension);
  directory.created(extension.id as string);
  return json(201, extension);
}

function updateExtension(directory: Directory, request: EmulatedRequest, id: string) {
  const current = findExtension(directory, id);
  const body = asObject(request.body, 'customAuthenticationExtension');
  // customauthenticationextension-update: "You must specify the @odata.type property when updating".
  requireType(body, String(current['@odata.type']), 'The @odata.type property is required when updating a custom authentication extension and must match its type.');
  const updated = checkExtension(directory, { ...current, ...body, '@odata.type': current['@odata.type'], id });
  directory.customAuthenticationExtensions.set(id, updated);
  return noContent();
}

function checkExtension(directory: Directory, body: Json): Json {
  rejectUnknownProperties(body, new Set([...EXTENSION_PROPERTIES, 'id']));
  optionalString(body, 'displayName', 'customAuthenticationExtension', 256);
  optionalString(body, 'description', 'customAuthenticationExtension', 1024);
  const endpoint = body.endpointConfiguration;
  if (!isObject(endpoint) || odataType(endpoint['@odata.type']) !== '#microsoft.graph.httpRequestEndpoint' || !isHttpsUrl(endpoint.targetUrl)) {
    throw invalidValue('endpointConfiguration', 'customAuthenticationExtension', 'Use { "@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "https://…" }.');
  }
  const authentication = body.authenticationConfiguration;
  if (!isObject(authentication) || odataType(authentication['@odata.type']) !== '#microsoft.graph.azureAdTokenAuthentication' || typeof authentication.resourceId !== 'string') {
    throw invalidValue('authenticationConfiguration', 'customAuthenticationExtension', 'Use { "@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": "api://{host}/{appId}" }.');
  }
  const errors = resourceIdErrors(directory, endpoint.targetUrl as string, authentication.resourceId);
  const blocking = errors.find((error) => error.code !== 'ServicePrincipalNotFound');
  if (blocking) throw badRequest(String(blocking.message));
  const client = body.clientConfiguration ?? null;
  if (client !== null) {
    if (!isObject(client)) throw invalidValue('clientConfiguration', 'customAuthenticationExtension');
    rejectUnknownProperties(client, new Set(['timeoutInMilliseconds', 'maximumRetries', '@odata.type']));
    const timeout = client.timeoutInMilliseconds;
    const retries = client.maximumRetries;
    // customExtensionClientConfiguration: timeout 200–2000 ms; maximumRetries 0 or 1.
    if (timeout !== undefined && timeout !== null && !(Number.isInteger(timeout) && (timeout as number) >= 200 && (timeout as number) <= 2000)) {
      throw invalidValue('timeoutInMilliseconds', 'customExtensionClientConfiguration', 'The valid range is between 200 and 2000 milliseconds.');
    }
    if (retries !== undefined && retries !== null && retries !== 0 && retries !== 1) {
      throw invalidValue('maximumRetries', 'customExtensionClientConfiguration', 'Values of 0 or 1 are supported.');
    }
  }
  return {
    '@odata.type': body['@odata.type'],
    id: body.id,
    displayName: body.displayName ?? null,
    description: body.description ?? null,
    behaviorOnError: body.behaviorOnError ?? null,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: endpoint.targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: authentication.resourceId },
    clientConfiguration: {
      timeoutInMilliseconds: (client as Json | null)?.timeoutInMilliseconds ?? null,
      maximumRetries: (client as Json | null)?.maximumRetries ?? null,
    },
  };
}

/**
 * The checks of `validateAuthenticationConfiguration` (docs/entra-contracts.md#configuration-check), plus that the app's
 * identifierUris hold the resourceId (docs/entra-contracts.md#extension-app).
 */
function resourceIdErrors(directory: Directory, targetUrl: string, resourceId: string): Json[] {
  const match = RESOURCE_ID.exec(resourceId);
  if (!match) return [{ code: 'IncorrectResourceIdFormat', message: "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'" }];
  const [, host, appId] = match as unknown as [string, string, string];
  if (host.toLowerCase() !== new URL(targetUrl).host.toLowerCase()) {
    return [{ code: 'DomainNameDoesNotMatch', message: 'The fully qualified domain name in resourceId should match that of the targetUrl' }];
  }
  const application = directory.applicationByAppId(appId);
  const uris = ((application?.identifierUris as string[] | undefined) ?? []).map((uri) => uri.toLowerCase());
  if (!uris.includes(resourceId.toLowerCase())) {
    return [{ code: 'ResourceIdNotFound', message: 'The resourceId is not found in the IdentifierUris property of the app' }];
  }
  if (!directory.servicePrincipalByAppId(appId)) {
    return [{ code: 'ServicePrincipalNotFound', message: 'The appId of the resourceId should correspond to a real service principal in the tenant' }];
  }
  return [];
}

function validation(directory: Directory, endpoint: unknown, authentication: unknown): Json {
  const targetUrl = isObject(endpoint) && isHttpsUrl(endpoint.targetUrl) ? endpoint.targetUrl : undefined;
  const resourceId = isObject(authentication) && typeof authentication.resourceId === 'string' ? authentication.resourceId : undefined;
  if (targetUrl === undefined || resourceId === undefined) throw badRequest('endpointConfiguration.targetUrl (https) and authenticationConfiguration.resourceId are required.');
  const errors = resourceIdErrors(directory, targetUrl, resourceId);
  const warnings: Json[] = [];
  const appId = RESOURCE_ID.exec(resourceId)?.[2];
  const servicePrincipal = appId === undefined ? undefined : directory.servicePrincipalByAppId(appId);
  const graph = directory.servicePrincipalByAppId(MICROSOFT_GRAPH_APP_ID);
  const granted = [...directory.appRoleAssignments.values()].some(
    (assignment) => assignment.principalId === servicePrincipal?.id && assignment.resourceId === graph?.id && assignment.appRoleId === RECEIVE_PAYLOAD_ROLE_ID,
  );
  if (errors.length === 0 && !granted) {
    warnings.push({ code: 'PermissionNotGrantedToServicePrincipal', message: 'The permission CustomAuthenticationExtensions.Receive.Payload is not granted to the service principal of the resource app' });
  }
  return { resourceId, errors, warnings };
}

function createListener(directory: Directory, request: EmulatedRequest) {
  const body = asObject(request.body, 'authenticationEventListener');
  requireType(body, LISTENER_TYPE, 'The authentication event listener must specify a supported @odata.type (#microsoft.graph.onPasswordSubmitListener).');
  if (directory.authenticationEventListeners.size >= MAX_LISTENERS) throw badRequest(`A tenant can have at most ${MAX_LISTENERS} event listeners.`);
  const listener = checkListener(directory, { ...body, id: randomUUID() });
  directory.authenticationEventListeners.set(listener.id as string, listener);
  directory.created(listener.id as string);
  return json(201, listener);
}

function updateListener(directory: Directory, request: EmulatedRequest, id: string) {
  const current = findListener(directory, id);
  const body = asObject(request.body, 'authenticationEventListener');
  requireType(body, String(current['@odata.type']), 'The @odata.type property is required when updating an authentication event listener and must match its type.');
  directory.authenticationEventListeners.set(id, checkListener(directory, { ...current, ...body, id }));
  return noContent();
}

function checkListener(directory: Directory, body: Json): Json {
  rejectUnknownProperties(body, new Set([...LISTENER_PROPERTIES, 'id']));
  optionalString(body, 'displayName', 'authenticationEventListener', 256);
  optionalString(body, 'authenticationEventsFlowId', 'authenticationEventListener', 64);
  const priority = body.priority;
  if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > 1000) {
    throw invalidValue('priority', 'authenticationEventListener', 'It must be an integer between 0 and 1000.');
  }
  const applications = isObject(body.conditions) ? body.conditions.applications : undefined;
  if (!isObject(applications)) throw invalidValue('conditions', 'authenticationEventListener', 'Use { "applications": { "includeApplications": [{ "appId": "…" }] } }.');
  optionalBoolean(applications, 'includeAllApplications', 'authenticationConditionsApplications');
  const included = applications.includeApplications ?? [];
  if (!Array.isArray(included) || included.some((entry) => !isObject(entry) || !isGuid(entry.appId))) {
    throw invalidValue('includeApplications', 'authenticationConditionsApplications', 'Each entry is { "appId": "<client app GUID>" }.');
  }
  if (included.length === 0 && applications.includeAllApplications !== true) {
    throw invalidValue('includeApplications', 'authenticationConditionsApplications', 'Name at least one application (or set includeAllApplications).');
  }
  const handler = body.handler;
  if (!isObject(handler) || odataType(handler['@odata.type']) !== HANDLER_TYPE) {
    throw invalidValue('handler', 'onPasswordSubmitListener', `The handler's @odata.type must be ${HANDLER_TYPE}.`);
  }
  rejectUnknownProperties(handler, new Set(['@odata.type', 'migrationPropertyId', 'customExtension', 'configuration']));
  const migrationPropertyId = handler.migrationPropertyId;
  const property = typeof migrationPropertyId === 'string' ? directory.userExtensionProperty(migrationPropertyId) : undefined;
  if (!property) {
    throw invalidValue('migrationPropertyId', 'onPasswordMigrationCustomExtensionHandler', 'It must name an existing User extension property (extension_{appId}_{name}).');
  }
  if (property.dataType !== 'Boolean') throw invalidValue('migrationPropertyId', 'onPasswordMigrationCustomExtensionHandler', 'The migration property must be a Boolean.');
  const extensionId = isObject(handler.customExtension) ? handler.customExtension.id : undefined;
  if (typeof extensionId !== 'string' || !directory.customAuthenticationExtensions.has(extensionId)) {
    throw invalidValue('customExtension', 'onPasswordMigrationCustomExtensionHandler', 'customExtension.id must name an existing custom authentication extension.');
  }
  return {
    '@odata.type': LISTENER_TYPE,
    id: body.id,
    displayName: body.displayName ?? null,
    priority,
    authenticationEventsFlowId: body.authenticationEventsFlowId ?? null,
    conditions: {
      applications: {
        includeAllApplications: applications.includeAllApplications ?? false,
        includeApplications: included.map((entry: Json) => ({ appId: String(entry.appId) })),
      },
    },
    handler: { '@odata.type': HANDLER_TYPE, migrationPropertyId: property.name, configuration: handler.configuration ?? null, customExtension: { id: extensionId } },
  };
}

function requireType(body: Json, expected: string, message: string): void {
  if (odataType(body['@odata.type']) !== expected) throw badRequest(message);
}

function findExtension(directory: Directory, id: string): Json {
  const extension = directory.customAuthenticationExtensions.get(id);
  if (!extension) throw missing(id);
  return extension;
}

function findListener(directory: Directory, id: string): Json {
  const listener = directory.authenticationEventListeners.get(id);
  if (!listener) throw missing(id);
  return listener;
}

function missing(id: string) {
  return notFound(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}
