/**
 * `/applications` and `/applications/{id}/extensionProperties` (application, keyCredential, extensionProperty
 * resources). The JIT key is checked as Graph checks it (docs/entra-contracts.md#encryption-key): `AsymmetricX509Cert`, usage
 * `Encrypt`, `key` = base64 DER certificate, and `tokenEncryptionKeyId` = that credential's `keyId`. As in
 * Graph, `key` is returned only on `GET applications/{id}?$select=keyCredentials`, and a PATCH of
 * `keyCredentials` replaces the whole collection, so every entry needs its `key`.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { newApplicationDefaults, type Directory } from '../directory';
import { filterFor, page, project, rejectUnsupportedOptions, selectedProperties } from '../query';
import { asObject, badRequest, json, noContent, notFound, type EmulatedRequest, type Json } from '../protocol';
import { PERMISSIONS, route, type Route } from '../router';
import { invalidValue, isGuid, isObject, isUri, optionalBoolean, optionalString, rejectUnknownProperties, requireString } from '../shapes';

const WRITABLE = new Set([
  'displayName', 'description', 'signInAudience', 'identifierUris', 'keyCredentials', 'tokenEncryptionKeyId', 'api',
  'requiredResourceAccess', 'web', 'spa', 'publicClient', 'isFallbackPublicClient', 'nativeAuthenticationApisEnabled',
  'tags', 'notes', 'info', 'optionalClaims', 'appRoles', 'groupMembershipClaims', 'serviceManagementReference',
]);
const SIGN_IN_AUDIENCES = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];
const FILTERABLE = new Set(['id', 'appid', 'displayname', 'identifieruris', 'signinaudience', 'tags', 'publisherdomain']);
const DATA_TYPES = ['Binary', 'Boolean', 'DateTime', 'Integer', 'LargeInteger', 'String'];
const TARGET_OBJECTS = ['User', 'Group', 'AdministrativeUnit', 'Application', 'Device', 'Organization'];
const MAX_EXTENSION_PROPERTIES = 100;

export const applicationRoutes: Route[] = [
  route('GET', 'applications', PERMISSIONS.applicationsRead, ({ directory }, request) => listApplications(directory, request)),
  route('POST', 'applications', PERMISSIONS.applicationsWrite, ({ directory }, request) => createApplication(directory, request)),
  route('GET', 'applications/:id', PERMISSIONS.applicationsRead, ({ directory }, request, { id }) => getApplication(directory, request, id as string)),
  route('PATCH', 'applications/:id', PERMISSIONS.applicationsWrite, ({ directory }, request, { id }) => updateApplication(directory, request, id as string)),
  route('DELETE', 'applications/:id', PERMISSIONS.applicationsWrite, ({ directory }, _request, { id }) => deleteApplication(directory, id as string)),
  route('GET', 'applications/:id/extensionProperties', PERMISSIONS.applicationsRead, ({ directory }, request, { id }) => {
    const application = findApplication(directory, id as string);
    return json(200, { '@odata.context': `${request.serviceRoot}/$metadata#applications('${application.id}')/extensionProperties`, value: extensionPropertiesOf(directory, application) });
  }),
  route('POST', 'applications/:id/extensionProperties', PERMISSIONS.applicationsWrite, ({ directory }, request, { id }) => createExtensionProperty(directory, request, id as string)),
  route('GET', 'applications/:id/extensionProperties/:propertyId', PERMISSIONS.applicationsRead, ({ directory }, _request, { id, propertyId }) =>
    json(200, findExtensionProperty(directory, id as string, propertyId as string)),
  ),
  route('DELETE', 'applications/:id/extensionProperties/:propertyId', PERMISSIONS.applicationsWrite, ({ directory }, _request, { id, propertyId }) => {
    const property = findExtensionProperty(directory, id as string, propertyId as string);
    directory.extensionProperties.delete(property.id as string);
    directory.extensionOwners.delete(property.id as string);
    return noContent();
  }),
];

function createApplication(directory: Directory, request: EmulatedRequest) {
  const body = asObject(request.body, 'Application');
  rejectUnknownProperties(body, WRITABLE);
  requireString(body, 'displayName', 'Application');
  const id = randomUUID();
  const application: Json = { ...newApplicationDefaults(directory.tenantDomain), id, appId: randomUUID() };
  applyChanges(directory, application, body);
  directory.applications.set(id, application);
  directory.created(id);
  return json(201, representation(application, false));
}

function getApplication(directory: Directory, request: EmulatedRequest, id: string) {
  rejectUnsupportedOptions(request, ['$select']);
  const application = findApplication(directory, id);
  if (directory.isReplicating(application.id as string)) throw missing(id);
  const selected = selectedProperties(request, (name) => name in application || WRITABLE.has(name), 'application');
  return json(200, project(representation(application, selected?.includes('keyCredentials') ?? false), selected, undefined));
}

function listApplications(directory: Directory, request: EmulatedRequest) {
  rejectUnsupportedOptions(request, ['$filter', '$select', '$top', '$skiptoken', '$count']);
  const selected = selectedProperties(request, (name) => WRITABLE.has(name) || ['id', 'appId', 'createdDateTime', 'publisherDomain', 'passwordCredentials'].includes(name), 'application');
  const predicate = filterFor(request, { resource: 'Application', maxTop: 999, isFilterable: (name) => FILTERABLE.has(name.toLowerCase()) });
  const { value, nextLink } = page(request, [...directory.applications.values()].filter(predicate), 999);
  const body: Json = { '@odata.context': `${request.serviceRoot}/$metadata#applications`, value: value.map((app) => project(representation(app, false), selected, undefined)) };
  if (nextLink) body['@odata.nextLink'] = nextLink;
  return json(200, body);
}

function updateApplication(directory: Directory, request: EmulatedRequest, id: string) {
  const application = findApplication(directory, id);
  const body = asObject(request.body, 'Application');
  rejectUnknownProperties(body, WRITABLE);
  if (body.displayName !== undefined) requireString(body, 'displayName', 'Application');
  applyChanges(directory, application, body);
  return noContent();
}

function deleteApplication(directory: Directory, id: string) {
  const application = findApplication(directory, id);
  directory.applications.delete(application.id as string);
  for (const property of extensionPropertiesOf(directory, application)) {
    directory.extensionProperties.delete(property.id as string);
    directory.extensionOwners.delete(property.id as string);
  }
  // Deleting an application also deletes its service principal in the home tenant.
  const servicePrincipal = directory.servicePrincipalByAppId(String(application.appId));
  if (servicePrincipal) directory.servicePrincipals.delete(servicePrincipal.id as string);
  return noContent();
}

/** Validates every property in `body` against the application, then applies them all (or none). */
function applyChanges(directory: Directory, application: Json, body: Json): void {
  const changes: Json = { ...body };
  if (body.signInAudience !== undefined && !SIGN_IN_AUDIENCES.includes(String(body.signInAudience))) throw invalidValue('signInAudience', 'Application');
  if (body.identifierUris !== undefined) changes.identifierUris = checkIdentifierUris(directory, body.identifierUris, application.id as string);
  if (body.keyCredentials !== undefined) changes.keyCredentials = checkKeyCredentials(body.keyCredentials);
  if (body.api !== undefined) changes.api = checkApi(body.api, application.api as Json);
  if (body.requiredResourceAccess !== undefined) checkRequiredResourceAccess(body.requiredResourceAccess);
  for (const name of ['description', 'notes', 'groupMembershipClaims', 'serviceManagementReference']) optionalString(body, name, 'Application');
  optionalBoolean(body, 'nativeAuthenticationApisEnabled', 'Application');
  if (body.isFallbackPublicClient !== undefined && body.isFallbackPublicClient !== null && typeof body.isFallbackPublicClient !== 'boolean') {
    throw invalidValue('isFallbackPublicClient', 'Application');
  }
  if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((tag) => typeof tag !== 'string'))) throw invalidValue('tags', 'Application');

  const keyCredentials = (changes.keyCredentials ?? application.keyCredentials) as Json[];
  const tokenEncryptionKeyId = body.tokenEncryptionKeyId !== undefined ? body.tokenEncryptionKeyId : application.tokenEncryptionKeyId;
  if (tokenEncryptionKeyId !== null && tokenEncryptionKeyId !== undefined) {
    const usable = keyCredentials.some((credential) => String(credential.keyId).toLowerCase() === String(tokenEncryptionKeyId).toLowerCase() && credential.usage === 'Encrypt');
    if (!isGuid(tokenEncryptionKeyId) || !usable) {
      throw invalidValue('tokenEncryptionKeyId', 'Application', 'It must be the keyId of one of the application\'s keyCredentials with usage Encrypt.');
    }
  }
  Object.assign(application, changes);
}

function checkIdentifierUris(directory: Directory, value: unknown, applicationId: string): string[] {
  if (!Array.isArray(value) || value.some((uri) => !isUri(uri))) throw invalidValue('identifierUris', 'Application', 'Each identifier URI must be an absolute URI.');
  const uris = value as string[];
  for (const other of directory.applications.values()) {
    if (other.id === applicationId) continue;
    const taken = (other.identifierUris as string[]).map((uri) => uri.toLowerCase());
    if (uris.some((uri) => taken.includes(uri.toLowerCase()))) throw badRequest('Another object with the same value for property identifierUris already exists.');
  }
  return uris;
}

function checkKeyCredentials(value: unknown): Json[] {
  if (!Array.isArray(value)) throw invalidValue('keyCredentials', 'Application');
  const keyIds = new Set<string>();
  return value.map((item): Json => {
    if (!isObject(item)) throw invalidValue('keyCredentials', 'Application');
    rejectUnknownProperties(item, new Set(['keyId', 'type', 'usage', 'key', 'displayName', 'startDateTime', 'endDateTime', 'customKeyIdentifier']));
    const keyId = item.keyId === undefined || item.keyId === null ? randomUUID() : item.keyId;
    if (!isGuid(keyId)) throw invalidValue('keyId', 'keyCredential');
    if (keyIds.has(keyId.toLowerCase())) throw badRequest(`Duplicate keyId '${keyId}' in keyCredentials.`);
    keyIds.add(keyId.toLowerCase());
    const type = item.type;
    const usage = item.usage;
    if (type !== 'AsymmetricX509Cert' && type !== 'X509CertAndPassword') throw invalidValue('type', 'keyCredential', 'Use AsymmetricX509Cert.');
    const usages = type === 'AsymmetricX509Cert' ? ['Verify', 'Encrypt'] : ['Sign'];
    if (typeof usage !== 'string' || !usages.includes(usage)) throw invalidValue('usage', 'keyCredential', `For ${type} use ${usages.join(' or ')}.`);
    const certificate = parseCertificate(item.key);
    const startDateTime = checkDate(item.startDateTime, 'startDateTime') ?? new Date(certificate.validFrom).toISOString();
    const endDateTime = checkDate(item.endDateTime, 'endDateTime') ?? new Date(certificate.validTo).toISOString();
    if (Date.parse(startDateTime) >= Date.parse(endDateTime)) throw invalidValue('endDateTime', 'keyCredential', 'It must be after startDateTime.');
    return {
      customKeyIdentifier: item.customKeyIdentifier ?? null,
      displayName: typeof item.displayName === 'string' ? item.displayName : null,
      endDateTime,
      key: item.key,
      keyId,
      startDateTime,
      type,
      usage,
    };
  });
}

/** `key` is the base64 of a DER certificate: not PEM, not a JWK (docs/entra-contracts.md#encryption-key). */
function parseCertificate(key: unknown): X509Certificate {
  const invalid = badRequest('Invalid certificate: Key value is invalid certificate');
  if (typeof key !== 'string' || key === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid;
  try {
    return new X509Certificate(Buffer.from(key, 'base64'));
  } catch {
    throw invalid;
  }
}

function checkDate(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalidValue(name, 'keyCredential');
  return new Date(value).toISOString();
}

function checkApi(value: unknown, current: Json): Json {
  if (!isObject(value)) throw invalidValue('api', 'Application');
  const version = value.requestedAccessTokenVersion;
  if (version !== undefined && version !== null && version !== 1 && version !== 2) throw invalidValue('requestedAccessTokenVersion', 'apiApplication', 'Use 1 or 2.');
  return { ...current, ...value };
}

function checkRequiredResourceAccess(value: unknown): void {
  const valid =
    Array.isArray(value) &&
    value.every(
      (entry) =>
        isObject(entry) &&
        isGuid(entry.resourceAppId) &&
        Array.isArray(entry.resourceAccess) &&
        entry.resourceAccess.every((access) => isObject(access) && isGuid(access.id) && (access.type === 'Role' || access.type === 'Scope')),
    );
  if (!valid) throw invalidValue('requiredResourceAccess', 'Application', 'Each entry needs resourceAppId and resourceAccess [{ id, type: Role|Scope }].');
}

function createExtensionProperty(directory: Directory, request: EmulatedRequest, id: string) {
  const application = findApplication(directory, id);
  const body = asObject(request.body, 'ExtensionProperty');
  rejectUnknownProperties(body, new Set(['name', 'dataType', 'targetObjects', 'isMultiValued']));
  const name = requireString(body, 'name', 'ExtensionProperty', 100);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw invalidValue('name', 'ExtensionProperty', 'Use letters, digits and underscores.');
  if (!DATA_TYPES.includes(String(body.dataType))) throw invalidValue('dataType', 'ExtensionProperty', `Use one of ${DATA_TYPES.join(', ')}.`);
  const targets = body.targetObjects;
  if (!Array.isArray(targets) || targets.length === 0 || targets.some((target) => !TARGET_OBJECTS.includes(String(target)))) {
    throw invalidValue('targetObjects', 'ExtensionProperty', `Use a non-empty subset of ${TARGET_OBJECTS.join(', ')}.`);
  }
  optionalBoolean(body, 'isMultiValued', 'ExtensionProperty');
  const existing = extensionPropertiesOf(directory, application);
  if (existing.length >= MAX_EXTENSION_PROPERTIES) throw badRequest(`An application can have at most ${MAX_EXTENSION_PROPERTIES} extension properties.`);
  // extensionProperty: the name is extension_{appId without hyphens}_{name}.
  const fullName = `extension_${String(application.appId).replace(/-/g, '')}_${name}`;
  if (existing.some((property) => String(property.name).toLowerCase() === fullName.toLowerCase())) {
    throw badRequest(`Property with name '${fullName}' already exists on application '${String(application.appId)}'.`);
  }
  const property: Json = {
    id: randomUUID(),
    deletedDateTime: null,
    appDisplayName: application.displayName,
    dataType: body.dataType,
    isMultiValued: body.isMultiValued === true,
    isSyncedFromOnPremises: false,
    name: fullName,
    targetObjects: [...targets],
  };
  directory.extensionProperties.set(property.id as string, property);
  directory.extensionOwners.set(property.id as string, application.id as string);
  return json(201, property);
}

function extensionPropertiesOf(directory: Directory, application: Json): Json[] {
  return [...directory.extensionProperties.values()].filter((property) => directory.extensionOwners.get(property.id as string) === application.id);
}

function findExtensionProperty(directory: Directory, applicationId: string, propertyId: string): Json {
  const application = findApplication(directory, applicationId);
  const property = extensionPropertiesOf(directory, application).find((candidate) => candidate.id === propertyId);
  if (!property) throw missing(propertyId);
  return property;
}

export function findApplication(directory: Directory, id: string): Json {
  const application = directory.applications.get(id);
  if (!application) throw missing(id);
  return application;
}

function missing(id: string) {
  return notFound(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function representation(application: Json, withKeys: boolean): Json {
  const keyCredentials = (application.keyCredentials as Json[]).map((credential) => ({ ...credential, key: withKeys ? credential.key : null }));
  return { ...application, keyCredentials };
}
