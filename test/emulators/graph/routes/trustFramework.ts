/**
 * Azure AD B2C's Identity Experience Framework objects under `/beta/trustFramework` (Graph beta docs; reference
 * azure-ad-b2c-jit.md section 8):
 * - policies: `PUT policies/{id}/$value` with `Content-Type: application/xml` (required) answers 201 for a new
 *   policy and 200 for a replaced one (trustframework-put-trustframeworkpolicy); `GET .../$value`; `DELETE
 *   policies/{id}`. An upload is refused with 400 and a B2C-style message when the XML is not well formed,
 *   names another PolicyId, names a BasePolicy not uploaded yet, or the test's refusal hook says so; a refused
 *   upload changes nothing.
 * - keySets: `POST keySets {id}` (B2C prefixes the id with `B2C_1A_`, as the doc's example response shows;
 *   409 when it exists), `GET keySets/{id}`, `POST .../uploadSecret {use, k, nbf?, exp?}`,
 *   `POST .../uploadPkcs12 {key, password}`, `GET .../getActiveKey` (trustframeworkkeyset-*), `DELETE`.
 *   As a JWK set: the secret material is never returned.
 * Inference (undocumented): error code `AADB2C` and the wording of the refusals; a downloaded policy carries a
 * `TenantObjectId` attribute on its root the upload did not have, as policies downloaded from B2C do.
 */
import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Directory } from '../directory';
import { asObject, badRequest, EmulatorError, json, noContent, notFound, type EmulatedRequest, type EmulatedResponse, type Json } from '../protocol';
import { PERMISSIONS, route, type Route } from '../router';
import { rejectUnknownProperties, requireString } from '../shapes';

export const KEY_SET_PREFIX = 'B2C_1A_';
const KEY_USES = ['sig', 'enc'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const policyParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false });

export const trustFrameworkRoutes: Route[] = [
  route('GET', 'trustFramework/policies', PERMISSIONS.trustFrameworkPoliciesRead, ({ directory }) =>
    json(200, { value: [...directory.trustFrameworkPolicies.values()].map((policy) => ({ id: policy.id })) }),
  ),
  route('PUT', 'trustFramework/policies/:id/$value', PERMISSIONS.trustFrameworkPoliciesWrite, ({ directory }, request, { id }) => putPolicy(directory, request, id as string)),
  route('GET', 'trustFramework/policies/:id/$value', PERMISSIONS.trustFrameworkPoliciesRead, ({ directory }, _request, { id }) => {
    const policy = findPolicy(directory, id as string);
    return { status: 200, text: withTenantObjectId(String(policy.xml), directory.options.tenantId), contentType: 'application/xml' };
  }),
  route('DELETE', 'trustFramework/policies/:id', PERMISSIONS.trustFrameworkPoliciesWrite, ({ directory }, _request, { id }) => {
    directory.trustFrameworkPolicies.delete(String(findPolicy(directory, id as string, { replicated: true }).id).toLowerCase());
    return noContent();
  }),
  route('GET', 'trustFramework/keySets', PERMISSIONS.trustFrameworkKeySetsRead, ({ directory }) =>
    json(200, { value: [...directory.trustFrameworkKeySets.values()].map(publicKeySet) }),
  ),
  route('POST', 'trustFramework/keySets', PERMISSIONS.trustFrameworkKeySetsWrite, ({ directory }, request) => createKeySet(directory, request)),
  route('GET', 'trustFramework/keySets/:id', PERMISSIONS.trustFrameworkKeySetsRead, ({ directory }, _request, { id }) => json(200, publicKeySet(findKeySet(directory, id as string)))),
  route('DELETE', 'trustFramework/keySets/:id', PERMISSIONS.trustFrameworkKeySetsWrite, ({ directory }, _request, { id }) => {
    directory.trustFrameworkKeySets.delete(String(findKeySet(directory, id as string, { replicated: true }).id).toLowerCase());
    return noContent();
  }),
  route('POST', 'trustFramework/keySets/:id/uploadSecret', PERMISSIONS.trustFrameworkKeySetsWrite, ({ directory }, request, { id }) => uploadSecret(directory, request, id as string)),
  route('POST', 'trustFramework/keySets/:id/uploadPkcs12', PERMISSIONS.trustFrameworkKeySetsWrite, ({ directory }, request, { id }) => uploadPkcs12(directory, request, id as string)),
  route('GET', 'trustFramework/keySets/:id/getActiveKey', PERMISSIONS.trustFrameworkKeySetsRead, ({ directory }, _request, { id }) => {
    const keys = findKeySet(directory, id as string).keys as Json[];
    const active = keys[keys.length - 1];
    if (active === undefined) throw notFound(`The key set '${id}' has no active key.`);
    return json(200, publicKey(active));
  }),
];

/** B2C's refusals of a policy: 400 with the validation text. */
const refused = (message: string): EmulatorError => new EmulatorError(400, 'AADB2C', message);

function putPolicy(directory: Directory, request: EmulatedRequest, id: string): EmulatedResponse {
  const contentType = request.headers['content-type'] ?? '';
  if (request.text === undefined || !/^\s*application\/xml\s*(;|$)/i.test(contentType)) {
    throw new EmulatorError(415, 'UnsupportedMediaType', `The policy must be sent as Content-Type: application/xml, got '${contentType || 'none'}'.`);
  }
  const xml = request.text;
  const tenant = directory.tenantDomain;
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw refused(`Validation failed: the policy "${id}" of tenant "${tenant}" is not well-formed XML: ${validation.err.msg} (line ${validation.err.line}).`);
  }
  const root = (policyParser.parse(xml) as Json).TrustFrameworkPolicy as Json | undefined;
  if (root === undefined || typeof root !== 'object') throw refused(`Validation failed: the root element of policy "${id}" must be TrustFrameworkPolicy.`);
  const policyId = String(root['@_PolicyId'] ?? '');
  if (policyId.toLowerCase() !== id.toLowerCase()) {
    throw refused(`Validation failed: the PolicyId "${policyId}" in the document does not match the policy "${id}" in the request URL.`);
  }
  const base = (root.BasePolicy as Json | undefined)?.PolicyId;
  if (base !== undefined && !directory.trustFrameworkPolicies.has(String(base).trim().toLowerCase())) {
    throw refused(`Validation failed: 1 validation error(s) found in policy "${id.toUpperCase()}" of tenant "${tenant}". Base policy "${String(base).trim()}" of tenant "${tenant}" was not found. Upload it first.`);
  }
  const scripted = directory.policyUploadRefusal?.(id, xml);
  if (scripted !== undefined) throw refused(scripted);
  const key = id.toLowerCase();
  const existed = directory.trustFrameworkPolicies.has(key);
  directory.trustFrameworkPolicies.set(key, { id: existed ? directory.trustFrameworkPolicies.get(key)?.id : policyId, xml });
  if (existed) return { status: 200 };
  directory.created(`policy:${key}`);
  return { status: 201, headers: { Location: `/trustFramework/policies/${policyId}` } };
}

/** Reads and actions see a just-created object only after the replication delay; a delete finds it at once. */
function findPolicy(directory: Directory, id: string, { replicated = false } = {}): Json {
  const key = id.toLowerCase();
  const policy = directory.trustFrameworkPolicies.get(key);
  if (policy === undefined || (!replicated && directory.isReplicating(`policy:${key}`))) throw notFound(`The policy '${id}' was not found.`);
  return policy;
}

/** The root start tag with `TenantObjectId` added, as B2C serves policies back. */
function withTenantObjectId(xml: string, tenantId: string): string {
  return xml.replace(/<TrustFrameworkPolicy\b([^>]*?)(\/?)>/, (tag, attributes: string, selfClosing: string) =>
    /\sTenantObjectId\s*=/.test(attributes) ? tag : `<TrustFrameworkPolicy${attributes} TenantObjectId="${tenantId}"${selfClosing}>`,
  );
}

function createKeySet(directory: Directory, request: EmulatedRequest): EmulatedResponse {
  const body = asObject(request.body, 'trustFrameworkKeySet');
  rejectUnknownProperties(body, new Set(['id']));
  const requested = requireString(body, 'id', 'trustFrameworkKeySet');
  const id = requested.toUpperCase().startsWith(KEY_SET_PREFIX) ? requested : `${KEY_SET_PREFIX}${requested}`;
  const key = id.toLowerCase();
  if (directory.trustFrameworkKeySets.has(key)) throw new EmulatorError(409, 'AADB2C', `A key set with the id '${id}' already exists.`);
  const keySet: Json = { id, keys: [] };
  directory.trustFrameworkKeySets.set(key, keySet);
  directory.created(`keyset:${key}`);
  return { status: 201, headers: { Location: `/trustFramework/keySets('${id}')` }, body: publicKeySet(keySet) };
}

function findKeySet(directory: Directory, id: string, { replicated = false } = {}): Json {
  const key = id.toLowerCase();
  const keySet = directory.trustFrameworkKeySets.get(key);
  if (keySet === undefined || (!replicated && directory.isReplicating(`keyset:${key}`))) throw notFound(`The key set '${id}' was not found.`);
  return keySet;
}

function uploadSecret(directory: Directory, request: EmulatedRequest, id: string): EmulatedResponse {
  const keySet = findKeySet(directory, id);
  const body = asObject(request.body, 'trustFrameworkKey');
  rejectUnknownProperties(body, new Set(['use', 'k', 'nbf', 'exp']));
  const use = requireString(body, 'use', 'trustFrameworkKey');
  if (!KEY_USES.includes(use)) throw badRequest(`Invalid value specified for property 'use': it must be 'sig' or 'enc'.`);
  const k = requireString(body, 'k', 'trustFrameworkKey', 8192);
  for (const name of ['nbf', 'exp']) {
    if (body[name] !== undefined && !Number.isInteger(body[name])) throw badRequest(`Invalid value specified for property '${name}': seconds since the epoch.`);
  }
  return addKey(keySet, { kty: 'oct', use, k, ...(body.nbf === undefined ? {} : { nbf: body.nbf }), ...(body.exp === undefined ? {} : { exp: body.exp }) });
}

function uploadPkcs12(directory: Directory, request: EmulatedRequest, id: string): EmulatedResponse {
  const keySet = findKeySet(directory, id);
  const body = asObject(request.body, 'trustFrameworkKey');
  rejectUnknownProperties(body, new Set(['key', 'password']));
  const key = requireString(body, 'key', 'trustFrameworkKey', 1_000_000);
  if (!BASE64.test(key)) throw badRequest(`Invalid value specified for property 'key': the base-64 encoded .pfx.`);
  const password = body.password === undefined ? undefined : requireString(body, 'password', 'trustFrameworkKey');
  return addKey(keySet, { kty: 'RSA', use: 'sig', key, ...(password === undefined ? {} : { password }) });
}

/** The newest upload is the active key. */
function addKey(keySet: Json, material: Json): EmulatedResponse {
  const key: Json = { kid: randomBytes(16).toString('base64url'), ...material };
  (keySet.keys as Json[]).push(key);
  return json(200, publicKey(key));
}

function publicKey(key: Json): Json {
  const { k: _k, key: _key, password: _password, ...visible } = key;
  return visible;
}

function publicKeySet(keySet: Json): Json {
  return { id: keySet.id, keys: (keySet.keys as Json[]).map(publicKey) };
}
